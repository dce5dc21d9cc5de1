"""Regional nodes' API keys: issued within remit, listed, revoked; and a node known by its key."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from services.events.domain import node_keys
from services.events.domain.node_keys import NodeKey
from services.events.stores import Stores
from shared.caller import Caller
from shared.errors import Forbidden, Invalid, NotFound, Unauthorized
from shared.logs import security_event
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
    security_event("node_key_issued", key_id=key.id, region=region, by=caller.member_id)
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
    await stores.node_keys.revoke(key_id, stores.clock.now(), f"revoked by {caller.member_id}")
    security_event("node_key_revoked", key_id=key_id, region=region, by=caller.member_id)


async def authenticate_node(stores: Stores, presented: str) -> str:
    """The region a node's API key speaks for. A key works while whoever issued it still
    governs its region: checked here too, not only when their role's fact arrives, so a key
    issued in the moments after a role went (a session's roles refresh within a minute)
    does not outlive it."""
    parsed = node_keys.parse(presented)
    key = await stores.node_keys.get(parsed[0]) if parsed else None
    if parsed is None or key is None or not node_keys.proves(key, parsed[1]):
        security_event("node_key_refused", alarm=True, key_id=parsed[0] if parsed else None)
        raise Unauthorized("node_key_invalid", "The node key is not valid or was revoked")
    issuer = await stores.issuers.get(key.created_by)
    if node_keys.stops(key, issuer, grace=stores.role_refresh):
        await stores.node_keys.revoke(key.id, stores.clock.now(), ISSUER_LEFT)
        raise Unauthorized("node_key_invalid", "The node key is not valid or was revoked")
    return key.region


ISSUER_LEFT = "its issuer no longer governs the region"


async def member_changed(
    stores: Stores, *, member_id: str, changes: dict[str, Any], at: datetime
) -> int:
    """Membership's word on a member at `at` (region, roles, whether still a member):
    recorded, and when it took authority away, the keys they issued for a region they no
    longer govern stop. How many stopped."""
    before = await stores.issuers.get(member_id)
    await stores.issuers.record(member_id, changes)
    after = await stores.issuers.get(member_id)
    if after is None or not node_keys.lost_authority(before, after):
        return 0
    await stores.issuers.record(member_id, {"lost_at": at})
    after = replace(after, lost_at=at)
    stopped = 0
    for key in await stores.node_keys.issued_by(member_id):
        if node_keys.stops(key, after, grace=stores.role_refresh):
            await stores.node_keys.revoke(key.id, stores.clock.now(), ISSUER_LEFT)
            security_event("node_key_stopped", key_id=key.id, region=key.region, issuer=member_id)
            stopped += 1
    return stopped


def _require_node_authority(caller: Caller, region: str) -> None:
    if region not in region_codes():
        raise Invalid("unknown_region", f"'{region}' is not a region")
    if not caller.governs(region):
        raise Forbidden("not_permitted", "Only the region's facilitators or an operator")
