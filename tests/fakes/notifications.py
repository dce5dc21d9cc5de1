"""In-memory stores with the same protocols and behaviour as repository.py, and a mailer that
keeps what it was asked to send (for use-case tests)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from services.notifications.domain.notifications import Delivery, InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.facts import DeliveryFailed, NotificationDelivered, NotificationJob
from services.notifications.repository import opted_in
from services.notifications.stores import Email, MemberRecord, Postponed, Refused
from shared.cloudevents import Fact
from shared.errors import Invalid
from shared.pagination import page_in_memory


class InMemoryDirectory:
    def __init__(self) -> None:
        self.members: dict[str, dict[str, Any]] = {}

    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> None:
        found = self.members.get(member_id)
        if found is not None and found["as_of"] >= as_of:
            return
        if found is None:
            found = {"preferences": Preferences()}
            self.members[member_id] = found
        found.update(changes, as_of=as_of)

    def _record(self, member_id: str, d: dict[str, Any]) -> MemberRecord:
        return MemberRecord(
            member_id=member_id,
            name=d.get("name", ""),
            email=d.get("email"),
            region=d.get("region"),
            roles=frozenset(d.get("roles", ())),
            interests=frozenset(d.get("interests", ())),
            status=d.get("status", "pending"),
            preferences=d["preferences"],
        )

    async def get(self, member_id: str) -> MemberRecord | None:
        found = self.members.get(member_id)
        return self._record(member_id, found) if found else None

    async def get_many(self, member_ids: list[str]) -> dict[str, MemberRecord]:
        return {m: self._record(m, self.members[m]) for m in member_ids if m in self.members}

    async def set_preferences(self, member_id: str, preferences: Preferences) -> bool:
        if member_id not in self.members:
            return False
        self.members[member_id]["preferences"] = preferences
        return True

    async def with_role(self, region: str, role: str) -> list[str]:
        return [
            m
            for m, d in self.members.items()
            if d.get("region") == region
            and role in d.get("roles", ())
            and d.get("status") == "active"
        ]

    async def interested(
        self, *, region: str | None, tags: list[str], everyone: bool, category: str
    ) -> list[str]:
        if not everyone and not tags:
            return []
        found = []
        for m, d in self.members.items():
            if d.get("status") != "active" or (region and d.get("region") != region):
                continue
            if (everyone and category in opted_in(d["preferences"])) or (
                not everyone and set(tags) & set(d.get("interests", ()))
            ):
                found.append(m)
        return found


class InMemoryAudiences:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str, str], tuple[bool, datetime]] = {}

    async def set(
        self, kind: str, target: str, member_id: str, *, active: bool, as_of: datetime
    ) -> None:
        key = (kind, target, member_id)
        if key in self.links and self.links[key][1] >= as_of:
            return
        self.links[key] = (active, as_of)

    async def members(self, kind: str, target: str) -> list[str]:
        return [m for (k, t, m), (on, _) in self.links.items() if (k, t) == (kind, target) and on]


class InMemoryFanouts:
    def __init__(self) -> None:
        self.chunks: dict[str, list[NotificationJob]] = {}
        self.published: list[Fact] = []

    async def add(self, key: str, jobs: list[NotificationJob]) -> bool:
        if key in self.chunks:
            return False
        self.chunks[key] = jobs
        self.published.extend(jobs)
        return True


class InMemoryWaiting:
    def __init__(self) -> None:
        self.jobs: dict[str, NotificationJob] = {}

    async def add(self, jobs: list[NotificationJob]) -> None:
        for job in jobs:
            self.jobs.setdefault(f"{job.source_id}|{job.member_id}", job)

    async def of(self, member_id: str) -> list[NotificationJob]:
        return [j for j in self.jobs.values() if j.member_id == member_id]

    async def remove(self, jobs: list[NotificationJob]) -> None:
        for job in jobs:
            self.jobs.pop(f"{job.source_id}|{job.member_id}", None)


class InMemoryInbox:
    def __init__(self) -> None:
        self.items: dict[str, InboxItem] = {}
        self.published: list[Fact] = []

    async def add_many(self, items: list[InboxItem], delivered: list[NotificationDelivered]) -> int:
        facts = {f.notification_id: f for f in delivered}
        added = 0
        for item in items:
            if item.id in self.items:
                continue
            self.items[item.id] = item
            self.published.append(facts[item.id])
            added += 1
        return added

    async def page(
        self, member_id: str, *, cursor: str | None, limit: int, unread_only: bool = False
    ) -> tuple[list[InboxItem], str | None]:
        found = [
            i
            for i in self.items.values()
            if i.member_id == member_id and (not unread_only or i.read_at is None)
        ]
        return page_in_memory(
            found,
            key=lambda i: [i.created_at, i.id],
            fields=2,
            cursor=cursor,
            limit=limit,
            descending=True,
        )

    async def unread(self, member_id: str) -> int:
        return sum(i.member_id == member_id and i.read_at is None for i in self.items.values())

    async def mark_read(self, member_id: str, item_id: str, at: datetime) -> bool:
        item = self.items.get(item_id)
        if item is None or item.member_id != member_id:
            return False
        if item.read_at is None:
            self.items[item_id] = replace(item, read_at=at)
        return True

    async def mark_all_read(self, member_id: str, at: datetime) -> int:
        unread = [i for i in self.items.values() if i.member_id == member_id and not i.read_at]
        for item in unread:
            self.items[item.id] = replace(item, read_at=at)
        return len(unread)


class InMemoryDeliveries:
    def __init__(self) -> None:
        self.deliveries: dict[str, Delivery] = {}
        self.published: list[Fact] = []

    async def add(self, delivery: Delivery) -> bool:
        if delivery.id in self.deliveries:
            return False
        self.deliveries[delivery.id] = delivery
        return True

    def _due(self, status: str, now: datetime) -> list[Delivery]:
        found = [
            d
            for d in self.deliveries.values()
            if d.status == status and d.next_attempt_at is not None and d.next_attempt_at <= now
        ]
        return sorted(found, key=lambda d: d.next_attempt_at or now)

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        return self._due("pending", now)[:limit]

    async def claim(self, delivery_id: str, seen: datetime, until: datetime) -> bool:
        found = self.deliveries[delivery_id]
        if found.status != "pending" or found.next_attempt_at != seen:
            return False
        self.deliveries[delivery_id] = replace(found, next_attempt_at=until)
        return True

    async def sent(self, delivery_id: str, at: datetime, fact: NotificationDelivered) -> None:
        self._finish(delivery_id, "sent", None, fact, at)

    async def failed(self, delivery_id: str, reason: str, fact: DeliveryFailed) -> None:
        self._finish(delivery_id, "failed", reason[:500], fact, None)

    def _finish(
        self, delivery_id: str, status: str, error: str | None, fact: Fact, at: datetime | None
    ) -> None:
        found = self.deliveries[delivery_id]
        if found.status != "pending":
            return
        self.deliveries[delivery_id] = replace(
            found,
            status=status,
            next_attempt_at=None,
            last_error=error or found.last_error,
            sent_at=at,
        )
        self.published.append(fact)

    async def postpone(
        self, delivery_id: str, *, attempts: int, next_attempt_at: datetime, error: str
    ) -> None:
        found = self.deliveries[delivery_id]
        if found.status == "pending":
            self.deliveries[delivery_id] = replace(
                found, attempts=attempts, next_attempt_at=next_attempt_at, last_error=error[:500]
            )

    async def digests_due(self, now: datetime, limit: int) -> list[str]:
        return list(dict.fromkeys(d.digest_id or "" for d in self._due("held", now)[:limit]))

    async def held_for(self, digest_id: str) -> list[Delivery]:
        found = [
            d for d in self.deliveries.values() if d.digest_id == digest_id and d.status == "held"
        ]
        return sorted(found, key=lambda d: (d.created_at, d.id))

    async def digested(self, digest_id: str, at: datetime) -> None:
        for held in await self.held_for(digest_id):
            self.deliveries[held.id] = replace(
                held, status="digested", sent_at=at, next_attempt_at=None
            )

    async def log(
        self, member_id: str, *, channel: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Delivery], str | None]:
        found = [
            d
            for d in self.deliveries.values()
            if d.member_id == member_id and (channel is None or d.channel == channel)
        ]
        return page_in_memory(
            found,
            key=lambda d: [d.created_at, d.id],
            fields=2,
            cursor=cursor,
            limit=limit,
            descending=True,
        )


class InMemoryMailer:
    """Keeps what it sends; `down` makes it fail like a server that is away, `refusing` like
    one that refuses those addresses."""

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.down = False
        self.refusing: set[str] = set()

    async def send(self, email: Email) -> None:
        await asyncio.sleep(0)  # like any I/O: lets a concurrent round run meanwhile
        if self.down:
            raise ConnectionError("the mail server is not answering")
        if email.to in self.refusing:
            raise Refused(f"550 {email.to}: mailbox unavailable")
        self.sent.append(email)


class InMemoryWebhooks:
    """Keeps the calls it was asked to make; `down` fails like a receiver that is away,
    `gone` answers 410 for those addresses."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes, dict[str, str]]] = []
        self.down = False
        self.gone: set[str] = set()
        # Names that resolve to a private address (as a rebinding name may, after it was set).
        self.private: set[str] = set()

    async def check(self, url: str) -> None:
        await asyncio.sleep(0)
        if urlsplit(url).hostname in self.private:
            raise Invalid("webhook_address_not_public", "the webhook's address is a private one")

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        await asyncio.sleep(0)
        if urlsplit(url).hostname in self.private:
            raise Refused("not sent: the webhook's address is a private one")
        if self.down:
            raise Postponed("could not connect")
        if url in self.gone:
            raise Refused("the receiver said it is gone for good (HTTP 410)")
        self.calls.append((url, body, headers))
