"""The member aggregate: an application that becomes a membership, its profile and roles.
Each change records the event it causes; the repository saves both in one write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.membership import facts as fact
from services.membership.domain import permissions
from services.membership.domain.profile import Profile
from shared.errors import Conflict, Invalid
from shared.reference import region_codes, role_codes

ERASED_NAME = "Former member"


class Status(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DECLINED = "declined"
    LEFT = "left"
    ERASED = "erased"


def check_region(region: str) -> str:
    if region not in region_codes():
        raise Invalid("unknown_region", f"'{region}' is not a region", known=sorted(region_codes()))
    return region


def check_roles(roles: frozenset[str]) -> frozenset[str]:
    unknown = roles - set(role_codes())
    if unknown:
        raise Invalid("unknown_role", f"Unknown roles: {', '.join(sorted(unknown))}")
    return roles


@dataclass
class Member:
    id: str
    email: str
    region: str
    profile: Profile
    password_hash: str | None
    applied_at: datetime
    status: Status = Status.PENDING
    roles: frozenset[str] = frozenset()
    decided_by: str | None = None
    decided_at: datetime | None = None
    decline_reason: str | None = None
    # When an approved member left or was erased: the network's size over time needs it.
    left_at: datetime | None = None
    version: int = 0
    facts: list[fact.MembershipFact] = field(default_factory=list)

    @classmethod
    def apply(
        cls,
        *,
        member_id: str,
        email: str,
        region: str,
        profile: Profile,
        password_hash: str,
        now: datetime,
    ) -> Member:
        member = cls(
            id=member_id,
            email=email,
            region=check_region(region),
            profile=profile,
            password_hash=password_hash,
            applied_at=now,
        )
        member.facts.append(
            fact.MemberApplied(
                member_id=member.id,
                region=member.region,
                name=profile.name,
                email=email,
                organisation_id=profile.organisation_id,
                job_title=profile.job_title,
                interests=list(profile.interests),
                skills=list(profile.skills),
                applied_at=now,
            )
        )
        return member

    @property
    def is_active(self) -> bool:
        return self.status is Status.ACTIVE

    def has(self, role: str) -> bool:
        return self.is_active and role in self.roles

    def approve(self, *, by: Member, now: datetime) -> None:
        permissions.require_region_authority(by, self.region)
        self._admit(roles=frozenset({"member"}), by=by.id, now=now)

    def appoint_first_operator(self, *, now: datetime) -> None:
        """The platform's first operator approves themself: nobody else could."""
        self._admit(roles=frozenset({"member", "operator"}), by=self.id, now=now)

    def _admit(self, *, roles: frozenset[str], by: str, now: datetime) -> None:
        self._require_pending()
        self.status, self.roles = Status.ACTIVE, roles
        self.decided_by, self.decided_at = by, now
        self.facts.append(
            fact.MemberApproved(
                member_id=self.id,
                region=self.region,
                name=self.profile.name,
                email=self.email,
                organisation_id=self.profile.organisation_id,
                roles=sorted(self.roles),
                interests=list(self.profile.interests),
                approved_by=by,
            )
        )

    def decline(self, *, by: Member, reason: str, now: datetime) -> None:
        permissions.require_region_authority(by, self.region)
        self._require_pending()
        reason = " ".join(reason.split())
        if not reason or len(reason) > 1000:
            raise Invalid(
                "reason_required", "Say why (1 to 1000 characters): the applicant is told"
            )
        self.status, self.decline_reason = Status.DECLINED, reason
        self.decided_by, self.decided_at = by.id, now
        self.facts.append(
            fact.MemberDeclined(
                member_id=self.id,
                region=self.region,
                name=self.profile.name,
                email=self.email,
                reason=reason,
                declined_by=by.id,
            )
        )

    def update_profile(self, *, by: Member, region: str | None = None, **changes: object) -> None:
        permissions.require_self(by, self)
        updated = self.profile.with_changes(**changes)
        previous_region = self.region
        new_region = check_region(region) if region is not None else self.region
        changed = updated.changed_fields(self.profile)
        if new_region != self.region:
            changed.append("region")
        if not changed:
            return
        self.profile, self.region = updated, new_region
        self.facts.append(
            fact.MemberProfileUpdated(
                member_id=self.id,
                region=self.region,
                previous_region=previous_region,
                changed=sorted(changed),
                name=updated.name,
                organisation_id=updated.organisation_id,
                job_title=updated.job_title,
                interests=list(updated.interests),
                skills=list(updated.skills),
            )
        )

    def set_roles(self, *, by: Member, roles: frozenset[str]) -> None:
        roles = check_roles(roles) | {"member"}
        if not self.is_active:
            raise Conflict("not_active", "Roles belong to active members")
        added, removed = roles - self.roles, self.roles - roles
        permissions.require_role_change(by, self, added, removed)
        if not added and not removed:
            return
        self.roles = roles
        self.facts.append(
            fact.MemberRoleChanged(
                member_id=self.id,
                region=self.region,
                roles=sorted(roles),
                added=sorted(added),
                removed=sorted(removed),
                changed_by=by.id,
            )
        )

    def leave(self, *, by: Member, now: datetime) -> None:
        permissions.require_self(by, self)
        self.status, self.roles, self.left_at = Status.LEFT, frozenset(), now
        self.facts.append(fact.MemberLeft(member_id=self.id, region=self.region, erased=False))

    def erase(self, *, by: Member, now: datetime) -> None:
        """Removes personal data; the record stays (without it) so that counts stay right."""
        permissions.require_self_or_operator(by, self)
        if self.status is Status.ERASED:
            return
        self.status, self.roles, self.password_hash = Status.ERASED, frozenset(), None
        self.left_at = self.left_at or now
        self.email = f"erased+{self.id}@invalid"
        self.profile = Profile(name=ERASED_NAME)
        self.decline_reason = None
        self.facts.append(fact.MemberLeft(member_id=self.id, region=self.region, erased=True))

    def _require_pending(self) -> None:
        if self.status is not Status.PENDING:
            raise Conflict("not_pending", f"The application is {self.status.value}, not pending")
