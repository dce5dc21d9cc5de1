"""Names to show for member ids, as pages list them (authors, registrants)."""

from __future__ import annotations

import asyncio

from services.gateway.clients import Clients
from shared.caller import Caller

MAX_NAMES = 100  # membership's bound on one call
FORMER_MEMBER = "A former member"


async def member_names(clients: Clients, caller: Caller, member_ids: list[str]) -> dict[str, str]:
    """A hundred to a call (a thread's page is one); a member whose record was erased shows
    as a former member."""
    wanted = list(dict.fromkeys(member_ids))
    batches = [wanted[i : i + MAX_NAMES] for i in range(0, len(wanted), MAX_NAMES)]
    found: dict[str, str] = {}
    for names in await asyncio.gather(
        *(clients.membership.names(caller, batch) for batch in batches)
    ):
        found.update(names)
    return {m: found.get(m, FORMER_MEMBER) for m in wanted}
