"""What the notifications use cases need from storage and from the outside world, as
protocols: MongoDB (repository.py) and in memory (memory.py), held to one behaviour by
tests/integration/stores/test_notifications_stores.py; the mail server (mailer.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.notifications.domain.notifications import EmailDelivery, InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.facts import DeliveryFailed, NotificationDelivered, NotificationJob
from shared.clock import Clock, new_id


@dataclass(frozen=True)
class MemberRecord:
    """The read model's member: what membership's facts said, and their preferences."""

    member_id: str
    name: str
    email: str | None
    region: str | None
    roles: frozenset[str]
    interests: frozenset[str]
    status: str  # pending, active, declined, left
    preferences: Preferences


class Directory(Protocol):
    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> None:
        """Sets the fields if `as_of` is newer than what is recorded (a redelivered or late
        fact changes nothing); creates the member when unknown."""

    async def get(self, member_id: str) -> MemberRecord | None: ...

    async def get_many(self, member_ids: list[str]) -> dict[str, MemberRecord]: ...

    async def set_preferences(self, member_id: str, preferences: Preferences) -> bool:
        """False when the member is unknown."""

    async def with_role(self, region: str, role: str) -> list[str]:
        """Active members of the region holding the role."""

    async def interested(
        self, *, region: str | None, tags: list[str], everyone: bool, category: str
    ) -> list[str]:
        """Active members (of the region, if given) whose interests meet the tags, or with
        `everyone` all who take the category on some channel."""


class Audiences(Protocol):
    """Who is attached to what: an event's registrants, a recommendation's or plan's
    followers, a plan's team. Kept from facts, newest fact wins."""

    async def set(
        self, kind: str, target: str, member_id: str, *, active: bool, as_of: datetime
    ) -> None: ...

    async def members(self, kind: str, target: str) -> list[str]: ...


class Fanouts(Protocol):
    async def add(self, key: str, jobs: list[NotificationJob]) -> bool:
        """Records one chunk of a fan-out with its jobs (published through the outbox); False
        when that chunk was recorded before (a redelivered source fact)."""


class Inbox(Protocol):
    async def add_many(self, items: list[InboxItem], delivered: list[NotificationDelivered]) -> int:
        """Inserts the items not already there, each with its `delivered` fact; how many."""

    async def page(
        self, member_id: str, *, cursor: str | None, limit: int, unread_only: bool = False
    ) -> tuple[list[InboxItem], str | None]:
        """Newest first."""

    async def unread(self, member_id: str) -> int: ...

    async def mark_read(self, member_id: str, item_id: str, at: datetime) -> bool:
        """False when the member has no such item."""

    async def mark_all_read(self, member_id: str, at: datetime) -> int: ...


class Emails(Protocol):
    async def add(self, delivery: EmailDelivery) -> bool:
        """False when it was recorded before (nothing written)."""

    async def due(self, now: datetime, limit: int) -> list[EmailDelivery]:
        """Pending deliveries whose next attempt is due, oldest first."""

    async def sent(self, delivery_id: str, at: datetime, fact: NotificationDelivered) -> None: ...

    async def failed(self, delivery_id: str, reason: str, fact: DeliveryFailed) -> None: ...

    async def postpone(
        self, delivery_id: str, *, attempts: int, next_attempt_at: datetime, error: str
    ) -> None: ...


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


class Refused(Exception):
    """The mail server refused the address for good (5xx): no retry will help."""


class Mailer(Protocol):
    async def send(self, email: Email) -> None:
        """Raises `Refused` for a refused address, anything else for a failure worth retrying."""


@dataclass
class Stores:
    directory: Directory
    audiences: Audiences
    fanouts: Fanouts
    inbox: Inbox
    emails: Emails
    mailer: Mailer
    clock: Clock
    # Signs the one-click unsubscribe links; the site's address makes them absolute.
    unsubscribe_secret: str
    site_url: str
    new_id: Callable[[], str] = field(default=new_id)
    fanout_chunk: int = 500
