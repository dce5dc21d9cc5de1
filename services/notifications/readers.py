"""What notifications reads of the other services' facts: one reader model per fact type,
declaring every field the rule table (domain/rules.py) and the read model
(usecases/readmodel.py) read, and nothing else. The rules and the read model are given these
models, never the raw data, so a field read without being declared here is a type error, and
tests/contract/test_readers_accept_producers.py fails when a producer renames or drops one.

A field the code reads only when present has a default; the rest are required. Every reader
has `region`, the region the fact concerns (the notification's own facts carry it on)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from services.notifications.facts import NotificationJob
from shared.cloudevents import ReaderModel

PREFIX = "uk.nhs.knet."


class Regional(ReaderModel):
    region: str | None = None


class MemberFact(Regional):
    member_id: str


# Membership's facts: the read model of members, and the rows of membership_rules.py.


class MemberApplied(MemberFact):
    region: str
    name: str
    email: str | None = None
    job_title: str = ""
    interests: list[str] = Field(default_factory=list)


class MemberApproved(MemberFact):
    name: str
    email: str | None = None
    roles: list[str] = Field(default_factory=lambda: ["member"])
    interests: list[str] = Field(default_factory=list)


class MemberDeclined(MemberFact):
    name: str
    email: str
    reason: str


class MemberProfileUpdated(MemberFact):
    name: str | None = None
    interests: list[str] | None = None


class MemberRoleChanged(MemberFact):
    roles: list[str]
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    changed_by: str = ""


class MemberLeft(MemberFact):
    erased: bool = False


class MemberMoveRequested(MemberFact):
    region: str
    name: str
    from_region: str


class MemberMoveDeclined(MemberFact):
    to_region: str
    reason: str


class MemberPasswordChanged(MemberFact):
    how: Literal["changed", "reset"] = "changed"


class MemberAppliedAgain(MemberFact):
    pass


# Events' facts.


class EventPublished(Regional):
    event_id: str
    title: str
    starts_at: datetime
    scope: str | None = None
    tags: list[str] = Field(default_factory=list)
    capacity: int | None = None
    organiser_member_id: str | None = None


class Registration(Regional):
    event_id: str
    member_id: str


class RegistrationWaitlisted(Registration):
    position: int | None = None


class EventReminderDue(Regional):
    event_id: str
    member_id: str
    title: str
    starts_at: datetime
    join_url: str | None = None
    venue: str | None = None


class EventCancelled(Regional):
    event_id: str
    title: str
    reason: str
    registered_member_ids: list[str] = Field(default_factory=list)


# Recommendations' facts.


class PlanCreated(Regional):
    plan_id: str
    owner_member_id: str
    co_lead_member_ids: list[str] = Field(default_factory=list)


class PlanStatusChanged(Regional):
    plan_id: str
    code: str
    status: str
    previous: str
    note: str | None = None
    changed_by: str = ""


class PlanProgressReported(Regional):
    plan_id: str
    code: str
    rag: str
    summary: str
    reported_by: str = ""


class PlanOverdue(Regional):
    plan_id: str
    code: str
    owner_member_id: str
    action_title: str
    due_on: date


class PlanMilestoneMissed(Regional):
    plan_id: str
    code: str
    owner_member_id: str
    milestone_title: str
    target_on: date


class CaseStudyShared(Regional):
    case_study_id: str
    title: str
    recommendation_codes: list[str] = Field(default_factory=list)
    techniques: list[str] = Field(default_factory=list)
    author_member_id: str = ""


class Follow(Regional):
    member_id: str
    kind: Literal["recommendation", "plan"]
    target: str


# Conversations' facts.


class ThreadStarted(Regional):
    thread_id: str
    title: str
    subject_kind: str
    author_member_id: str
    subject_id: str | None = None
    post_id: str | None = None
    question: bool = False


class PostAdded(Regional):
    thread_id: str
    title: str
    author_member_id: str
    post_id: str | None = None
    excerpt: str = ""


class MemberMentioned(Regional):
    thread_id: str
    title: str
    member_id: str
    by_member_id: str
    post_id: str | None = None
    excerpt: str = ""


class AnswerAccepted(Regional):
    thread_id: str
    title: str
    answerer_member_id: str
    accepted_by: str
    post_id: str | None = None


class ThreadFollowed(Regional):
    thread_id: str
    member_id: str
    following: bool


_BY_NAME: dict[str, type[Regional]] = {
    "member.applied": MemberApplied,
    "member.approved": MemberApproved,
    "member.declined": MemberDeclined,
    "member.profile_updated": MemberProfileUpdated,
    "member.role_changed": MemberRoleChanged,
    "member.left": MemberLeft,
    "member.move_requested": MemberMoveRequested,
    "member.move_declined": MemberMoveDeclined,
    "member.password_changed": MemberPasswordChanged,
    "member.applied_again": MemberAppliedAgain,
    "event.published": EventPublished,
    "registration.confirmed": Registration,
    "registration.waitlisted": RegistrationWaitlisted,
    "registration.promoted": Registration,
    "registration.cancelled": Registration,
    "event.reminder_due": EventReminderDue,
    "event.cancelled": EventCancelled,
    "plan.created": PlanCreated,
    "plan.status_changed": PlanStatusChanged,
    "plan.progress_reported": PlanProgressReported,
    "plan.overdue": PlanOverdue,
    "plan.milestone_missed": PlanMilestoneMissed,
    "case_study.shared": CaseStudyShared,
    "follow.started": Follow,
    "follow.stopped": Follow,
    "thread.started": ThreadStarted,
    "post.added": PostAdded,
    "member.mentioned": MemberMentioned,
    "answer.accepted": AnswerAccepted,
    "thread.followed": ThreadFollowed,
}
READERS: dict[str, type[Regional]] = {
    f"{PREFIX}{name}.v1": model for name, model in _BY_NAME.items()
}


class Job(ReaderModel):
    """The worker's reading of a job: all of it (this service wrote it)."""

    source_id: str
    source_type: str
    member_id: str
    message: dict[str, Any]
    region: str | None = None

    def job(self) -> NotificationJob:
        return NotificationJob(**self.model_dump())


def read(event_type: str, data: dict[str, object]) -> Regional:
    """The reader model of a fact's data (pydantic's ValidationError when it does not fit)."""
    return READERS[event_type].model_validate(data)
