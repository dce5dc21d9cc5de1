"""The network's health for its sponsors, facilitators and operators: members month by month
and by region, events held and attended, plans by RAG rating."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.models import events as e
from services.gateway.clients.models import membership as m
from services.gateway.clients.models import recommendations as r
from shared.caller import Caller

MONTHS = 12
RAGS = ("green", "amber", "red")


@dataclass(frozen=True)
class Health:
    members: m.NetworkStatistics
    events: list[e.MonthOfEventsView]
    rag: dict[str, int]
    by_region_now: dict[str, int]


def plans_by_rag(adoption: list[r.AdoptionRow]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for row in adoption:
        totals.update(row.national.by_rag)
    return {rag: totals.get(rag, 0) for rag in RAGS}


async def network_health(clients: Clients, caller: Caller) -> Health:
    members, events, adoption = await asyncio.gather(
        clients.membership.statistics(caller, months=MONTHS),
        clients.events.statistics(caller, months=MONTHS),
        clients.recommendations.adoption(caller),
    )
    latest = members.members[-1].by_region if members.members else {}
    return Health(members, events, plans_by_rag(adoption), latest)
