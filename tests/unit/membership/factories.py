from __future__ import annotations

from datetime import UTC, datetime

from services.membership.domain.member import Member, Status
from services.membership.domain.passwords import hash_password
from services.membership.domain.profile import Profile
from shared.clock import new_id
from shared.reference import region_codes

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


def seed_members(tag: str, size: int) -> list[Member]:
    """Active members spread over the regions, made through the domain's own transitions."""
    password_hash = hash_password("Seeded-Password-2026")
    regions = sorted(region_codes())
    operator = member("seed-operator", roles={"member", "operator"})
    members = []
    for i in range(size):
        applicant = Member.apply(
            member_id=new_id(),
            email=f"{tag}-{i}@nhs.net",
            region=regions[i % len(regions)],
            profile=Profile.create(name=f"{tag} Member {i:05d}", interests=[tag, f"t{i % 13}"]),
            password_hash=password_hash,
            now=NOW,
        )
        applicant.approve(by=operator, now=NOW)
        members.append(applicant)
    return members
