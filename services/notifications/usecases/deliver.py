"""The workers: a batch of per-member jobs rendered and delivered on each member's channels.
Inbox items are written in one bulk insert per batch, each with its `delivered` fact; emails
are recorded, then sent (or kept for the digest). Ids are (source fact, member[, channel]),
so a redelivered job gives nothing twice."""

from __future__ import annotations

from services.notifications.domain.messages import Channel, Message
from services.notifications.domain.notifications import EmailDelivery, InboxItem, notification_id
from services.notifications.facts import NotificationDelivered, NotificationJob
from services.notifications.stores import Stores
from services.notifications.usecases import emails

# Who still hears from the network: members, and applicants about their application.
REACHABLE = {"active", "pending", "declined"}


async def deliver(stores: Stores, jobs: list[NotificationJob]) -> dict[str, int]:
    now = stores.clock.now()
    members = await stores.directory.get_many(sorted({job.member_id for job in jobs}))
    items: list[InboxItem] = []
    delivered: list[NotificationDelivered] = []
    mails: list[EmailDelivery] = []
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
                )
            )
        wants_email = Channel.EMAIL in channels or member.status != "active"
        if wants_email and member.email and member.preferences.email_now(message):
            mails.append(
                EmailDelivery(
                    id=f"{nid}|email",
                    notification_id=nid,
                    member_id=job.member_id,
                    to=member.email,
                    name=member.name,
                    message=message,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    inboxed = await stores.inbox.add_many(items, delivered) if items else 0
    sent = 0
    for mail in mails:
        if await stores.emails.add(mail) and await emails.send(stores, mail) == "sent":
            sent += 1
    return {"inbox": inboxed, "email": sent}
