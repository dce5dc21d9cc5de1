"""The rule table: which fact notifies whom, with what. One function per row; the table is
`RULES` (event type -> rule) and the README shows it. Pure: a fact's data in, a `Route` out
(audiences resolved later against the read model); None when a fact concerns no one.
Membership's rows are in membership_rules.py.

| fact | who | category | urgent |
|---|---|---|---|
| member.applied | the region's facilitators | membership | no |
| member.approved | the applicant (a welcome) | membership | yes |
| member.declined | the applicant (with the reason) | membership | yes |
| member.role_changed | the member | membership | no |
| member.move_requested | the facilitators of the region asked for | membership | no |
| member.move_declined | the member (with the reason) | membership | yes |
| member.password_changed | the member, by email whatever they chose | membership | yes |
| member.applied_again | the member whose address was used, by email too | membership | yes |
| event.published | in scope, interests matching its tags; national: all opted in | events | no |
| registration.confirmed, .waitlisted, .promoted | the member | events | yes |
| event.reminder_due | the member | events | yes |
| event.cancelled | those registered | events | yes |
| plan.status_changed, plan.progress_reported | its followers and its team | plans | no |
| plan.overdue | its owner | plans | yes |
| plan.milestone_missed | its owner, its team and its followers | plans | yes |
| case_study.shared | its recommendations' followers; interests matching | practice | no |
| thread.started | its subject's followers (an event's: registrants) | conversations | no |
| post.added | those taking part in or following the thread | conversations | no |
| member.mentioned | the member mentioned | conversations | no |
| answer.accepted | the member whose reply was accepted | conversations | no |
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.notifications import readers as read
from services.notifications.domain.audiences import (
    Audience,
    Followers,
    Interested,
    Members,
    Registered,
)
from services.notifications.domain.membership_rules import (
    application,
    applied_again,
    approved,
    declined,
    move_declined,
    move_requested,
    password_changed,
    role_changed,
)
from services.notifications.domain.messages import Category, Message
from services.notifications.domain.route import Route, Rule

__all__ = ["RULES", "Route", "Rule", "route"]

PREFIX = read.PREFIX


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"


def event_published(d: read.EventPublished) -> Route:
    national = d.scope == "national" or d.region is None
    audience = Interested(None if national else d.region, tuple(d.tags), everyone=national)
    return Route(
        (audience,),
        Message(
            "event_published",
            Category.EVENTS,
            f"New event: {d.title}",
            f"{d.title} on {_when(d.starts_at)} (UTC). Places: {d.capacity}.",
            f"/events/{d.event_id}",
        ),
        exclude=frozenset({d.organiser_member_id or ""}),
    )


def _registration(kind: str, subject: str, text: str) -> Rule:
    def rule(d: read.Registration) -> Route:
        position = d.position if isinstance(d, read.RegistrationWaitlisted) else None
        words = text.format(position=position if position is not None else "")
        return Route(
            (Members((d.member_id,)),),
            Message(kind, Category.EVENTS, subject, words, f"/events/{d.event_id}", True),
        )

    return rule


def reminder(d: read.EventReminderDue) -> Route:
    where = d.join_url or d.venue or ""
    return Route(
        (Members((d.member_id,)),),
        Message(
            "event_reminder",
            Category.EVENTS,
            f"Reminder: {d.title}",
            f"{d.title} starts {_when(d.starts_at)} (UTC). {where}".strip(),
            f"/events/{d.event_id}",
            urgent=True,
        ),
    )


def cancelled(d: read.EventCancelled) -> Route:
    return Route(
        (Members(tuple(d.registered_member_ids)), Registered(d.event_id)),
        Message(
            "event_cancelled",
            Category.EVENTS,
            f"Cancelled: {d.title}",
            f"{d.title} is cancelled. The reason given: {d.reason}",
            f"/events/{d.event_id}",
            urgent=True,
        ),
    )


def plan_status(d: read.PlanStatusChanged) -> Route:
    return Route(
        (Followers("plan", d.plan_id), Followers("plan-team", d.plan_id)),
        Message(
            "plan_status",
            Category.PLANS,
            f"A plan for {d.code} is now {d.status}",
            f"The plan's status changed from {d.previous} to {d.status}. " + (d.note or ""),
            f"/plans/{d.plan_id}",
        ),
        exclude=frozenset({d.changed_by}),
    )


def plan_progress(d: read.PlanProgressReported) -> Route:
    return Route(
        (Followers("plan", d.plan_id), Followers("plan-team", d.plan_id)),
        Message(
            "plan_progress",
            Category.PLANS,
            f"Progress on a plan for {d.code}: {d.rag.upper()}",
            d.summary,
            f"/plans/{d.plan_id}",
        ),
        exclude=frozenset({d.reported_by}),
    )


def plan_overdue(d: read.PlanOverdue) -> Route:
    return Route(
        (Members((d.owner_member_id,)),),
        Message(
            "plan_overdue",
            Category.PLANS,
            f"Overdue: {d.action_title}",
            f'The action "{d.action_title}" on your plan for {d.code} was due on {d.due_on}.',
            f"/plans/{d.plan_id}",
            urgent=True,
        ),
    )


def milestone_missed(d: read.PlanMilestoneMissed) -> Route:
    return Route(
        (
            Members((d.owner_member_id,)),
            Followers("plan-team", d.plan_id),
            Followers("plan", d.plan_id),
        ),
        Message(
            "plan_milestone_missed",
            Category.PLANS,
            f"Milestone missed: {d.milestone_title}",
            f'The milestone "{d.milestone_title}" on a plan for {d.code} was due on '
            f"{d.target_on:%-d %B %Y} and is not marked reached.",
            f"/plans/{d.plan_id}",
            urgent=True,
        ),
    )


def case_study(d: read.CaseStudyShared) -> Route:
    codes = tuple(d.recommendation_codes)
    return Route(
        (
            *(Followers("recommendation", code) for code in codes),
            Interested(None, tuple(d.techniques)),
        ),
        Message(
            "case_study_shared",
            Category.PRACTICE,
            f"Case study: {d.title}",
            f"A case study on {', '.join(codes)} was shared: {d.title}.",
            f"/case-studies/{d.case_study_id}",
        ),
        exclude=frozenset({d.author_member_id}),
    )


def _thread_link(thread_id: str, post: str | None) -> str:
    # The page the post is on: past the first one in a long thread.
    return f"/conversations/{thread_id}" + (f"?from_post={post}#post-{post}" if post else "")


def thread_started(d: read.ThreadStarted) -> Route | None:
    kind, target = d.subject_kind, d.subject_id
    audiences: tuple[Audience, ...]
    if kind in ("recommendation", "plan") and target:
        audiences = (Followers(kind, target),)
    elif kind == "event" and target:
        audiences = (Registered(target),)
    else:
        return None  # a region's or a free topic's thread: found on the site, not pushed
    what = "question" if d.question else "conversation"
    return Route(
        audiences,
        Message(
            "thread_started",
            Category.CONVERSATIONS,
            f"New {what}: {d.title}",
            f"A {what} was started on a {kind.replace('_', ' ')} you follow: {d.title}.",
            _thread_link(d.thread_id, d.post_id),
        ),
        exclude=frozenset({d.author_member_id}),
    )


def post_added(d: read.PostAdded) -> Route:
    return Route(
        (Followers("thread", d.thread_id),),
        Message(
            "reply",
            Category.CONVERSATIONS,
            f"New reply: {d.title}",
            d.excerpt,
            _thread_link(d.thread_id, d.post_id),
        ),
        exclude=frozenset({d.author_member_id}),
    )


def mentioned(d: read.MemberMentioned) -> Route:
    return Route(
        (Members((d.member_id,)),),
        Message(
            "mentioned",
            Category.CONVERSATIONS,
            f"You were mentioned: {d.title}",
            d.excerpt,
            _thread_link(d.thread_id, d.post_id),
        ),
        exclude=frozenset({d.by_member_id}),
    )


def answer_accepted(d: read.AnswerAccepted) -> Route:
    return Route(
        (Members((d.answerer_member_id,)),),
        Message(
            "answer_accepted",
            Category.CONVERSATIONS,
            f"Your answer was accepted: {d.title}",
            f'Your reply to "{d.title}" was marked as the answer.',
            _thread_link(d.thread_id, d.post_id),
        ),
        exclude=frozenset({d.accepted_by}),
    )


RULES: dict[str, Rule] = {
    PREFIX + "member.applied.v1": application,
    PREFIX + "member.approved.v1": approved,
    PREFIX + "member.declined.v1": declined,
    PREFIX + "member.role_changed.v1": role_changed,
    PREFIX + "member.move_requested.v1": move_requested,
    PREFIX + "member.move_declined.v1": move_declined,
    PREFIX + "member.password_changed.v1": password_changed,
    PREFIX + "member.applied_again.v1": applied_again,
    PREFIX + "event.published.v1": event_published,
    PREFIX + "registration.confirmed.v1": _registration(
        "registration_confirmed", "Your place is confirmed", "You have a place."
    ),
    PREFIX + "registration.waitlisted.v1": _registration(
        "registration_waitlisted",
        "You are on the waiting list",
        "The event is full: you are number {position} on the waiting list.",
    ),
    PREFIX + "registration.promoted.v1": _registration(
        "registration_promoted", "You have a place now", "A place freed up: it is yours."
    ),
    PREFIX + "event.reminder_due.v1": reminder,
    PREFIX + "event.cancelled.v1": cancelled,
    PREFIX + "plan.status_changed.v1": plan_status,
    PREFIX + "plan.progress_reported.v1": plan_progress,
    PREFIX + "plan.overdue.v1": plan_overdue,
    PREFIX + "plan.milestone_missed.v1": milestone_missed,
    PREFIX + "case_study.shared.v1": case_study,
    PREFIX + "thread.started.v1": thread_started,
    PREFIX + "post.added.v1": post_added,
    PREFIX + "member.mentioned.v1": mentioned,
    PREFIX + "answer.accepted.v1": answer_accepted,
}


def route(event_type: str, fact: read.Regional) -> Route | None:
    """Whom the fact notifies, with what; `fact` is the type's reader (readers.READERS)."""
    rule = RULES.get(event_type)
    return rule(fact) if rule else None
