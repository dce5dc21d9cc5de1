"""What membership publishes on knet.membership.v1 (key and subject: the member id, or the
organisation id for an organisation's facts).

Personal data travels only where a consumer needs it to reach the person (name and email
for the applicant's answer and welcome); `member.left` with `erased=true` tells every reader
to forget them."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from shared import topics
from shared.cloudevents import Fact

_MEMBER = {"member_id": "01a21b9e794bac135f8ad1fbd4", "region": "LDN"}


class MembershipFact(Fact):
    topic: ClassVar[str] = topics.MEMBERSHIP
    member_id: str = Field(description="The member's id (also the event subject and Kafka key)")
    region: str = Field(description="The member's region code", examples=["LDN"])


class MemberApplied(MembershipFact):
    """Someone applied to join the network; a facilitator of their region decides."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.applied.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_MEMBER,
                    "name": "Ada Lovelace",
                    "email": "ada@nhs.net",
                    "organisation_id": None,
                    "job_title": "Knowledge manager",
                    "interests": ["peer assist"],
                    "skills": ["taxonomy"],
                    "applied_at": "2026-11-27T09:00:00Z",
                }
            ]
        }
    )
    name: str
    email: str
    organisation_id: str | None
    job_title: str
    interests: list[str]
    skills: list[str]
    applied_at: datetime


class MemberApproved(MembershipFact):
    """An application was approved: the person is now a member."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.approved.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_MEMBER,
                    "name": "Ada Lovelace",
                    "email": "ada@nhs.net",
                    "organisation_id": None,
                    "roles": ["member"],
                    "interests": ["peer assist"],
                    "approved_by": "m0",
                }
            ]
        }
    )
    name: str
    email: str
    organisation_id: str | None
    roles: list[str]
    interests: list[str]
    approved_by: str


class MemberDeclined(MembershipFact):
    """An application was declined, with the reason the applicant is told."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.declined.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_MEMBER,
                    "name": "Ada Lovelace",
                    "email": "ada@nhs.net",
                    "reason": "Not working in the NHS",
                    "declined_by": "m0",
                }
            ]
        }
    )
    name: str
    email: str
    reason: str
    declined_by: str


class MemberProfileUpdated(MembershipFact):
    """A member changed their profile; `changed` names the fields."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.profile_updated.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_MEMBER,
                    "previous_region": "LDN",
                    "changed": ["skills"],
                    "name": "Ada Lovelace",
                    "organisation_id": None,
                    "job_title": "Knowledge manager",
                    "interests": ["peer assist"],
                    "skills": ["taxonomy"],
                }
            ]
        }
    )
    previous_region: str
    changed: list[str]
    name: str
    organisation_id: str | None
    job_title: str
    interests: list[str]
    skills: list[str]


class MemberRoleChanged(MembershipFact):
    """A member's network roles changed."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.role_changed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_MEMBER,
                    "roles": ["member", "facilitator"],
                    "added": ["facilitator"],
                    "removed": [],
                    "changed_by": "m0",
                }
            ]
        }
    )
    roles: list[str]
    added: list[str]
    removed: list[str]
    changed_by: str


class MemberMoveRequested(MembershipFact):
    """A member asked to move to another region or organisation (`region` is where to); a
    facilitator of that region decides. Until then nothing about them changes."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.move_requested.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_MEMBER,
                    "region": "NW",
                    "from_region": "LDN",
                    "name": "Ada Lovelace",
                    "organisation_id": None,
                    "from_organisation_id": None,
                }
            ]
        }
    )
    from_region: str
    name: str
    organisation_id: str | None
    from_organisation_id: str | None


class MemberMoveDeclined(MembershipFact):
    """A facilitator of the region a member asked to move to declined, with the reason the
    member is told. An approved move is `member.profile_updated` (and `member.role_changed`
    when roles held for the old region stay behind)."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.move_declined.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_MEMBER,
                    "to_region": "NW",
                    "reason": "Please apply through your new trust's library service",
                    "declined_by": "m0",
                }
            ]
        }
    )
    to_region: str
    reason: str
    declined_by: str


class MemberPasswordChanged(MembershipFact):
    """A member's password was changed (with the current one) or reset (by an emailed link):
    they are told, in case it was not them. Nothing of the password travels."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.password_changed.v1"
    model_config = ConfigDict(json_schema_extra={"examples": [{**_MEMBER, "how": "reset"}]})
    how: Literal["changed", "reset"]


class MemberAppliedAgain(MembershipFact):
    """Someone applied to join with the address of an existing member: the member is told
    (whoever applied is answered as any applicant is, so nobody learns who has an account)."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.applied_again.v1"
    model_config = ConfigDict(json_schema_extra={"examples": [{**_MEMBER}]})


class MemberLeft(MembershipFact):
    """A member left; with `erased` their personal data is gone and readers must drop theirs."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.left.v1"
    model_config = ConfigDict(json_schema_extra={"examples": [{**_MEMBER, "erased": False}]})
    erased: bool


_ORGANISATION = {
    "organisation_id": "01a21b9e794bac135f8ad1fc07",
    "name": "Leeds Teaching Hospitals NHS Trust",
    "region": "NEY",
    "kind": "trust",
    "ods_code": "RR8",
    "status": "active",
    "by_member_id": "01a21b9e794bac135f8ad1fbd4",
}
OrganisationKindName = Literal[
    "trust",
    "icb",
    "primary_care",
    "commissioning_support",
    "national_body",
    "education_and_training",
    "library_and_knowledge_service",
    "other",
]
OrganisationStatusName = Literal["proposed", "active", "merged", "closed"]


class OrganisationFact(Fact):
    topic: ClassVar[str] = topics.MEMBERSHIP
    organisation_id: str = Field(
        description="The organisation's id (also the event subject and Kafka key)"
    )
    region: str = Field(description="The organisation's region code", examples=["NEY"])
    by_member_id: str | None = Field(
        description="Who changed it (none for an import by an operator's command)"
    )


class OrganisationState(OrganisationFact):
    name: str
    kind: OrganisationKindName
    ods_code: str | None = Field(description="Its ODS code, when it has one", examples=["RR8"])
    status: OrganisationStatusName


class OrganisationAdded(OrganisationState):
    """An organisation was added: by a facilitator or an import (active or closed), or
    proposed by a member who could not find theirs (proposed, `proposed_by_member_id`)."""

    event_type: ClassVar[str] = "uk.nhs.knet.organisation.added.v1"
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_ORGANISATION, "proposed_by_member_id": None}]}
    )
    proposed_by_member_id: str | None


class OrganisationUpdated(OrganisationState):
    """An organisation was confirmed, renamed, retyped, closed or reopened: its whole state,
    `changed` naming the fields."""

    event_type: ClassVar[str] = "uk.nhs.knet.organisation.updated.v1"
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_ORGANISATION, "changed": ["name"]}]}
    )
    changed: list[str]


class OrganisationMerged(OrganisationFact):
    """An organisation merged into another of its region: its members and plans move there."""

    event_type: ClassVar[str] = "uk.nhs.knet.organisation.merged.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": "01a21b9e794bac135f8ad1fc07",
                    "into_organisation_id": "01a21b9e794bac135f8ad1fc1c",
                    "region": "NEY",
                    "by_member_id": "01a21b9e794bac135f8ad1fbd4",
                }
            ]
        }
    )
    into_organisation_id: str
