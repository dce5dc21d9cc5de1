"""Emails about a member's account that cannot wait or be retried later: a password reset
link. Sent at once and recorded in the delivery log without the link (the token in it is a
credential: it is kept nowhere, here neither). If the mail server is away, the member is told
to ask again rather than the link being kept for a retry: the answer says whether it went
(the gateway tells a visitor nothing either way, so that nobody learns who has an account)."""

from __future__ import annotations

from datetime import datetime

from services.notifications.domain.digests import UK
from services.notifications.domain.messages import Category, Channel, Message
from services.notifications.domain.notifications import Delivery
from services.notifications.facts import DeliveryFailed, NotificationDelivered
from services.notifications.stores import Postponed, Refused, Stores
from services.notifications.usecases import emails


async def send_reset_link(
    stores: Stores, *, member_id: str, email: str, name: str, link: str, expires_at: datetime
) -> bool:
    now = stores.clock.now()
    member = await stores.directory.get(member_id)
    said = Message(
        "password_reset",
        Category.MEMBERSHIP,
        "Reset your KM Network password",
        "Someone asked to reset the password of your KM Network account. If it was you, "
        f"follow this link before {expires_at.astimezone(UK):%H:%M} (UK time) to choose a new "
        "one; it works once. If it was not you, you need do nothing: your password stays.",
        link,
        urgent=True,
        account=True,
        region=member.region if member else None,
    )
    delivery = Delivery(
        id=f"reset|{member_id}|{stores.new_id()}",
        notification_id=f"reset-{stores.new_id()}|{member_id}",
        member_id=member_id,
        channel=Channel.EMAIL,
        to=email,
        name=name,
        message=said,
        created_at=now,
    )
    # Recorded without the link: the log shows that a link was sent, not the link.
    logged = Delivery(**{**delivery.__dict__, "message": _without_link(said)})
    await stores.deliveries.add(logged)
    try:
        await stores.mailer.send(emails.render(stores, delivery))
    except (Postponed, Refused) as failed:
        await stores.deliveries.failed(logged.id, str(failed), _failure(logged, str(failed)))
        return False
    await stores.deliveries.sent(logged.id, now, _delivered(logged))
    return True


def _without_link(message: Message) -> Message:
    return Message(
        message.kind,
        message.category,
        message.subject,
        "A link to reset your password, good once for 30 minutes.",
        "/password/forgotten",
        urgent=True,
        account=True,
        region=message.region,
    )


def _delivered(delivery: Delivery) -> NotificationDelivered:
    return NotificationDelivered(
        notification_id=delivery.notification_id,
        member_id=delivery.member_id,
        channel=Channel.EMAIL.value,
        kind=delivery.message.kind,
        category=delivery.message.category.value,
        source_id=delivery.source_id,
        region=delivery.message.region,
    )


def _failure(delivery: Delivery, reason: str) -> DeliveryFailed:
    return DeliveryFailed(
        notification_id=delivery.notification_id,
        member_id=delivery.member_id,
        channel=Channel.EMAIL.value,
        reason=reason[:500],
        region=delivery.message.region,
    )
