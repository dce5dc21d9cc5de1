"""What the home page shows of the network as a whole: the key players per region, the next
events, the recommendations that resonate most, recent case studies. The same for every
member, so it is read once per `ttl` and shared (ten region reads per page otherwise), and
only ever shown to members."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.gateway.clients.http import Services
from shared.caller import Caller
from shared.clock import Clock
from shared.reference import regions


@dataclass(frozen=True)
class Overview:
    key_players: list[dict[str, Any]]  # a RegionView per region, in the report's order
    upcoming: list[dict[str, Any]]
    rankings: dict[str, Any]
    recent_case_studies: list[dict[str, Any]]
    read_at: datetime


class NetworkOverview:
    def __init__(self, services: Services, clock: Clock, ttl: timedelta) -> None:
        self.services, self.clock, self.ttl = services, clock, ttl
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
        get = self.services.get
        region_views = [
            get("membership", f"/v1/regions/{code}", caller=caller) for code in regions()
        ]
        results = await asyncio.gather(
            asyncio.gather(*region_views),
            get("events", "/v1/events", caller=caller, limit=5),
            get("recommendations", "/v1/rankings", caller=caller),
            get("recommendations", "/v1/case-studies", caller=caller, limit=3),
        )
        players, events, rankings, studies = results
        return Overview(
            key_players=list(players),
            upcoming=events["items"],
            rankings=rankings,
            recent_case_studies=studies["items"],
            read_at=self.clock.now(),
        )
