"""Plans: transitions, RAG from progress, evidence links, overdue once, history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.recommendations import facts as fact
from services.recommendations.domain.plan import TRANSITIONS, Plan, Rag, Scope, Status
from shared.errors import Conflict, Invalid

NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)


def new_plan() -> Plan:
    return Plan.propose(
        plan_id="p1",
        code="R4",
        scope=Scope.REGION,
        scope_id="LDN",
        region="LDN",
        owner_member_id="owner",
        co_lead_member_ids=["c1", "owner", "c1"],
        goal="  A community of practice in every trust ",
        by="owner",
        now=NOW,
    )


def test_a_proposed_plan_says_so_once() -> None:
    plan = new_plan()
    assert plan.co_lead_member_ids == ["c1"]
    assert plan.goal == "A community of practice in every trust"
    assert [type(f) for f in plan.facts] == [fact.PlanCreated]
    assert plan.key == "R4|region|LDN"
    assert [h.what for h in plan.history] == ["created"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ([Status.ACTIVE, Status.PAUSED, Status.ACTIVE, Status.DONE], True),
        ([Status.ACTIVE, Status.PAUSED, Status.DONE], True),
        ([Status.DONE], False),
        ([Status.PAUSED], False),
        ([Status.ACTIVE, Status.DONE, Status.ACTIVE], False),
        ([Status.ACTIVE, Status.PROPOSED], False),
    ],
)
def test_status_follows_the_allowed_transitions(path: list[Status], allowed: bool) -> None:
    plan = new_plan()
    plan.facts.clear()

    def walk() -> None:
        for status in path:
            plan.change_status(to=status, note="", by="owner", now=NOW)

    if allowed:
        walk()
        assert plan.status is path[-1]
        assert len(plan.facts) == len(path)
    else:
        with pytest.raises(Conflict) as caught:
            walk()
        assert caught.value.code == "forbidden_transition"


def test_done_is_final() -> None:
    assert TRANSITIONS[Status.DONE] == frozenset()


def test_progress_sets_the_rag_and_checks_evidence_links() -> None:
    plan = new_plan()
    plan.report_progress(
        summary="Two trusts started",
        rag=Rag.AMBER,
        evidence_links=["https://example.nhs.uk/a", "http://b.example/x"],
        by="c1",
        now=NOW,
    )
    assert plan.rag is Rag.AMBER
    assert isinstance(plan.facts[-1], fact.PlanProgressReported)
    versions = (len(plan.updates), len(plan.history), len(plan.facts))
    for bad in ("ftp://example.nhs.uk/a", "javascript:alert(1)", "https://", "not a link"):
        with pytest.raises(Invalid) as caught:
            plan.report_progress(summary="x", rag=Rag.GREEN, evidence_links=[bad], by="c1", now=NOW)
        assert caught.value.code == "invalid_evidence_link"
    assert (len(plan.updates), len(plan.history), len(plan.facts)) == versions, "nothing half-done"
    assert plan.rag is Rag.AMBER


def test_an_overdue_action_is_reported_once_and_done_ones_never() -> None:
    plan = new_plan()
    due = date(2027, 2, 1)
    plan.add_action(
        action_id="a1", title="Map KM leads", owner_member_id="c1", due_on=due, by="owner", now=NOW
    )
    plan.add_action(
        action_id="a2", title="Kick-off", owner_member_id="c1", due_on=due, by="owner", now=NOW
    )
    plan.complete_action(action_id="a2", by="c1", now=NOW)
    plan.facts.clear()
    assert plan.next_overdue_check == due
    assert plan.report_overdue(today=due, now=NOW) == [], "due today is not overdue"
    overdue = plan.report_overdue(today=due + timedelta(days=1), now=NOW)
    assert [a.id for a in overdue] == ["a1"]
    assert [type(f) for f in plan.facts] == [fact.PlanOverdue]
    assert plan.report_overdue(today=due + timedelta(days=9), now=NOW) == []
    assert plan.next_overdue_check is None


def test_a_done_plan_takes_no_more_work() -> None:
    plan = new_plan()
    plan.change_status(to=Status.ACTIVE, note="", by="owner", now=NOW)
    plan.change_status(to=Status.DONE, note="", by="owner", now=NOW)
    with pytest.raises(Conflict):
        plan.add_action(
            action_id="a", title="t", owner_member_id="o", due_on=date(2027, 1, 2), by="o", now=NOW
        )
    with pytest.raises(Conflict):
        plan.report_progress(summary="s", rag=Rag.GREEN, evidence_links=[], by="o", now=NOW)


def test_history_records_every_change_with_who_and_when() -> None:
    plan = new_plan()
    later = NOW + timedelta(hours=1)
    plan.revise(by="f1", now=later, goal="Two communities", co_lead_member_ids=["c2"])
    plan.revise(by="f1", now=later, goal="Two communities")  # no change, no entry
    plan.attach_case_study(case_study_id="cs1", by="c2", now=later)
    plan.attach_case_study(case_study_id="cs1", by="c2", now=later)
    assert [(h.what, h.by) for h in plan.history] == [
        ("created", "owner"),
        ("revised", "f1"),
        ("case_study_attached", "c2"),
    ]
    assert plan.history[1].detail == {"goal": "Two communities", "co_leads": ["c2"]}
