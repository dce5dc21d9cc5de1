from __future__ import annotations

from datetime import UTC, datetime

from services.membership.domain.member import Member, Status
from services.membership.domain.profile import Profile

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def member(
    member_id: str = "m1",
    *,
    region: str = "LDN",
    roles: set[str] | None = None,
    status: Status = Status.ACTIVE,
    name: str | None = None,
    interests: tuple[str, ...] = (),
    skills: tuple[str, ...] = (),
) -> Member:
    return Member(
        id=member_id,
        email=f"{member_id}@nhs.net",
        region=region,
        profile=Profile(name=name or f"Member {member_id}", interests=interests, skills=skills),
        password_hash="hash",
        applied_at=NOW,
        status=status,
        roles=frozenset(roles if roles is not None else {"member"}),
    )


def applicant(member_id: str = "a1", region: str = "LDN") -> Member:
    return member(member_id, region=region, roles=set(), status=Status.PENDING)
