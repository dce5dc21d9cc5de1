"""What the recommendations service publishes on knet.recommendations.v1. The key and subject
is the aggregate: the member for endorsements, the plan, the case study, `rankings`."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from shared import topics
from shared.cloudevents import Fact


class RecommendationsFact(Fact):
    topic: ClassVar[str] = topics.RECOMMENDATIONS


class RecommendationEndorsed(RecommendationsFact):
    """A member newly endorsed a recommendation (one event per code added to their ballot)."""

    event_type: ClassVar[str] = "uk.nhs.knet.recommendation.endorsed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"member_id": "m1", "code": "R4", "rank": 1, "region": "LDN"}]
        }
    )
    member_id: str
    code: str
    rank: int
    region: str | None


class Standing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    rank: int
    points: int
    endorsements: int
    first_preferences: int


class RankingChanged(RecommendationsFact):
    """The order of recommendations changed, nationally or in one region (at most once a
    minute: the rankings are recomputed on a schedule)."""

    event_type: ClassVar[str] = "uk.nhs.knet.recommendation.ranking_changed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": "regional",
                    "region": "LDN",
                    "ballots": 3,
                    "standings": [
                        {
                            "code": "R4",
                            "rank": 1,
                            "points": 5,
                            "endorsements": 3,
                            "first_preferences": 2,
                        },
                        {
                            "code": "R1",
                            "rank": 2,
                            "points": 2,
                            "endorsements": 1,
                            "first_preferences": 1,
                        },
                    ],
                }
            ]
        }
    )
    scope: Literal["national", "regional"]
    region: str | None
    ballots: int
    standings: list[Standing]


class PlanFact(RecommendationsFact):
    plan_id: str
    code: str
    region: str | None


_PLAN = {"plan_id": "01a21b9e794bac135f8ad1fbd4", "code": "R4", "region": "LDN"}


class PlanCreated(PlanFact):
    """An implementation plan was proposed for a recommendation in a scope."""

    event_type: ClassVar[str] = "uk.nhs.knet.plan.created.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PLAN,
                    "scope": "region",
                    "scope_id": "LDN",
                    "owner_member_id": "m1",
                    "co_lead_member_ids": ["m2"],
                    "goal": "A community of practice in every London trust",
                    "status": "proposed",
                }
            ]
        }
    )
    scope: str
    scope_id: str
    owner_member_id: str
    co_lead_member_ids: list[str]
    goal: str
    status: str


class PlanStatusChanged(PlanFact):
    event_type: ClassVar[str] = "uk.nhs.knet.plan.status_changed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PLAN,
                    "previous": "proposed",
                    "status": "active",
                    "changed_by": "m1",
                    "note": "",
                }
            ]
        }
    )
    previous: str
    status: str
    changed_by: str
    note: str


class PlanProgressReported(PlanFact):
    event_type: ClassVar[str] = "uk.nhs.knet.plan.progress_reported.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PLAN,
                    "reported_by": "m1",
                    "rag": "amber",
                    "summary": "Three of five trusts have started",
                    "evidence_links": ["https://example.nhs.uk/cop-report"],
                }
            ]
        }
    )
    reported_by: str
    rag: str
    summary: str
    evidence_links: list[str]


class PlanLinked(PlanFact):
    """A plan now contributes to the plan a level up for the same recommendation (a local
    plan to its region's, a regional plan to the national one); `parent_plan_id` None: it
    no longer does."""

    event_type: ClassVar[str] = "uk.nhs.knet.plan.linked.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PLAN,
                    "scope": "organisation",
                    "parent_plan_id": "01a21b9e794bac135f8ad1fc00",
                    "linked_by": "m1",
                }
            ]
        }
    )
    scope: str
    parent_plan_id: str | None
    linked_by: str


class PlanOverdue(PlanFact):
    """An action passed its due date without being done (reported once per action)."""

    event_type: ClassVar[str] = "uk.nhs.knet.plan.overdue.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PLAN,
                    "action_id": "a1",
                    "action_title": "Map the trusts' KM leads",
                    "action_owner_member_id": "m2",
                    "owner_member_id": "m1",
                    "due_on": "2027-02-01",
                }
            ]
        }
    )
    action_id: str
    action_title: str
    action_owner_member_id: str
    owner_member_id: str
    due_on: date


class PlanMilestoneMissed(PlanFact):
    """A milestone passed its date without being reached (reported once per milestone)."""

    event_type: ClassVar[str] = "uk.nhs.knet.plan.milestone_missed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_PLAN,
                    "milestone_id": "ms1",
                    "milestone_title": "Every trust has named a KM lead",
                    "target_on": "2027-03-31",
                    "owner_member_id": "m1",
                }
            ]
        }
    )
    milestone_id: str
    milestone_title: str
    target_on: date
    owner_member_id: str


class CaseStudyShared(RecommendationsFact):
    event_type: ClassVar[str] = "uk.nhs.knet.case_study.shared.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_study_id": "01a21b9e794bac135f8ad1fbd4",
                    "author_member_id": "m1",
                    "title": "Peer assists before every major procurement",
                    "region": "NW",
                    "organisation_id": None,
                    "recommendation_codes": ["R3", "R4"],
                    "techniques": ["peer assist"],
                }
            ]
        }
    )
    case_study_id: str
    author_member_id: str
    title: str
    region: str
    organisation_id: str | None
    recommendation_codes: list[str]
    techniques: list[str]


class FollowStarted(RecommendationsFact):
    """A member began following a recommendation or a plan (its news reaches them)."""

    event_type: ClassVar[str] = "uk.nhs.knet.follow.started.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"member_id": "m1", "kind": "plan", "target": "p1", "region": "LDN"}]
        }
    )
    member_id: str
    kind: Literal["recommendation", "plan"]
    target: str
    # A plan's region (None: a recommendation, or a national plan).
    region: str | None = None


class FollowStopped(RecommendationsFact):
    """A member stopped following a recommendation or a plan."""

    event_type: ClassVar[str] = "uk.nhs.knet.follow.stopped.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"member_id": "m1", "kind": "plan", "target": "p1", "region": "LDN"}]
        }
    )
    member_id: str
    kind: Literal["recommendation", "plan"]
    target: str
    # A plan's region (None: a recommendation, or a national plan).
    region: str | None = None
