"""The catalogue: the report's recommendations, seeded at start; operators add and retire."""

from __future__ import annotations

from services.recommendations.domain import catalogue
from services.recommendations.domain.catalogue import Recommendation
from services.recommendations.domain.permissions import require_operator
from services.recommendations.stores import Stores
from shared.caller import Caller
from shared.errors import NotFound


async def seed_catalogue(stores: Stores) -> int:
    return await stores.catalogue.seed(catalogue.seed())


async def recommendation(stores: Stores, code: str) -> Recommendation:
    found = await stores.catalogue.get(code)
    if found is None:
        raise NotFound("recommendation_not_found", f"No recommendation {code}")
    return found


async def add_recommendation(
    stores: Stores,
    *,
    caller: Caller,
    code: str,
    title: str,
    description: str,
    aims: list[str],
    challenges: list[str],
    source: str,
) -> Recommendation:
    require_operator(caller)
    added = catalogue.new(
        code=code,
        title=title,
        description=description,
        aims=aims,
        challenges=challenges,
        source=source,
    )
    await stores.catalogue.add(added)
    return added


async def retire_recommendation(
    stores: Stores, *, caller: Caller, code: str, reason: str
) -> Recommendation:
    require_operator(caller)
    retired = (await recommendation(stores, code)).retire(reason=reason, now=stores.clock.now())
    await stores.catalogue.replace(retired)
    return retired


async def active_codes(stores: Stores) -> list[str]:
    return [r.code for r in await stores.catalogue.all() if r.active]


async def list_recommendations(stores: Stores, *, include_retired: bool) -> list[Recommendation]:
    """The whole catalogue (a handful: CATALOGUE_BOUND), retired ones when asked."""
    return [r for r in await stores.catalogue.all() if include_retired or r.active]
