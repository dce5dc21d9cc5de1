"""Organisations members belong to (a trust, an ICB, a library service...): named, typed and
placed in a region; proposed by a member who cannot find theirs, confirmed, renamed, merged and
closed by the facilitators of that region. Remit hangs on them (a member starts local plans
for their organisation), so every change is a fact others can follow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from services.membership import facts as fact
from services.membership.domain.member import check_region
from shared.errors import Conflict, Invalid
from shared.text import folded_words

# ODS codes are 3 to 6 upper-case letters and digits (e.g. RR8, 5QT, RYJ01, QWE).
_ODS = re.compile(r"^[A-Z0-9]{3,6}$")
MAX_NAME = 200


class Kind(StrEnum):
    TRUST = "trust"
    ICB = "icb"
    PRIMARY_CARE = "primary_care"
    COMMISSIONING_SUPPORT = "commissioning_support"
    NATIONAL_BODY = "national_body"
    EDUCATION_AND_TRAINING = "education_and_training"
    LIBRARY_AND_KNOWLEDGE_SERVICE = "library_and_knowledge_service"
    OTHER = "other"


KIND_NAMES: dict[Kind, str] = {
    Kind.TRUST: "NHS trust",
    Kind.ICB: "Integrated care board",
    Kind.PRIMARY_CARE: "Primary care",
    Kind.COMMISSIONING_SUPPORT: "Commissioning support",
    Kind.NATIONAL_BODY: "National body",
    Kind.EDUCATION_AND_TRAINING: "Education and training",
    Kind.LIBRARY_AND_KNOWLEDGE_SERVICE: "Library and knowledge service",
    Kind.OTHER: "Other",
}


class OrganisationStatus(StrEnum):
    PROPOSED = "proposed"  # named by a member who could not find it; a facilitator confirms
    ACTIVE = "active"
    MERGED = "merged"  # its members and plans moved to `merged_into`
    CLOSED = "closed"


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Invalid(
            "invalid_name", f"An organisation needs a name (at most {MAX_NAME} characters)"
        )
    return name


def check_ods_code(ods_code: str | None) -> str | None:
    code = ods_code.strip().upper() if ods_code and ods_code.strip() else None
    if code is not None and not _ODS.match(code):
        raise Invalid(
            "invalid_ods_code", f"'{ods_code}' is not an ODS code (3 to 6 letters and digits)"
        )
    return code


def check_kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise Invalid("invalid_kind", f"'{kind}' is not a kind of organisation ({known})") from None


@dataclass
class Organisation:
    id: str
    name: str
    region: str
    kind: Kind = Kind.OTHER
    ods_code: str | None = None
    status: OrganisationStatus = OrganisationStatus.ACTIVE
    merged_into: str | None = None
    proposed_by: str | None = None
    version: int = 0
    facts: list[fact.OrganisationFact] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        *,
        organisation_id: str,
        name: str,
        region: str,
        kind: str = Kind.OTHER,
        ods_code: str | None = None,
        closed: bool = False,
        by: str | None = None,
    ) -> Organisation:
        """One a facilitator adds, or an import loads (`closed`: the extract says it closed)."""
        organisation = cls(
            id=organisation_id,
            name=check_name(name),
            region=check_region(region),
            kind=check_kind(kind),
            ods_code=check_ods_code(ods_code),
            status=OrganisationStatus.CLOSED if closed else OrganisationStatus.ACTIVE,
        )
        organisation._added(by)
        return organisation

    @classmethod
    def propose(
        cls, *, organisation_id: str, name: str, region: str, by: str, kind: str = Kind.OTHER
    ) -> Organisation:
        """One a member names because it is not listed: theirs until a facilitator confirms,
        merges it into one that is listed, or closes it."""
        organisation = cls(
            id=organisation_id,
            name=check_name(name),
            region=check_region(region),
            kind=check_kind(kind),
            status=OrganisationStatus.PROPOSED,
            proposed_by=by,
        )
        organisation._added(by)
        return organisation

    @property
    def is_open(self) -> bool:
        """Whether members may join it (a proposed one only by its proposer)."""
        return self.status in (OrganisationStatus.ACTIVE, OrganisationStatus.PROPOSED)

    def confirm(self, *, by: str | None) -> bool:
        """True when this confirmed it; False when it was confirmed already."""
        if self.status is OrganisationStatus.ACTIVE:
            return False
        if self.status is not OrganisationStatus.PROPOSED:
            raise Conflict("not_proposed", f"{self.name} is {self.status.value}")
        self.status = OrganisationStatus.ACTIVE
        self._updated(by, ["status"])
        return True

    def revise(
        self,
        *,
        by: str | None,
        name: str | None = None,
        kind: str | None = None,
        ods_code: str | None = None,
        reopen: bool = False,
    ) -> list[str]:
        """Renames or retypes it, gives it its ODS code, or reopens it; the fields that changed.
        `by` is None for an import (an operator's command, not a member)."""
        self._require_not_merged()
        changed: list[str] = []
        if name is not None and check_name(name) != self.name:
            self.name = check_name(name)
            changed.append("name")
        if kind is not None and check_kind(kind) != self.kind:
            self.kind = check_kind(kind)
            changed.append("kind")
        if ods_code is not None and check_ods_code(ods_code) != self.ods_code:
            self.ods_code = check_ods_code(ods_code)
            changed.append("ods_code")
        if reopen and self.status is OrganisationStatus.CLOSED:
            self.status = OrganisationStatus.ACTIVE
            changed.append("status")
        if changed:
            self._updated(by, changed)
        return changed

    def close(self, *, by: str | None) -> bool:
        """True when this closed it. Its members keep it (as where they worked) until they
        move; no one joins it and no plan starts for it."""
        self._require_not_merged()
        if self.status is OrganisationStatus.CLOSED:
            return False
        self.status = OrganisationStatus.CLOSED
        self._updated(by, ["status"])
        return True

    def merge_into(self, survivor: Organisation, *, by: str) -> bool:
        """True when this merged it. Its members and plans follow the fact to `survivor`."""
        if self.status is OrganisationStatus.MERGED:
            if self.merged_into == survivor.id:
                return False
            raise Conflict("already_merged", f"{self.name} was merged into another organisation")
        if survivor.id == self.id:
            raise Invalid("merge_into_itself", "Choose another organisation to merge into")
        if survivor.status is not OrganisationStatus.ACTIVE:
            raise Conflict(
                "survivor_not_active", f"{survivor.name} is {survivor.status.value}: not open"
            )
        if survivor.region != self.region:
            # Remit hangs on both a member's region and organisation: a merge never moves
            # anyone between regions behind a facilitator's back.
            raise Invalid(
                "merge_across_regions",
                f"{self.name} is in {self.region} and {survivor.name} in {survivor.region}",
            )
        self.status = OrganisationStatus.MERGED
        self.merged_into = survivor.id
        self.facts.append(
            fact.OrganisationMerged(
                organisation_id=self.id,
                into_organisation_id=survivor.id,
                region=self.region,
                by_member_id=by,
            )
        )
        return True

    def _require_not_merged(self) -> None:
        if self.status is OrganisationStatus.MERGED:
            raise Conflict("already_merged", f"{self.name} was merged into another organisation")

    def _state(self) -> dict[str, object]:
        return {
            "organisation_id": self.id,
            "name": self.name,
            "region": self.region,
            "kind": self.kind.value,
            "ods_code": self.ods_code,
            "status": self.status.value,
        }

    def _added(self, by: str | None) -> None:
        self.facts.append(
            fact.OrganisationAdded.model_validate(
                {**self._state(), "proposed_by_member_id": self.proposed_by, "by_member_id": by}
            )
        )

    def _updated(self, by: str | None, changed: list[str]) -> None:
        self.facts.append(
            fact.OrganisationUpdated.model_validate(
                {**self._state(), "changed": changed, "by_member_id": by}
            )
        )


@dataclass(frozen=True)
class OrganisationQuery:
    """Which organisations a list or a picker shows: every word typed begins a word of the
    name (accents folded), in a region, of a kind, in some statuses."""

    words: tuple[str, ...] = ()
    region: str | None = None
    kind: Kind | None = None
    statuses: tuple[OrganisationStatus, ...] = (OrganisationStatus.ACTIVE,)

    @classmethod
    def of(
        cls,
        *,
        text: str | None = None,
        region: str | None = None,
        kind: str | None = None,
        statuses: tuple[OrganisationStatus, ...] = (OrganisationStatus.ACTIVE,),
    ) -> OrganisationQuery:
        return cls(
            words=tuple(folded_words(text or ""))[:6],
            region=check_region(region) if region else None,
            kind=check_kind(kind) if kind else None,
            statuses=statuses,
        )

    def matches(self, organisation: Organisation) -> bool:
        names = folded_words(organisation.name)
        return (
            all(any(n.startswith(w) for n in names) for w in self.words)
            and (self.region is None or organisation.region == self.region)
            and (self.kind is None or organisation.kind is self.kind)
            and organisation.status in self.statuses
        )
