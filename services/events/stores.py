"""What the events use cases need from storage, as protocols: the MongoDB repositories
(repository.py) and the in-memory ones (tests/fakes/events.py) both provide them, and one
contract suite (tests/integration/stores/test_events_stores.py) holds both to the same
behaviour."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.events.domain.listing import Listing
from services.events.domain.network_event import NetworkEvent
from services.events.domain.node_keys import NodeKey, Standing
from shared.clock import Clock, new_id

# A member's calendar feed and the schedulers' rounds read at most this many events each.
FEED_BOUND = 500
ROUND_BOUND = 5000


class Events(Protocol):
    def document(self, event: NetworkEvent) -> dict[str, Any]: ...

    async def add(self, event: NetworkEvent) -> bool:
        """Inserts a new event with its facts; False when one with its id exists (nothing
        written: a regional node's event is keyed by its external id)."""

    async def save(self, event: NetworkEvent) -> None:
        """Stale when the event changed since it was read."""

    async def get(self, event_id: str) -> NetworkEvent | None: ...

    async def upcoming(
        self, listing: Listing, *, cursor: str | None, limit: int
    ) -> tuple[list[NetworkEvent], str | None]:
        """A page in (start, id) order."""

    async def registered(self, member_id: str, *, since: datetime) -> list[NetworkEvent]:
        """A member's events (seat or waitlist) starting from `since`, by start; FEED_BOUND."""

    async def starting_between(self, start: datetime, end: datetime) -> list[NetworkEvent]:
        """Published events starting in [start, end), by start; ROUND_BOUND."""

    async def ended_but_open(self, now: datetime) -> list[NetworkEvent]:
        """Published events that ended before `now`; ROUND_BOUND."""

    async def upcoming_per_region(self, now: datetime) -> dict[str | None, int]: ...

    async def held_since(self, since: datetime) -> list[NetworkEvent]:
        """Completed events that started at or after `since`, by start; ROUND_BOUND."""


class Submissions(Protocol):
    async def record(
        self,
        *,
        submission_id: str,
        node: str,
        external_id: str | None,
        outcome: str,
        facts: list[Any],
    ) -> bool:
        """True the first time this submission is answered (its facts then go out)."""


class Reminders(Protocol):
    async def claim(self, key: str, fact: Any) -> bool:
        """True for the one caller that claims `key` (and publishes `fact`)."""


class NodeKeys(Protocol):
    async def add(self, key: NodeKey) -> None: ...

    async def get(self, key_id: str) -> NodeKey | None: ...

    async def page(
        self, region: str, *, cursor: str | None, limit: int
    ) -> tuple[list[NodeKey], str | None]:
        """A region's keys in id order."""

    async def revoke(self, key_id: str, at: datetime, reason: str) -> None:
        """Sets the revocation time and reason once; revoking again keeps the first."""

    async def issued_by(self, member_id: str) -> list[NodeKey]:
        """The keys `member_id` issued that still work."""


class Feeds(Protocol):
    """Which generation of each member's private calendar link is the live one."""

    async def generation(self, member_id: str) -> int:
        """0 until the member first renews their link."""

    async def renew(self, member_id: str) -> int:
        """The next generation, now the live one."""


class Issuers(Protocol):
    """Where each member stands now (region, roles, still a member, when they last lost
    authority), kept from membership's facts: a node key stops with its issuer's authority."""

    async def record(self, member_id: str, changes: dict[str, Any]) -> None:
        """Sets `region`, `roles`, `active` and `lost_at` (those given); creates the record."""

    async def get(self, member_id: str) -> Standing | None: ...


@dataclass
class Stores:
    events: Events
    submissions: Submissions
    reminders: Reminders
    node_keys: NodeKeys
    issuers: Issuers
    feeds: Feeds
    clock: Clock
    # How old a caller's roles may be (the gateway reads them again after this): a node key
    # issued within it after its issuer lost the role may have been issued on the old roles.
    role_refresh: timedelta = timedelta(seconds=60)
    # Signs members' private calendar-feed links (calendar apps send no bearer token).
    feed_secret: str = ""
    new_id: Callable[[], str] = field(default=new_id)
