"""An implementation plan: one per (recommendation, scope, scope id), with its actions,
milestones, status, RAG rating, progress updates and full history. Every change is a method
here, recorded in the history and, where others care, as a fact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlparse

from services.recommendations import facts as fact
from shared.errors import Conflict, Invalid, NotFound

MAX_CO_LEADS = 10
MAX_ACTIONS = 200
MAX_MILESTONES = 50
MAX_EVIDENCE = 10


class Scope(StrEnum):
    ORGANISATION = "organisation"
    REGION = "region"
    NATIONAL = "national"


class Status(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


# Done is final: reopening a finished plan would rewrite what was reported as achieved;
# start a new phase as a progress update instead.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PROPOSED: frozenset({Status.ACTIVE}),
    Status.ACTIVE: frozenset({Status.PAUSED, Status.DONE}),
    Status.PAUSED: frozenset({Status.ACTIVE, Status.DONE}),
    Status.DONE: frozenset(),
}


@dataclass
class Action:
    id: str
    title: str
    owner_member_id: str
    due_on: date
    done_at: datetime | None = None
    overdue_reported: bool = False


@dataclass
class Milestone:
    id: str
    title: str
    target_on: date
    reached_at: datetime | None = None
    missed_reported: bool = False


@dataclass(frozen=True)
class ProgressUpdate:
    at: datetime
    by: str
    summary: str
    rag: Rag
    evidence_links: tuple[str, ...]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: str
    what: str
    detail: dict[str, Any]


@dataclass
class Plan:
    id: str
    code: str
    scope: Scope
    scope_id: str
    region: str | None  # national plans have none; organisation plans their organisation's
    owner_member_id: str
    goal: str
    co_lead_member_ids: list[str] = field(default_factory=list)
    status: Status = Status.PROPOSED
    rag: Rag | None = None
    actions: list[Action] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    updates: list[ProgressUpdate] = field(default_factory=list)
    case_study_ids: list[str] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    created_at: datetime | None = None
    # The organisation it was made for, when that one merged into `scope_id`: the survivor
    # may have its own plan for the recommendation, and both are kept.
    merged_from: str | None = None
    # The plan a level up it contributes to (same recommendation): its roll-up counts this one.
    parent_plan_id: str | None = None
    version: int = 0
    facts: list[fact.PlanFact] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What makes a plan unique: a second plan for the same key is refused."""
        key = f"{self.code}|{self.scope.value}|{self.scope_id}"
        return f"{key}|from:{self.merged_from}" if self.merged_from else key

    @classmethod
    def propose(
        cls,
        *,
        plan_id: str,
        code: str,
        scope: Scope,
        scope_id: str,
        region: str | None,
        owner_member_id: str,
        co_lead_member_ids: list[str],
        goal: str,
        by: str,
        now: datetime,
    ) -> Plan:
        plan = cls(
            id=plan_id,
            code=code,
            scope=scope,
            scope_id=scope_id,
            region=region,
            owner_member_id=owner_member_id,
            goal=_text("goal", goal),
            co_lead_member_ids=_co_leads(co_lead_member_ids, owner_member_id),
            created_at=now,
        )
        plan._record(by, now, "created", goal=plan.goal, owner=owner_member_id)
        plan.facts.append(
            fact.PlanCreated(
                plan_id=plan.id,
                code=code,
                scope=scope.value,
                scope_id=scope_id,
                region=region,
                owner_member_id=owner_member_id,
                co_lead_member_ids=plan.co_lead_member_ids,
                goal=plan.goal,
                status=plan.status.value,
            )
        )
        return plan

    def leads(self) -> frozenset[str]:
        return frozenset({self.owner_member_id, *self.co_lead_member_ids})

    def revise(
        self,
        *,
        by: str,
        now: datetime,
        goal: str | None = None,
        owner_member_id: str | None = None,
        co_lead_member_ids: list[str] | None = None,
    ) -> None:
        changed: dict[str, Any] = {}
        if goal is not None and _text("goal", goal) != self.goal:
            self.goal = changed["goal"] = _text("goal", goal)
        if owner_member_id is not None and owner_member_id != self.owner_member_id:
            self.owner_member_id = changed["owner"] = owner_member_id
        if co_lead_member_ids is not None:
            co_leads = _co_leads(co_lead_member_ids, self.owner_member_id)
            if co_leads != self.co_lead_member_ids:
                self.co_lead_member_ids = changed["co_leads"] = co_leads
        elif "owner" in changed:
            self.co_lead_member_ids = _co_leads(self.co_lead_member_ids, self.owner_member_id)
        if changed:
            self._record(by, now, "revised", **changed)

    def add_action(
        self,
        *,
        action_id: str,
        title: str,
        owner_member_id: str,
        due_on: date,
        by: str,
        now: datetime,
    ) -> Action:
        self._open()
        if len(self.actions) >= MAX_ACTIONS:
            raise Invalid("too_many_actions", f"A plan has at most {MAX_ACTIONS} actions")
        action = Action(action_id, _text("title", title), owner_member_id, due_on)
        self.actions.append(action)
        self._record(
            by,
            now,
            "action_added",
            action_id=action_id,
            title=action.title,
            due_on=due_on.isoformat(),
        )
        return action

    def complete_action(self, *, action_id: str, by: str, now: datetime) -> None:
        action = self._action(action_id)
        if action.done_at is None:
            action.done_at = now
            self._record(by, now, "action_done", action_id=action_id)

    def add_milestone(
        self, *, milestone_id: str, title: str, target_on: date, by: str, now: datetime
    ) -> Milestone:
        self._open()
        if len(self.milestones) >= MAX_MILESTONES:
            raise Invalid("too_many_milestones", f"A plan has at most {MAX_MILESTONES} milestones")
        milestone = Milestone(milestone_id, _text("title", title), target_on)
        self.milestones.append(milestone)
        self._record(by, now, "milestone_added", milestone_id=milestone_id, title=milestone.title)
        return milestone

    def reach_milestone(self, *, milestone_id: str, by: str, now: datetime) -> None:
        milestone = next((m for m in self.milestones if m.id == milestone_id), None)
        if milestone is None:
            raise NotFound("milestone_not_found", f"No milestone {milestone_id} in this plan")
        if milestone.reached_at is None:
            milestone.reached_at = now
            self._record(by, now, "milestone_reached", milestone_id=milestone_id)

    def change_status(self, *, to: Status, note: str, by: str, now: datetime) -> None:
        if to is self.status:
            return
        if to not in TRANSITIONS[self.status]:
            allowed = ", ".join(sorted(s.value for s in TRANSITIONS[self.status])) or "none"
            raise Conflict(
                "forbidden_transition",
                f"A {self.status.value} plan cannot become {to.value} (allowed: {allowed})",
                allowed=sorted(s.value for s in TRANSITIONS[self.status]),
            )
        previous, self.status = self.status, to
        self._record(by, now, "status_changed", previous=previous.value, status=to.value, note=note)
        self.facts.append(
            fact.PlanStatusChanged(
                plan_id=self.id,
                code=self.code,
                region=self.region,
                previous=previous.value,
                status=to.value,
                changed_by=by,
                note=note,
            )
        )

    def report_progress(
        self, *, summary: str, rag: Rag, evidence_links: list[str], by: str, now: datetime
    ) -> ProgressUpdate:
        self._open()
        update = ProgressUpdate(now, by, _text("summary", summary), rag, _links(evidence_links))
        self.updates.append(update)
        self.rag = rag
        self._record(
            by, now, "progress_reported", rag=rag.value, evidence=len(update.evidence_links)
        )
        self.facts.append(
            fact.PlanProgressReported(
                plan_id=self.id,
                code=self.code,
                region=self.region,
                reported_by=by,
                rag=rag.value,
                summary=update.summary,
                evidence_links=list(update.evidence_links),
            )
        )
        return update

    def attach_case_study(self, *, case_study_id: str, by: str, now: datetime) -> None:
        if case_study_id not in self.case_study_ids:
            self.case_study_ids.append(case_study_id)
            self._record(by, now, "case_study_attached", case_study_id=case_study_id)

    def report_overdue(self, *, today: date, now: datetime) -> list[Action]:
        """Actions past their due date and not done, each reported once (plan.overdue)."""
        if self.status is Status.DONE:
            return []
        found = [
            a
            for a in self.actions
            if a.done_at is None and a.due_on < today and not a.overdue_reported
        ]
        for action in found:
            action.overdue_reported = True
            self._record("scheduler", now, "action_overdue", action_id=action.id)
            self.facts.append(
                fact.PlanOverdue(
                    plan_id=self.id,
                    code=self.code,
                    region=self.region,
                    action_id=action.id,
                    action_title=action.title,
                    action_owner_member_id=action.owner_member_id,
                    owner_member_id=self.owner_member_id,
                    due_on=action.due_on,
                )
            )
        return found

    def report_missed(self, *, today: date, now: datetime) -> list[Milestone]:
        """Milestones past their date and not reached, each reported once
        (plan.milestone_missed: the owner, the team and the plan's followers hear)."""
        if self.status is Status.DONE:
            return []
        found = [
            m
            for m in self.milestones
            if m.reached_at is None and m.target_on < today and not m.missed_reported
        ]
        for milestone in found:
            milestone.missed_reported = True
            self._record("scheduler", now, "milestone_missed", milestone_id=milestone.id)
            self.facts.append(
                fact.PlanMilestoneMissed(
                    plan_id=self.id,
                    code=self.code,
                    region=self.region,
                    milestone_id=milestone.id,
                    milestone_title=milestone.title,
                    target_on=milestone.target_on,
                    owner_member_id=self.owner_member_id,
                )
            )
        return found

    @property
    def next_overdue_check(self) -> date | None:
        """The earliest due date still to watch (the scheduler's index key)."""
        if self.status is Status.DONE:
            return None
        dates = [a.due_on for a in self.actions if a.done_at is None and not a.overdue_reported]
        dates += [
            m.target_on for m in self.milestones if m.reached_at is None and not m.missed_reported
        ]
        return min(dates, default=None)

    def _action(self, action_id: str) -> Action:
        action = next((a for a in self.actions if a.id == action_id), None)
        if action is None:
            raise NotFound("action_not_found", f"No action {action_id} in this plan")
        return action

    def _open(self) -> None:
        if self.status is Status.DONE:
            raise Conflict("plan_done", "The plan is done; it takes no more changes")

    def link_to(self, parent: Plan | None, *, by: str, now: datetime) -> bool:
        """Contributes to `parent` (None: to no plan); True when that changed anything."""
        if parent is not None:
            check_parent(self, parent)
        wanted = parent.id if parent else None
        if wanted == self.parent_plan_id:
            return False
        self.parent_plan_id = wanted
        self._record(by, now, "linked", parent_plan_id=wanted)
        self.facts.append(
            fact.PlanLinked(
                plan_id=self.id,
                code=self.code,
                region=self.region,
                scope=self.scope.value,
                parent_plan_id=wanted,
                linked_by=by,
            )
        )
        return True

    def follow_merge(
        self, *, from_organisation_id: str, into_organisation_id: str, now: datetime
    ) -> None:
        """Its organisation merged into another: the plan belongs to that one now, its
        history saying so (a facilitator decided the merge)."""
        if self.scope is not Scope.ORGANISATION or self.scope_id != from_organisation_id:
            return
        self.scope_id = into_organisation_id
        self.merged_from = from_organisation_id
        self._record(
            "network", now, "organisation_merged", from_organisation_id=from_organisation_id
        )

    def _record(self, by: str, now: datetime, what: str, **detail: Any) -> None:
        self.history.append(HistoryEntry(now, by, what, detail))


def _text(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise Invalid(f"{name}_required", f"The {name} is required")
    return value


def _co_leads(members: list[str], owner: str) -> list[str]:
    co_leads = [m for m in dict.fromkeys(members) if m != owner]
    if len(co_leads) > MAX_CO_LEADS:
        raise Invalid("too_many_co_leads", f"A plan has at most {MAX_CO_LEADS} co-leads")
    return co_leads


def _links(links: list[str]) -> tuple[str, ...]:
    if len(links) > MAX_EVIDENCE:
        raise Invalid("too_many_links", f"At most {MAX_EVIDENCE} evidence links")
    bad = [link for link in links if not is_web_link(link)]
    if bad:
        raise Invalid("invalid_evidence_link", "Evidence links must be http(s) URLs", links=bad)
    return tuple(dict.fromkeys(links))


def is_web_link(link: str) -> bool:
    parsed = urlparse(link)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in link


# Each level contributes to the one above it.
PARENT_SCOPE = {Scope.ORGANISATION: Scope.REGION, Scope.REGION: Scope.NATIONAL}


def parent_place(plan: Plan) -> tuple[Scope, str] | None:
    """Where the plan it could contribute to is: (scope, scope id); None for a national one."""
    above = PARENT_SCOPE.get(plan.scope)
    if above is None:
        return None
    if above is Scope.REGION:
        return (above, plan.region) if plan.region else None
    return above, "national"


def check_parent(plan: Plan, parent: Plan) -> None:
    if parent.code != plan.code:
        raise Invalid("parent_other_recommendation", f"The parent plan is for {parent.code}")
    if parent_place(plan) != (parent.scope, parent.scope_id):
        raise Invalid(
            "parent_wrong_level",
            "A local plan contributes to its region's plan, a regional plan to the national one",
        )
