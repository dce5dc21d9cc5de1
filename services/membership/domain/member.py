"""The member aggregate: an application that becomes a membership, its profile and roles.
Each change records the event it causes; the repository saves both in one write."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from services.membership import facts as fact
from services.membership.domain import credentials, permissions
from services.membership.domain.credentials import PasswordReset
from services.membership.domain.profile import Profile
from shared.errors import Conflict, Forbidden, Invalid
from shared.reference import region_codes, role_codes

ERASED_NAME = "Former member"
# Roles held for a region: they never follow a member to another one.
REGIONAL_ROLES = frozenset({"core", "facilitator", "sponsor"})


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


@dataclass(frozen=True)
class MoveRequest:
    """A member asks to move to another region or organisation. Remit hangs on both (a
    facilitator acts in their region; a member starts plans for their organisation), so the
    move waits for a facilitator of the destination region (or an operator) to approve it."""

    region: str
    organisation_id: str | None
    requested_at: datetime
    declined_reason: str | None = None

    @property
    def pending(self) -> bool:
        return self.declined_reason is None


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
    move: MoveRequest | None = None
    # When the password last changed (sessions and API tokens older than it end), a reset
    # link waiting to be used, and when the member was last told of an application with
    # their address.
    credentials_changed_at: datetime | None = None
    reset: PasswordReset | None = None
    applied_again_at: datetime | None = None
    # Accounts elsewhere this member signs in with (an NHS account): "issuer#subject".
    identities: tuple[str, ...] = ()
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
        password_hash: str | None,
        now: datetime,
        identity: str | None = None,
    ) -> Member:
        """`password_hash` None with an `identity`: someone who applied having signed in with
        an account elsewhere, and signs in with it."""
        member = cls(
            id=member_id,
            email=email,
            region=check_region(region),
            profile=profile,
            password_hash=password_hash,
            applied_at=now,
            identities=(identity,) if identity else (),
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
        reason = _reason(reason)
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
        """What the member says of themself. Their region and organisation may be restated
        but not changed here: authority hangs on them, so they change by `request_move` and
        its approval."""
        permissions.require_self(by, self)
        updated = self.profile.with_changes(**changes)
        moved = region is not None and region != self.region
        if moved or updated.organisation_id != self.profile.organisation_id:
            raise Forbidden(
                "move_needs_approval",
                "Your region and organisation change when a facilitator of the region approves"
                " a move: request one",
            )
        self._set_profile(updated, region=self.region)

    def _set_profile(self, updated: Profile, *, region: str) -> None:
        previous_region = self.region
        changed = updated.changed_fields(self.profile)
        if region != self.region:
            changed.append("region")
        if not changed:
            return
        self.profile, self.region = updated, region
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

    def follow_merge(self, *, from_organisation_id: str, into_organisation_id: str) -> None:
        """Their organisation merged into another of the same region: they belong there now
        (a facilitator decided the merge, so no move request). A pending move into the merged
        organisation follows it too."""
        if self.profile.organisation_id == from_organisation_id:
            moved = self.profile.with_changes(organisation_id=into_organisation_id)
            self._set_profile(moved, region=self.region)
        if self.move is not None and self.move.organisation_id == from_organisation_id:
            self.move = replace(self.move, organisation_id=into_organisation_id)

    def request_move(
        self, *, by: Member, region: str, organisation_id: str | None, now: datetime
    ) -> None:
        permissions.require_self(by, self)
        if region == self.region and organisation_id == self.profile.organisation_id:
            raise Invalid("nothing_to_move", "That is already your region and organisation")
        self.move = MoveRequest(check_region(region), organisation_id, now)
        self.facts.append(
            fact.MemberMoveRequested(
                member_id=self.id,
                region=self.move.region,
                from_region=self.region,
                name=self.profile.name,
                organisation_id=organisation_id,
                from_organisation_id=self.profile.organisation_id,
            )
        )

    def withdraw_move(self, *, by: Member) -> None:
        permissions.require_self(by, self)
        self.move = None

    def approve_move(self, *, by: Member) -> None:
        """The member moves; roles held for the region they leave stay behind. Never on the
        mover's own say (a facilitator changing organisation within their region too)."""
        move = self._pending_move(by)
        permissions.require_region_authority(by, move.region)
        if not self.is_active:
            raise Conflict("not_active", "Only active members move")
        moving_region = move.region != self.region
        self.move = None
        organisation = self.profile.with_changes(organisation_id=move.organisation_id)
        self._set_profile(organisation, region=move.region)
        if moving_region and self.roles & REGIONAL_ROLES:
            self._change_roles(self.roles - REGIONAL_ROLES, by=by.id)

    def decline_move(self, *, by: Member, reason: str) -> None:
        move = self._pending_move(by)
        permissions.require_region_authority(by, move.region)
        self.move = replace(move, declined_reason=_reason(reason))
        self.facts.append(
            fact.MemberMoveDeclined(
                member_id=self.id,
                region=self.region,
                to_region=move.region,
                reason=self.move.declined_reason or "",
                declined_by=by.id,
            )
        )

    def _pending_move(self, deciding: Member) -> MoveRequest:
        if self.move is None or not self.move.pending:
            raise Conflict("no_move_requested", "This member has not asked to move")
        if deciding.id == self.id:
            raise Forbidden("not_your_own_move", "Another facilitator of the region decides")
        return self.move

    def set_roles(self, *, by: Member, roles: frozenset[str]) -> None:
        roles = check_roles(roles) | {"member"}
        if not self.is_active:
            raise Conflict("not_active", "Roles belong to active members")
        added, removed = roles - self.roles, self.roles - roles
        permissions.require_role_change(by, self, added, removed)
        self._change_roles(roles, by=by.id)

    def _change_roles(self, roles: frozenset[str], *, by: str) -> None:
        added, removed = roles - self.roles, self.roles - roles
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
                changed_by=by,
            )
        )

    def change_password(self, *, by: Member, password_hash: str, now: datetime) -> None:
        """A new password (the caller checked the current one): every other session ends.
        An applicant may change theirs too (they sign in to follow their application)."""
        if by.id != self.id:
            raise Forbidden("not_your_profile", "Members change only their own password")
        self._set_password(password_hash, now, how="changed")

    def start_reset(self, *, now: datetime) -> str | None:
        """A reset link's token for the email, or None for a member who cannot sign in."""
        if self.status in (Status.LEFT, Status.ERASED, Status.DECLINED):
            return None
        self.reset, token = credentials.new_reset(now)
        return token

    def complete_reset(self, *, token: str, password_hash: str, now: datetime) -> None:
        credentials.check_reset(self.reset, token, now)
        self._set_password(password_hash, now, how="reset")

    def _set_password(self, password_hash: str, now: datetime, *, how: str) -> None:
        self.password_hash, self.reset, self.credentials_changed_at = password_hash, None, now
        self.facts.append(
            fact.MemberPasswordChanged(member_id=self.id, region=self.region, how=how)
        )

    def may_sign_in(self) -> bool:
        return self.status in (Status.ACTIVE, Status.PENDING)

    def link_identity(self, identity: str) -> None:
        """Signs in with this account elsewhere from now on. One account per issuer: an
        address that came back with another subject (an account recycled) is refused."""
        issuer = identity.split("#", 1)[0]
        if identity in self.identities:
            return
        if any(linked.split("#", 1)[0] == issuer for linked in self.identities):
            raise Conflict(
                "identity_mismatch",
                "This address is linked to another account at that provider: sign in with"
                " your password, or ask an operator",
            )
        self.identities = (*self.identities, identity)

    def applied_again(self, *, now: datetime) -> None:
        """Someone applied with this member's address: they are told (once a day at most),
        and the applicant hears what a new applicant hears, so the address's use is not
        revealed to them."""
        if self.status is Status.ERASED:
            return
        last = self.applied_again_at
        if last is not None and now - last < credentials.APPLIED_AGAIN_NOTICE:
            return
        self.applied_again_at = now
        self.facts.append(fact.MemberAppliedAgain(member_id=self.id, region=self.region))

    def leave(self, *, by: Member, now: datetime) -> None:
        permissions.require_self(by, self)
        self.status, self.roles, self.left_at = Status.LEFT, frozenset(), now
        self.move = None
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
        self.decline_reason, self.move, self.reset = None, None, None
        self.identities = ()
        self.facts.append(fact.MemberLeft(member_id=self.id, region=self.region, erased=True))

    def _require_pending(self) -> None:
        if self.status is not Status.PENDING:
            raise Conflict("not_pending", f"The application is {self.status.value}, not pending")


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason or len(reason) > 1000:
        raise Invalid("reason_required", "Say why (1 to 1000 characters): the member is told")
    return reason
