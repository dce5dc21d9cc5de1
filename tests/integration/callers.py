"""Headers as the gateway would send them: an internal token naming the caller."""

from __future__ import annotations

from shared.auth import Caller, issue_token
from shared.settings import PlatformSettings


def as_member(
    settings: PlatformSettings, member_id: str, *roles: str, region: str = "LDN"
) -> dict[str, str]:
    caller = Caller(member_id=member_id, region=region, roles=frozenset({"member", *roles}))
    return {"authorization": f"Bearer {issue_token(caller, settings)}"}
