"""What the notifications use cases need from storage and from the outside world, as protocols:
MongoDB (repository.py) and in memory (tests/fakes/notifications.py), held to one behaviour by
tests/integration/stores/test_notifications_stores.py; the mail server (mailer.py) and webhook
receivers (webhooks.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.notifications.domain.notifications import Delivery, InboxItem
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


class Waiting(Protocol):
    """Jobs for members the read model does not know yet (their approval not read yet): kept
    until it is, then delivered."""

    async def add(self, jobs: list[NotificationJob]) -> None:
        """Idempotent: a job kept already is kept once."""

    async def of(self, member_id: str) -> list[NotificationJob]: ...

    async def remove(self, jobs: list[NotificationJob]) -> None: ...


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


class Deliveries(Protocol):
    """Email and webhook deliveries: the work of the retry loop and the delivery log."""

    async def add(self, delivery: Delivery) -> bool:
        """False when it was recorded before (nothing written)."""

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries whose next attempt is due, oldest first."""

    async def claim(self, delivery_id: str, seen: datetime, until: datetime) -> bool:
        """Takes a due delivery for one try: moves its next attempt from `seen` (as read) to
        `until`, so no other process or round tries it meanwhile; False when another did."""

    async def sent(self, delivery_id: str, at: datetime, fact: NotificationDelivered) -> None: ...

    async def failed(self, delivery_id: str, reason: str, fact: DeliveryFailed) -> None: ...

    async def postpone(
        self, delivery_id: str, *, attempts: int, next_attempt_at: datetime, error: str
    ) -> None: ...

    async def digests_due(self, now: datetime, limit: int) -> list[str]:
        """The ids of digests whose moment has come with emails still held for them."""

    async def held_for(self, digest_id: str) -> list[Delivery]:
        """The emails held for a digest, oldest first."""

    async def digested(self, digest_id: str, at: datetime) -> None:
        """The held emails of the digest are in its email now."""

    async def log(
        self, member_id: str, *, channel: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Delivery], str | None]:
        """A member's deliveries, newest first: the delivery log."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


class Refused(Exception):
    """Refused for good (the mail server's 5xx for an address, a webhook's 410 Gone): no
    retry will help. Its words are what the delivery log shows."""


class Postponed(Exception):
    """Not delivered this time, worth trying again (a receiver away, an answer but 2xx). Its
    words are what the delivery log shows: said for the member, never an internal error."""


class Mailer(Protocol):
    async def send(self, email: Email) -> None:
        """Raises `Refused` for a refused address, anything else for a failure worth retrying."""


class WebhookPoster(Protocol):
    async def check(self, url: str) -> None:
        """When a webhook is set: Invalid unless its address resolves, to public addresses."""

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """Raises `Refused` when the receiver is gone for good or its address is not a public
        one (checked again at each call), `Postponed` for a failure worth retrying (down,
        timed out, any answer but 2xx)."""


@dataclass
class Stores:
    directory: Directory
    audiences: Audiences
    fanouts: Fanouts
    waiting: Waiting
    inbox: Inbox
    deliveries: Deliveries
    mailer: Mailer
    webhooks: WebhookPoster
    clock: Clock
    # Signs the one-click unsubscribe links; the site's address makes them absolute.
    unsubscribe_secret: str
    site_url: str
    new_id: Callable[[], str] = field(default=new_id)
    fanout_chunk: int = 500
    # Plain http webhooks, for a receiver on this machine: development and tests only.
    allow_http_webhooks: bool = False
