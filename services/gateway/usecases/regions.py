"""A region's page: its key players (facilitators, sponsors, core group), its upcoming events
(the page shows without them while events is away) and its conversations."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceUnavailable
from services.gateway.clients.models import events as e
from services.gateway.clients.models import membership as m
from services.gateway.usecases.conversations import Panel, panel
from shared.caller import Caller
from shared.errors import NotFound
from shared.reference import regions

UPCOMING = 5


@dataclass(frozen=True)
class RegionPage:
    region: m.RegionView
    upcoming: list[e.EventView] | None  # None: events is away
    conversations: Panel


async def _upcoming(clients: Clients, caller: Caller, code: str) -> list[e.EventView] | None:
    try:
        return (await clients.events.listed(caller, region=code, limit=UPCOMING)).items
    except ServiceUnavailable:  # events away: the page shows without them
        return None


async def region_page(clients: Clients, caller: Caller, code: str) -> RegionPage:
    if code not in regions():
        raise NotFound("no_such_region", "There is no such region")
    overview, upcoming, talk = await asyncio.gather(
        clients.membership.region(caller, code),
        _upcoming(clients, caller, code),
        panel(clients, caller, "region", code, region=code),
    )
    return RegionPage(overview, upcoming, talk)


async def upcoming_for_visitors(clients: Clients, limit: int) -> list[e.EventView]:
    """What a visitor sees of the network's next events."""
    return (await clients.events.listed(None, limit=limit)).items
