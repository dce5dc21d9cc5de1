"""iCalendar: one event's file, and a member's private feed behind a signed link."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from services.events.domain import calendar
from services.events.stores import Stores
from services.events.usecases.network_events import get_event
from shared.caller import Caller
from shared.errors import Forbidden

FEED_HISTORY = timedelta(days=90)


def calendar_token(secret: str, member_id: str) -> str:
    """The capability in a member's private feed URL (calendar apps send no bearer token)."""
    return hmac.new(secret.encode(), f"calendar:{member_id}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]


async def event_calendar(stores: Stores, *, event_id: str) -> bytes:
    return calendar.calendar([await get_event(stores, event_id)], now=stores.clock.now())


def calendar_link(stores: Stores, *, caller: Caller, member_id: str) -> str:
    if caller.member_id != member_id:
        raise Forbidden("not_yours", "Members see only their own calendar link")
    token = calendar_token(stores.feed_secret, member_id)
    return f"/v1/members/{member_id}/calendar.ics?token={token}"


async def member_calendar(stores: Stores, *, member_id: str, token: str) -> bytes:
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500).
    expected = calendar_token(stores.feed_secret, member_id)
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise Forbidden("bad_feed_token", "This calendar link is not valid")
    now = stores.clock.now()
    events = await stores.events.registered(member_id, since=now - FEED_HISTORY)
    return calendar.calendar(events, now=now, member_id=member_id, name="My KM Network events")
