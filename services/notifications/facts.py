"""What the notifications service publishes: per-member jobs on knet.notification-jobs.v1
(its own work queue, keyed by member id, so a fan-out spreads over the partitions and the
worker processes) and each delivery on knet.notifications.v1 (keyed by member)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict

from shared import topics
from shared.cloudevents import Fact

_MESSAGE: dict[str, Any] = {
    "kind": "event_published",
    "category": "events",
    "subject": "New event: Peer assist clinic",
    "text": "Peer assist clinic on 2027-01-12 14:00 (UTC).",
    "link": "/events/e1",
    "urgent": False,
}


class NotificationJob(Fact):
    """One member's share of a notification: render it and deliver it on their channels."""

    topic: ClassVar[str] = topics.NOTIFICATION_JOBS
    event_type: ClassVar[str] = "uk.nhs.knet.notification.job.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source_id": "01a2...",
                    "source_type": "uk.nhs.knet.event.published.v1",
                    "member_id": "m1",
                    "message": _MESSAGE,
                    "region": "LDN",
                }
            ]
        }
    )
    source_id: str
    source_type: str
    member_id: str
    message: dict[str, Any]
    # The region of the fact the notification is about (None: national, or none).
    region: str | None = None


class NotificationDelivered(Fact):
    """A notification reached a member on one channel (in the inbox, or sent by email)."""

    topic: ClassVar[str] = topics.NOTIFICATIONS
    event_type: ClassVar[str] = "uk.nhs.knet.notification.delivered.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "notification_id": "01a2...|m1",
                    "member_id": "m1",
                    "channel": "in_app",
                    "kind": "event_published",
                    "category": "events",
                    "source_id": "01a2...",
                    "region": "LDN",
                }
            ]
        }
    )
    notification_id: str
    member_id: str
    channel: str
    kind: str
    category: str
    source_id: str
    # The region of the fact the notification is about (None: national, or none).
    region: str | None = None


class DeliveryFailed(Fact):
    """A delivery that will not be made: the mail server refused the address."""

    topic: ClassVar[str] = topics.NOTIFICATIONS
    event_type: ClassVar[str] = "uk.nhs.knet.notification.failed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "notification_id": "01a2...|m1",
                    "member_id": "m1",
                    "channel": "email",
                    "reason": "550 mailbox unavailable",
                    "region": "LDN",
                }
            ]
        }
    )
    notification_id: str
    member_id: str
    channel: str
    reason: str
    # The region of the fact the notification is about (None: national, or none).
    region: str | None = None
