"""What a notification says and where it sits: its category (what a member's preferences are
chosen by), whether it is urgent (sent at once even in digest mode), and its words. Pure."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    MEMBERSHIP = "membership"
    EVENTS = "events"
    PLANS = "plans"
    PRACTICE = "practice"
    CONVERSATIONS = "conversations"


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Message:
    kind: str  # the rule that made it, e.g. "application_received"
    category: Category
    subject: str
    text: str
    link: str  # a path on the site, e.g. /events/01...
    urgent: bool = False
    # About the member's account itself (their password changed, someone used their
    # address): it reaches them by email whatever their preferences, with no unsubscribe.
    account: bool = False
    # The region of the fact it is about (None: national, or no region), which the
    # notification's own facts carry for regional nodes to route by.
    region: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "category": self.category.value}

    @classmethod
    def of(cls, data: dict[str, Any]) -> Message:
        return cls(**{**data, "category": Category(data["category"])})
