"""What a member receives: an inbox item, and an email waiting to be sent (its delivery
record). Ids say what they answer, so the same source fact never gives a member two of the
same: `source_id|member_id` for the inbox, plus `|email` for the email. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifications.domain.messages import Message

MAX_EMAIL_ATTEMPTS = 12  # with backoff up to an hour apart: about half a day of outage


def notification_id(source_id: str, member_id: str) -> str:
    return f"{source_id}|{member_id}"


@dataclass(frozen=True)
class InboxItem:
    id: str
    member_id: str
    source_id: str
    message: Message
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True)
class EmailDelivery:
    id: str
    notification_id: str
    member_id: str
    to: str
    name: str
    message: Message
    created_at: datetime
    status: str = "pending"  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... at most an hour between tries of a mail server that is down."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))
