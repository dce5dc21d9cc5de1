"""What the home page shows of the network as a whole: the key players per region, the next
events, the recommendations that resonate most, recent case studies. The same for every
member, so it is read once per `ttl` and shared (ten region reads per page otherwise), and
only ever shown to members."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.gateway.clients import Clients
from services.gateway.clients.models import events as e
from services.gateway.clients.models import membership as m
from services.gateway.clients.models import recommendations as r
from shared.caller import Caller
from shared.clock import Clock
from shared.reference import regions

UPCOMING = 5
RECENT_STUDIES = 3


@dataclass(frozen=True)
class Overview:
    key_players: list[m.RegionView]  # in the report's order
    upcoming: list[e.EventView]
    rankings: r.RankingsView
    recent_case_studies: list[r.CaseStudyView]
    read_at: datetime


class NetworkOverview:
    def __init__(self, clients: Clients, clock: Clock, ttl: timedelta) -> None:
        self.clients, self.clock, self.ttl = clients, clock, ttl
        self.latest: Overview | None = None
        self.lock = asyncio.Lock()

    async def get(self, caller: Caller) -> Overview:
        if self._fresh():
            assert self.latest is not None
            return self.latest
        async with self.lock:  # one reader refreshes; the others wait for its result
            if not self._fresh():
                self.latest = await self._read(caller)
            assert self.latest is not None
            return self.latest

    def _fresh(self) -> bool:
        return self.latest is not None and self.clock.now() - self.latest.read_at < self.ttl

    async def _read(self, caller: Caller) -> Overview:
        clients = self.clients
        players, events, rankings, studies = await asyncio.gather(
            asyncio.gather(*(clients.membership.region(caller, code) for code in regions())),
            clients.events.listed(caller, limit=UPCOMING),
            clients.recommendations.rankings(caller),
            clients.recommendations.case_studies(caller, limit=RECENT_STUDIES),
        )
        return Overview(
            key_players=list(players),
            upcoming=events.items,
            rankings=rankings,
            recent_case_studies=studies.items,
            read_at=self.clock.now(),
        )
