"""In-memory stores with the same protocols and behaviour as repository.py, for use-case
tests in milliseconds; tests/integration/stores/test_events_stores.py runs one suite against
both. Events are kept as documents, as the real store keeps them."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.events.domain.listing import Listing
from services.events.domain.network_event import NetworkEvent, Status
from services.events.domain.node_keys import NodeKey, Standing
from services.events.repository import from_document, standing_of, to_document
from services.events.stores import FEED_BOUND, ROUND_BOUND
from shared.errors import Stale
from shared.pagination import page_in_memory


class InMemoryEvents:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.published: list[Any] = []  # the facts the outbox would publish, in order

    def document(self, event: NetworkEvent) -> dict[str, Any]:
        return to_document(event)

    async def add(self, event: NetworkEvent) -> bool:
        if event.id in self.documents:
            return False
        self.documents[event.id] = copy.deepcopy(to_document(event))
        self.published += event.facts
        event.facts.clear()
        return True

    async def save(self, event: NetworkEvent) -> None:
        stored = self.documents.get(event.id)
        if stored is None or stored["version"] != event.version:
            raise Stale(f"network_events {event.id} changed since version {event.version}")
        event.version += 1
        self.documents[event.id] = copy.deepcopy(to_document(event))
        self.published += event.facts
        event.facts.clear()

    def _all(self) -> list[NetworkEvent]:
        return [from_document(copy.deepcopy(d)) for d in self.documents.values()]

    async def get(self, event_id: str) -> NetworkEvent | None:
        found = self.documents.get(event_id)
        return from_document(copy.deepcopy(found)) if found else None

    async def upcoming(
        self, listing: Listing, *, cursor: str | None, limit: int
    ) -> tuple[list[NetworkEvent], str | None]:
        found = [e for e in self._all() if listing.matches(e)]
        return page_in_memory(
            found, key=lambda e: [e.starts_at, e.id], fields=2, cursor=cursor, limit=limit
        )

    async def registered(self, member_id: str, *, since: datetime) -> list[NetworkEvent]:
        found = [
            e
            for e in self._all()
            if e.starts_at >= since and any(r.member_id == member_id for r in e.registrations)
        ]
        return sorted(found, key=lambda e: e.starts_at)[:FEED_BOUND]

    async def starting_between(self, start: datetime, end: datetime) -> list[NetworkEvent]:
        found = [
            e for e in self._all() if e.status is Status.PUBLISHED and start <= e.starts_at < end
        ]
        return sorted(found, key=lambda e: e.starts_at)[:ROUND_BOUND]

    async def held_since(self, since: datetime) -> list[NetworkEvent]:
        found = [e for e in self._all() if e.status is Status.COMPLETED and e.starts_at >= since]
        return sorted(found, key=lambda e: e.starts_at)[:ROUND_BOUND]

    async def ended_but_open(self, now: datetime) -> list[NetworkEvent]:
        found = [e for e in self._all() if e.status is Status.PUBLISHED and e.details.ends_at < now]
        return found[:ROUND_BOUND]

    async def upcoming_per_region(self, now: datetime) -> dict[str | None, int]:
        return dict(
            Counter(
                e.region for e in self._all() if e.status is Status.PUBLISHED and e.starts_at >= now
            )
        )


class InMemorySubmissions:
    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.published: list[Any] = []

    async def record(
        self,
        *,
        submission_id: str,
        node: str,
        external_id: str | None,
        outcome: str,
        facts: list[Any],
    ) -> bool:
        if submission_id in self.outcomes:
            return False
        self.outcomes[submission_id] = outcome
        self.published += facts
        return True


class InMemoryReminders:
    def __init__(self) -> None:
        self.claimed: set[str] = set()
        self.published: list[Any] = []

    async def claim(self, key: str, fact: Any) -> bool:
        if key in self.claimed:
            return False
        self.claimed.add(key)
        self.published.append(fact)
        return True


class InMemoryNodeKeys:
    def __init__(self) -> None:
        self.keys: dict[str, NodeKey] = {}

    async def add(self, key: NodeKey) -> None:
        self.keys[key.id] = key

    async def get(self, key_id: str) -> NodeKey | None:
        return self.keys.get(key_id)

    async def page(
        self, region: str, *, cursor: str | None, limit: int
    ) -> tuple[list[NodeKey], str | None]:
        found = [k for k in self.keys.values() if k.region == region]
        return page_in_memory(found, key=lambda k: [k.id], fields=1, cursor=cursor, limit=limit)

    async def revoke(self, key_id: str, at: datetime, reason: str) -> None:
        key = self.keys.get(key_id)
        if key is not None and key.revoked_at is None:
            self.keys[key_id] = replace(key, revoked_at=at, revoked_reason=reason)

    async def issued_by(self, member_id: str) -> list[NodeKey]:
        return [k for k in self.keys.values() if k.created_by == member_id and k.active]


class InMemoryFeeds:
    def __init__(self) -> None:
        self.generations: dict[str, int] = {}

    async def generation(self, member_id: str) -> int:
        return self.generations.get(member_id, 0)

    async def renew(self, member_id: str) -> int:
        self.generations[member_id] = self.generations.get(member_id, 0) + 1
        return self.generations[member_id]


class InMemoryIssuers:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    async def record(self, member_id: str, changes: dict[str, Any]) -> None:
        self.documents.setdefault(member_id, {"_id": member_id}).update(changes)

    async def get(self, member_id: str) -> Standing | None:
        document = self.documents.get(member_id)
        return standing_of(dict(document)) if document else None
