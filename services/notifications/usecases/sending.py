"""Deliveries by email and webhook, tried and retried. A delivery is recorded (or claimed
from the retry loop's due list) with a lease before it is tried, and marked after with its
`delivered` or `failed` fact, so it is the delivery log as well as the retry loop's work.
Refused for good (an address's 5xx, a webhook's 410) marks the member's channel failing and
stops; anything else (a server down, a timeout, a 500) is tried again later with backoff, so
nothing is lost while the other side is away."""

from __future__ import annotations

from dataclasses import replace

from services.notifications.domain import webhooks
from services.notifications.domain.messages import Channel
from services.notifications.domain.notifications import LEASE, MAX_ATTEMPTS, Delivery, backoff
from services.notifications.facts import DeliveryFailed, NotificationDelivered
from services.notifications.stores import Postponed, Refused, Stores
from services.notifications.usecases import emails
from shared.logs import log


async def _call_webhook(stores: Stores, delivery: Delivery) -> None:
    member = await stores.directory.get(delivery.member_id)
    preferences = member.preferences if member else None
    if member is None or preferences is None or preferences.webhook_url != delivery.to:
        raise Refused("the webhook was removed or changed before this call")
    if not webhooks.may_keep(member.roles, member.status):
        raise Refused("the webhook's owner no longer holds a facilitator's or operator's role")
    body = webhooks.body(
        delivery_id=delivery.id,
        member_id=delivery.member_id,
        message=delivery.message,
        site_url=stores.site_url,
        at=delivery.created_at,
    )
    headers = {
        "Content-Type": "application/json",
        # Signed when sent, not when recorded: a retry carries a fresh timestamp.
        **webhooks.signed_headers(
            preferences.webhook_secret or "", delivery.id, stores.clock.now(), body
        ),
    }
    await stores.webhooks.post(delivery.to, body, headers)


async def _mark_failing(stores: Stores, delivery: Delivery) -> None:
    member = await stores.directory.get(delivery.member_id)
    if member is None:
        return
    preferences = member.preferences
    if delivery.channel == Channel.EMAIL and not preferences.email_failing:
        await stores.directory.set_preferences(
            delivery.member_id, replace(preferences, email_failing=True)
        )
    elif delivery.channel == Channel.WEBHOOK and preferences.webhook_url == delivery.to:
        await stores.directory.set_preferences(
            delivery.member_id, replace(preferences, webhook_failing=True)
        )


async def _failed(stores: Stores, delivery: Delivery, reason: str) -> None:
    fact = DeliveryFailed(
        notification_id=delivery.notification_id,
        member_id=delivery.member_id,
        channel=delivery.channel.value,
        reason=reason[:500],
        region=delivery.message.region,
    )
    await stores.deliveries.failed(delivery.id, reason, fact)


async def send(stores: Stores, delivery: Delivery) -> str:
    """Tries one delivery the caller holds (recorded with a lease, or claimed): "sent",
    "failed" (refused for good, or too many tries) or "postponed"."""
    now = stores.clock.now()
    try:
        if delivery.channel == Channel.WEBHOOK:
            await _call_webhook(stores, delivery)
        else:
            await stores.mailer.send(emails.render(stores, delivery))
    except Refused as refused:
        await _failed(stores, delivery, str(refused))
        await _mark_failing(stores, delivery)
        return "failed"
    except Exception as error:  # down, timed out, or answered badly: try again later
        attempts = delivery.attempts + 1
        # The delivery log is read by the member: it says what happened in words, never
        # an internal error's text (that goes to the operators' log).
        said = str(error) if isinstance(error, Postponed) else "could not deliver"
        if not isinstance(error, Postponed):
            log.warning("delivery failed", delivery=delivery.id, error=repr(error))
        if attempts >= MAX_ATTEMPTS:
            await _failed(stores, delivery, f"gave up after {attempts} attempts: {said}")
            return "failed"
        await stores.deliveries.postpone(
            delivery.id,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            error=said,
        )
        return "postponed"
    fact = NotificationDelivered(
        notification_id=delivery.notification_id,
        member_id=delivery.member_id,
        channel=delivery.channel.value,
        kind=delivery.message.kind,
        category=delivery.message.category.value,
        source_id=delivery.source_id,
        region=delivery.message.region,
    )
    await stores.deliveries.sent(delivery.id, now, fact)
    return "sent"


async def send_due(stores: Stores, limit: int = 200) -> int:
    """A round of the retry loop: every pending delivery whose time has come, each claimed
    first (another worker process runs the same loop)."""
    now = stores.clock.now()
    sent = 0
    for delivery in await stores.deliveries.due(now, limit):
        seen = delivery.next_attempt_at or now
        if not await stores.deliveries.claim(delivery.id, seen, now + LEASE):
            continue
        if await send(stores, delivery) == "sent":
            sent += 1
    return sent
