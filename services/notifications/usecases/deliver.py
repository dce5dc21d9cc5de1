"""The workers: a batch of per-member jobs rendered and delivered on each member's channels.
Inbox items are written in one bulk insert per batch, each with its `delivered` fact; emails
and webhook calls are recorded, then made (non-urgent email in digest mode is recorded as held
for the member's next digest instead). Ids are (source fact, member[, channel]), so a
redelivered job gives nothing twice."""

from __future__ import annotations

from services.notifications.domain import webhooks
from services.notifications.domain.digests import digest_id, next_digest_at
from services.notifications.domain.messages import Channel, Message
from services.notifications.domain.notifications import (
    LEASE,
    Delivery,
    InboxItem,
    notification_id,
)
from services.notifications.facts import NotificationDelivered, NotificationJob
from services.notifications.stores import MemberRecord, Stores
from services.notifications.usecases import sending

# Who still hears from the network: members, and applicants about their application.
REACHABLE = {"active", "pending", "declined"}


def _other_channels(
    member: MemberRecord, nid: str, message: Message, channels: frozenset[Channel], stores: Stores
) -> list[Delivery]:
    now = stores.clock.now()
    preferences = member.preferences
    found = []
    # Applicants cannot sign in to an inbox: they hear about their application by email.
    wants_email = Channel.EMAIL in channels or member.status != "active"
    if wants_email and member.email:
        held = not preferences.email_now(message)
        # Sent right after it is recorded, under a lease the retry loop respects.
        due = next_digest_at(preferences, now) if held else now + LEASE
        found.append(
            Delivery(
                id=f"{nid}|email",
                notification_id=nid,
                member_id=member.member_id,
                channel=Channel.EMAIL,
                to=member.email,
                name=member.name,
                message=message,
                created_at=now,
                digest_id=digest_id(member.member_id, due) if held else None,
                status="held" if held else "pending",
                next_attempt_at=due,
            )
        )
    keeper = webhooks.may_keep(member.roles, member.status)
    if Channel.WEBHOOK in channels and preferences.webhook_url and keeper:
        found.append(
            Delivery(
                id=f"{nid}|webhook",
                notification_id=nid,
                member_id=member.member_id,
                channel=Channel.WEBHOOK,
                to=preferences.webhook_url,
                name=member.name,
                message=message,
                created_at=now,
                next_attempt_at=now + LEASE,
            )
        )
    return found


async def _keep_for_later(stores: Stores, jobs: list[NotificationJob]) -> None:
    """Jobs for members whose approval has not reached the read model (facts on different
    topics may overtake each other): kept, and delivered when the member is known (`release`).
    Read again after keeping, in case the member arrived in between."""
    await stores.waiting.add(jobs)
    arrived = await stores.directory.get_many(sorted({job.member_id for job in jobs}))
    if ready := [job for job in jobs if job.member_id in arrived]:
        await deliver(stores, ready)
        await stores.waiting.remove(ready)


async def release(stores: Stores, member_id: str) -> None:
    """The member is known now: what was kept for them is delivered (once: ids dedupe)."""
    if kept := await stores.waiting.of(member_id):
        await deliver(stores, kept)
        await stores.waiting.remove(kept)


async def deliver(stores: Stores, jobs: list[NotificationJob]) -> dict[str, int]:
    now = stores.clock.now()
    members = await stores.directory.get_many(sorted({job.member_id for job in jobs}))
    if strangers := [job for job in jobs if job.member_id not in members]:
        await _keep_for_later(stores, strangers)
    items: list[InboxItem] = []
    delivered: list[NotificationDelivered] = []
    others: list[Delivery] = []
    for job in jobs:
        member = members.get(job.member_id)
        if member is None or member.status not in REACHABLE:
            continue
        message = Message.of(job.message)
        channels = member.preferences.channels_for(message)
        nid = notification_id(job.source_id, job.member_id)
        if Channel.IN_APP in channels and member.status == "active":
            items.append(InboxItem(nid, job.member_id, job.source_id, message, now))
            delivered.append(
                NotificationDelivered(
                    notification_id=nid,
                    member_id=job.member_id,
                    channel=Channel.IN_APP.value,
                    kind=message.kind,
                    category=message.category.value,
                    source_id=job.source_id,
                    region=message.region,
                )
            )
        others.extend(_other_channels(member, nid, message, channels, stores))
    counts = {"inbox": await stores.inbox.add_many(items, delivered) if items else 0}
    counts.update({"email": 0, "webhook": 0, "held": 0})
    for delivery in others:
        if not await stores.deliveries.add(delivery):
            continue  # recorded before: a redelivered job
        if delivery.status == "held":
            counts["held"] += 1
        elif await sending.send(stores, delivery) == "sent":
            counts[delivery.channel.value] += 1
    return counts
