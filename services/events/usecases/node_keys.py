"""Regional nodes' API keys: issued within remit, listed, revoked; and a node known by its key."""

from __future__ import annotations

from services.events.domain import node_keys
from services.events.domain.node_keys import NodeKey
from services.events.stores import Stores
from shared.caller import Caller
from shared.errors import Forbidden, Invalid, NotFound, Unauthorized
from shared.reference import region_codes


async def issue_node_key(
    stores: Stores, *, caller: Caller, region: str, label: str
) -> tuple[NodeKey, str]:
    _require_node_authority(caller, region)
    key, presented = node_keys.issue(
        key_id=stores.new_id(),
        region=region,
        label=label,
        created_by=caller.member_id,
        now=stores.clock.now(),
    )
    await stores.node_keys.add(key)
    return key, presented


async def node_keys_of(
    stores: Stores, *, caller: Caller, region: str, cursor: str | None, limit: int
) -> tuple[list[NodeKey], str | None]:
    _require_node_authority(caller, region)
    return await stores.node_keys.page(region, cursor=cursor, limit=limit)


async def revoke_node_key(stores: Stores, *, caller: Caller, region: str, key_id: str) -> None:
    _require_node_authority(caller, region)
    key = await stores.node_keys.get(key_id)
    if key is None or key.region != region:
        raise NotFound("node_key_not_found", f"No key {key_id} for {region}")
    await stores.node_keys.revoke(key_id, stores.clock.now())


async def authenticate_node(stores: Stores, presented: str) -> str:
    """The region a node's API key speaks for."""
    parsed = node_keys.parse(presented)
    key = await stores.node_keys.get(parsed[0]) if parsed else None
    if parsed is None or key is None or not node_keys.proves(key, parsed[1]):
        raise Unauthorized("node_key_invalid", "The node key is not valid or was revoked")
    return key.region


def _require_node_authority(caller: Caller, region: str) -> None:
    if region not in region_codes():
        raise Invalid("unknown_region", f"'{region}' is not a region")
    if not caller.governs(region):
        raise Forbidden("not_permitted", "Only the region's facilitators or an operator")
