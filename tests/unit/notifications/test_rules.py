"""The rule table, one test per row (services/notifications/domain/rules.py): who hears of
each fact, in which category, and whether it is urgent."""

from __future__ import annotations

from typing import Any

from services.notifications.domain.audiences import (
    Followers,
    Interested,
    Members,
    RegionRole,
    Registered,
)
from services.notifications.domain.messages import Category, Channel
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.rules import RULES, Route, route
from services.notifications.readers import read

P = "uk.nhs.knet."


def route_of(event_type: str, data: dict[str, Any]) -> Route | None:
    """The route of a fact's data read as the consumer reads it (its reader model)."""
    return route(event_type, read(event_type, data))


def routed(fact: str, **data: object) -> Route:
    found = route_of(f"{P}{fact}.v1", data)
    assert found is not None
    return found


def test_an_application_goes_to_the_regions_facilitators() -> None:
    r = routed("member.applied", member_id="a1", region="NW", name="Ada", job_title="Librarian")
    assert r.audiences == (RegionRole("NW", "facilitator"),)
    assert (r.message.category, r.message.urgent, r.message.link) == (
        Category.MEMBERSHIP,
        False,
        "/approvals",
    )
    assert "Ada" in r.message.subject


def test_approval_welcomes_the_applicant() -> None:
    r = routed("member.approved", member_id="a1", region="NW", name="Ada")
    assert r.audiences == (Members(("a1",)),)
    assert r.message.urgent
    assert "Welcome" in r.message.subject


def test_a_decline_tells_the_applicant_why() -> None:
    r = routed(
        "member.declined",
        member_id="a1",
        region="NW",
        name="Ada",
        email="ada@nhs.net",
        reason="Not NHS",
    )
    assert r.audiences == (Members(("a1",)),)
    assert "Not NHS" in r.message.text


def test_a_move_goes_to_the_destinations_facilitators_and_a_decline_to_the_member() -> None:
    r = routed("member.move_requested", member_id="m1", region="NW", from_region="LDN", name="Ada")
    assert r.audiences == (RegionRole("NW", "facilitator"),)
    assert (r.message.category, r.message.link) == (Category.MEMBERSHIP, "/approvals#moves")
    r = routed("member.move_declined", member_id="m1", region="LDN", to_region="NW", reason="No")
    assert r.audiences == (Members(("m1",)),)
    assert r.message.urgent
    assert "No" in r.message.text


def test_account_news_reaches_the_member_by_email_whatever_they_chose() -> None:
    for fact in ("member.password_changed", "member.applied_again"):
        r = routed(fact, member_id="m1", region="LDN", how="reset")
        assert r.audiences == (Members(("m1",)),)
        assert (r.message.urgent, r.message.account) == (True, True)
    quiet = Preferences().changed(channels={"membership": []})
    assert quiet.channels_for(r.message) == {Channel.IN_APP, Channel.EMAIL}


def test_a_published_event_goes_to_matching_interests_in_its_scope() -> None:
    r = routed(
        "event.published",
        event_id="e1",
        region="LDN",
        scope="regional",
        title="Peer assist",
        starts_at="2027-01-12T14:00:00Z",
        tags=["peer assist"],
        capacity=30,
        organiser_member_id="o1",
    )
    assert r.audiences == (Interested("LDN", ("peer assist",)),)
    assert r.exclude == {"o1"}, "the organiser hears nothing of their own event"
    assert r.message.category is Category.EVENTS


def test_a_national_event_goes_to_everyone_who_opted_in() -> None:
    r = routed(
        "event.published",
        event_id="e1",
        region=None,
        scope="national",
        title="Showcase",
        starts_at="2027-01-12T14:00:00Z",
        tags=[],
        capacity=300,
    )
    assert r.audiences == (Interested(None, (), everyone=True),)


def test_registration_confirmed_waitlisted_and_promoted_go_to_the_member() -> None:
    for name, words in (
        ("registration.confirmed", "You have a place"),
        ("registration.waitlisted", "number 3"),
        ("registration.promoted", "it is yours"),
    ):
        r = routed(name, event_id="e1", region="LDN", member_id="m1", position=3)
        assert r.audiences == (Members(("m1",)),)
        assert r.message.urgent
        assert words in r.message.text, name


def test_a_reminder_goes_to_the_member() -> None:
    r = routed(
        "event.reminder_due",
        event_id="e1",
        member_id="m1",
        title="Peer assist",
        starts_at="2027-01-12T14:00:00Z",
        join_url="https://meet.example.nhs.uk/x",
    )
    assert r.audiences == (Members(("m1",)),)
    assert "https://meet.example.nhs.uk/x" in r.message.text


def test_a_cancellation_goes_to_those_registered() -> None:
    r = routed(
        "event.cancelled",
        event_id="e1",
        title="Peer assist",
        reason="Venue closed",
        registered_member_ids=["m1", "m2"],
    )
    assert r.audiences == (Members(("m1", "m2")), Registered("e1"))
    assert "Venue closed" in r.message.text


def test_a_plans_status_and_progress_go_to_its_followers_and_team() -> None:
    status = routed(
        "plan.status_changed",
        plan_id="p1",
        code="R2",
        previous="proposed",
        status="active",
        changed_by="lead",
        note="",
    )
    progress = routed(
        "plan.progress_reported",
        plan_id="p1",
        code="R2",
        reported_by="lead",
        rag="green",
        summary="Three trusts trained",
    )
    for r in (status, progress):
        assert r.audiences == (Followers("plan", "p1"), Followers("plan-team", "p1"))
        assert r.exclude == {"lead"}
        assert r.message.category is Category.PLANS
    assert "Three trusts trained" in progress.message.text


def test_an_overdue_plan_goes_to_its_owner() -> None:
    r = routed(
        "plan.overdue",
        plan_id="p1",
        code="R2",
        action_title="Train leads",
        owner_member_id="o1",
        due_on="2027-01-01",
    )
    assert r.audiences == (Members(("o1",)),)
    assert r.message.urgent


def test_a_missed_milestone_goes_to_the_owner_the_team_and_the_followers() -> None:
    r = routed(
        "plan.milestone_missed",
        plan_id="p1",
        code="R2",
        milestone_title="Every trust has a KM lead",
        owner_member_id="o1",
        target_on="2027-03-31",
    )
    assert r.audiences == (
        Members(("o1",)),
        Followers("plan-team", "p1"),
        Followers("plan", "p1"),
    )
    assert r.message.urgent
    assert r.message.subject == "Milestone missed: Every trust has a KM lead"
    assert "31 March 2027" in r.message.text
    assert r.message.link == "/plans/p1"


def test_a_case_study_goes_to_followers_of_its_recommendations_and_matching_interests() -> None:
    r = routed(
        "case_study.shared",
        case_study_id="c1",
        author_member_id="a1",
        title="Winter peer assist",
        recommendation_codes=["R2", "R4"],
        techniques=["peer assist"],
    )
    assert r.audiences == (
        Followers("recommendation", "R2"),
        Followers("recommendation", "R4"),
        Interested(None, ("peer assist",)),
    )
    assert r.exclude == {"a1"}
    assert r.message.category is Category.PRACTICE


def test_a_role_change_goes_to_the_member() -> None:
    r = routed(
        "member.role_changed",
        member_id="m1",
        region="LDN",
        roles=["member", "core"],
        added=["core"],
        removed=[],
        changed_by="f1",
    )
    assert r.audiences == (Members(("m1",)),)
    assert "core" in r.message.text
    assert (
        route_of(
            f"{P}member.role_changed.v1",
            {"member_id": "m1", "roles": ["member"], "added": [], "removed": []},
        )
        is None
    )


def test_a_new_thread_goes_to_its_subjects_followers_or_an_events_registrants() -> None:
    fields = {"thread_id": "t1", "post_id": "p1", "title": "Clinical librarians?"}
    r = routed(
        "thread.started",
        **fields,
        subject_kind="recommendation",
        subject_id="R4",
        author_member_id="a1",
        question=True,
    )
    assert r.audiences == (Followers("recommendation", "R4"),)
    assert r.exclude == {"a1"}
    assert r.message.subject == "New question: Clinical librarians?"
    assert r.message.link == "/conversations/t1?from_post=p1#post-p1"
    assert r.message.category is Category.CONVERSATIONS
    event = routed(
        "thread.started",
        **fields,
        subject_kind="event",
        subject_id="e1",
        author_member_id="a1",
        question=False,
    )
    assert event.audiences == (Registered("e1"),)
    topic = {"subject_kind": "topic", "subject_id": None, "author_member_id": "a1"}
    assert route_of(f"{P}thread.started.v1", {**fields, **topic}) is None


def test_a_reply_goes_to_those_taking_part_and_not_its_author() -> None:
    r = routed(
        "post.added",
        thread_id="t1",
        post_id="p2",
        title="Clinical librarians?",
        author_member_id="h1",
        excerpt="We do",
    )
    assert r.audiences == (Followers("thread", "t1"),)
    assert r.exclude == {"h1"}
    assert r.message.text == "We do"


def test_a_mention_goes_to_the_member_mentioned() -> None:
    r = routed(
        "member.mentioned",
        thread_id="t1",
        post_id="p2",
        title="Clinical librarians?",
        member_id="c1",
        by_member_id="h1",
        excerpt="@Cal knows",
    )
    assert r.audiences == (Members(("c1",)),)
    assert r.exclude == {"h1"}


def test_an_accepted_answer_goes_to_the_one_who_gave_it() -> None:
    r = routed(
        "answer.accepted",
        thread_id="t1",
        post_id="p2",
        title="Clinical librarians?",
        answerer_member_id="h1",
        asker_member_id="a1",
        accepted_by="a1",
    )
    assert r.audiences == (Members(("h1",)),)
    assert r.exclude == {"a1"}


def test_every_row_of_the_table_has_a_rule_and_nothing_else_does() -> None:
    assert len(RULES) == 23
    assert route_of(f"{P}member.profile_updated.v1", {"member_id": "m1"}) is None


def test_every_rule_reads_the_model_its_fact_is_read_with() -> None:
    from typing import get_type_hints

    from services.notifications.readers import READERS

    assert set(RULES) <= set(READERS), "a rule for a fact that is never read"
    for event_type, rule in RULES.items():
        hints = get_type_hints(rule)
        (parameter,) = (hint for name, hint in hints.items() if name != "return")
        assert issubclass(READERS[event_type], parameter), (event_type, parameter)
