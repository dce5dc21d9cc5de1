"""iCalendar: one event's file, and a member's private feed behind a signed link."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from services.events.domain import calendar
from services.events.domain.organising import may_join
from services.events.stores import Stores
from services.events.usecases.network_events import event_for
from shared.caller import Caller
from shared.errors import Forbidden
from shared.logs import security_event

FEED_HISTORY = timedelta(days=90)


def calendar_token(secret: str, member_id: str, generation: int = 0) -> str:
    """The capability in a member's private feed URL (calendar apps send no bearer token).
    A new generation makes a new link and the old one stops working."""
    signed = f"calendar:{member_id}" + (f":{generation}" if generation else "")
    return hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest()[:32]


async def event_calendar(stores: Stores, *, caller: Caller, event_id: str) -> bytes:
    event = await event_for(stores, caller=caller, event_id=event_id)
    links = {event.id} if may_join(caller, event) else set()
    return calendar.calendar([event], now=stores.clock.now(), with_links=links)


async def calendar_link(
    stores: Stores, *, caller: Caller, member_id: str, renew: bool = False
) -> str:
    """The member's private feed link; `renew` makes a new one and the old stops working (a
    link shared by mistake, or a device lost)."""
    if caller.member_id != member_id:
        raise Forbidden("not_yours", "Members see only their own calendar link")
    if renew:
        generation = await stores.feeds.renew(member_id)
        security_event("calendar_link_renewed", member_id=member_id)
    else:
        generation = await stores.feeds.generation(member_id)
    token = calendar_token(stores.feed_secret, member_id, generation)
    return f"/v1/members/{member_id}/calendar.ics?token={token}"


async def member_calendar(stores: Stores, *, member_id: str, token: str) -> bytes:
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500).
    generation = await stores.feeds.generation(member_id)
    expected = calendar_token(stores.feed_secret, member_id, generation)
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise Forbidden("bad_feed_token", "This calendar link is not valid")
    now = stores.clock.now()
    events = await stores.events.registered(member_id, since=now - FEED_HISTORY)
    member = Caller(member_id, roles=frozenset({"member"}))
    links = {e.id for e in events if may_join(member, e)}
    return calendar.calendar(
        events, now=now, member_id=member_id, name="My KM Network events", with_links=links
    )
