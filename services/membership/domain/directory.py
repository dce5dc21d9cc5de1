"""What the directory can be asked: a typed query, checked and normalised here, turned into a
store's filter by each repository (MongoDB's in repository.py, a predicate in
tests/fakes/membership.py)."""

from __future__ import annotations

from dataclasses import dataclass

from services.membership.domain.member import Member, Status, check_region, check_roles
from services.membership.domain.profile import normalise_tags


@dataclass(frozen=True)
class DirectoryQuery:
    """Members of one status (active unless asked), narrowed by any of the rest."""

    status: Status = Status.ACTIVE
    name_prefix: str | None = None
    region: str | None = None
    organisation_id: str | None = None
    interest: str | None = None
    skill: str | None = None
    role: str | None = None

    @classmethod
    def of(
        cls,
        *,
        status: Status = Status.ACTIVE,
        name: str | None = None,
        region: str | None = None,
        organisation_id: str | None = None,
        interest: str | None = None,
        skill: str | None = None,
        role: str | None = None,
    ) -> DirectoryQuery:
        return cls(
            status=status,
            # Case-insensitive, on the stored lower-case name.
            name_prefix=" ".join(name.lower().split()) or None if name else None,
            region=check_region(region) if region else None,
            organisation_id=organisation_id or None,
            # A tag of only spaces normalises to nothing: no filter, as with the name.
            interest=next(iter(normalise_tags([interest], "interest")), None) if interest else None,
            skill=next(iter(normalise_tags([skill], "skill")), None) if skill else None,
            role=next(iter(check_roles(frozenset({role})))) if role else None,
        )

    def matches(self, member: Member) -> bool:
        p = member.profile
        return (
            member.status is self.status
            and (self.name_prefix is None or p.name.lower().startswith(self.name_prefix))
            and (self.region is None or member.region == self.region)
            and (self.organisation_id is None or p.organisation_id == self.organisation_id)
            and (self.interest is None or self.interest in p.interests)
            and (self.skill is None or self.skill in p.skills)
            and (self.role is None or self.role in member.roles)
        )
