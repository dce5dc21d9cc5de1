"""What a member receives: an inbox item, and a delivery on another channel (an email, a
webhook call) waiting to be made, which is also its record in the delivery log. Ids say what
they answer, so the same source fact never gives a member two of the same: `source_id|member_id`
for the inbox, plus `|email` or `|webhook` for the other channels. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifications.domain.messages import Category, Channel, Message

MAX_ATTEMPTS = 12  # with backoff up to an hour apart: about half a day of outage
# A try holds its delivery this long (past the SMTP and HTTP timeouts): no other process or
# round tries it meanwhile. Only a crash mid-try lets it be tried again, after the lease.
LEASE = timedelta(minutes=2)


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
class Delivery:
    id: str
    notification_id: str
    member_id: str
    channel: Channel  # email or webhook
    to: str  # the address, or the webhook's URL
    name: str
    message: Message
    created_at: datetime
    # A digest gathers several messages in one email; `message` is then its cover.
    digest: tuple[Message, ...] = ()
    # An email held for a digest names it (status "held", then "digested").
    digest_id: str | None = None
    status: str = "pending"  # pending, sent, failed; held, digested
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None

    @property
    def categories(self) -> tuple[Category, ...]:
        """What the email is about, for its unsubscribe link: a digest's every category."""
        found = [m.category for m in self.digest] or [self.message.category]
        return tuple(dict.fromkeys(found))

    @property
    def source_id(self) -> str:
        return self.notification_id.split("|")[0]


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... at most an hour between tries of a server that is down."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))
