"""The digest round. A non-urgent email for a member in digest mode is held (recorded with the
digest it belongs to, due at the member's next digest moment); when that moment has come, the
round gathers the digest's held emails into one email and sends it like any other. The digest
email's id is the digest's, and the held emails are marked after it is recorded: a round cut
short by a crash is finished by the next, and no email goes in two digests or none."""

from __future__ import annotations

from services.notifications.domain.digests import Digest, cover
from services.notifications.domain.messages import Channel
from services.notifications.domain.notifications import LEASE, Delivery
from services.notifications.stores import Stores
from services.notifications.usecases import sending
from services.notifications.usecases.deliver import REACHABLE


async def send_due(stores: Stores, limit: int = 500) -> int:
    """Sends the digests whose moment has come; how many were sent now (a mail server that
    is away leaves them to the retry loop)."""
    now = stores.clock.now()
    sent = 0
    for digest_id in await stores.deliveries.digests_due(now, limit):
        held = await stores.deliveries.held_for(digest_id)
        if not held:
            continue
        first = held[0]
        member = await stores.directory.get(first.member_id)
        # What they still want by email now: an unsubscribe since an item was held counts.
        wanted = tuple(
            h.message
            for h in held
            if member is not None
            and member.status in REACHABLE
            and Channel.EMAIL in member.preferences.channels_for(h.message)
        )
        if member is None or not wanted:
            await stores.deliveries.digested(digest_id, now)
            continue
        digest = Digest(
            id=digest_id,
            member_id=first.member_id,
            due_at=first.next_attempt_at or now,
            items=wanted,
        )
        email = Delivery(
            id=f"{digest_id}|email",
            notification_id=digest_id,
            member_id=first.member_id,
            channel=Channel.EMAIL,
            # Their address now: it may have changed since the first item was held.
            to=member.email or first.to,
            name=member.name,
            message=cover(digest, member.preferences.digest),
            created_at=now,
            digest=digest.items,
            next_attempt_at=now + LEASE,
        )
        recorded = await stores.deliveries.add(email)
        await stores.deliveries.digested(digest_id, now)
        if recorded and await sending.send(stores, email) == "sent":
            sent += 1
    return sent
