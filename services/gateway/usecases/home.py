"""The home page: for a visitor, the network's next events; for a member, the network at a
glance (the shared overview), their unread count and the open questions of their region."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.models import conversations as c
from services.gateway.clients.models import events as e
from services.gateway.usecases import notices
from services.gateway.usecases.conversations import open_questions
from services.gateway.usecases.network import NetworkOverview, Overview
from shared.caller import Caller

VISITOR_EVENTS = 3


async def for_visitor(clients: Clients) -> list[e.EventView]:
    return (await clients.events.listed(None, limit=VISITOR_EVENTS)).items


@dataclass(frozen=True)
class MemberHome:
    overview: Overview
    unread: int | None
    questions: list[c.ThreadView]


async def for_member(clients: Clients, overview: NetworkOverview, caller: Caller) -> MemberHome:
    found, unread, questions = await asyncio.gather(
        overview.get(caller),
        notices.unread_count(clients, caller),
        open_questions(clients, caller, caller.region),
    )
    return MemberHome(found, unread, questions)
