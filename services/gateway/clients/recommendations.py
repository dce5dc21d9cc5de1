"""The recommendations service, as the gateway calls it, typed with the models generated from
its OpenAPI document (clients/models/recommendations.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.gateway.clients.http import Services
from services.gateway.clients.models import recommendations as r
from services.gateway.clients.operations import get, request, send
from shared.caller import Caller

SERVICE = "recommendations"

CATALOGUE = get(SERVICE, "/v1/recommendations", list[r.RecommendationView])
RECOMMENDATION = get(SERVICE, "/v1/recommendations/{code}", r.RecommendationView)
RANKINGS = get(SERVICE, "/v1/rankings", r.RankingsView, "region")
MY_BALLOT = get(SERVICE, "/v1/members/me/ranking", r.BallotView)
RANK = send(SERVICE, "PUT", "/v1/members/me/ranking", r.BallotView, r.RankingIn)
WITHDRAW_BALLOT = send(SERVICE, "DELETE", "/v1/members/me/ranking", type(None))
ADOPTION = get(SERVICE, "/v1/adoption", list[r.AdoptionRow])
FOLLOWS = get(SERVICE, "/v1/members/me/follows", r.PageFollowView, "cursor", "limit")
FOLLOW = send(SERVICE, "PUT", "/v1/follows/{kind}/{target}", type(None))
UNFOLLOW = send(SERVICE, "DELETE", "/v1/follows/{kind}/{target}", type(None))
PLANS = get(
    SERVICE,
    "/v1/plans",
    r.PagePlanRow,
    *("code", "region", "scope", "scope_id", "status", "lead", "cursor", "limit"),
)
PLAN = get(SERVICE, "/v1/plans/{plan_id}", r.PlanView)
START_PLAN = send(SERVICE, "POST", "/v1/plans", r.PlanView, r.PlanIn)
CHANGE_STATUS = send(SERVICE, "POST", "/v1/plans/{plan_id}/status", r.PlanView, r.StatusChange)
REPORT_PROGRESS = send(SERVICE, "POST", "/v1/plans/{plan_id}/progress", r.PlanView, r.ProgressIn)
ADD_MILESTONE = send(SERVICE, "POST", "/v1/plans/{plan_id}/milestones", r.PlanView, r.MilestoneIn)
ADD_ACTION = send(SERVICE, "POST", "/v1/plans/{plan_id}/actions", r.PlanView, r.ActionIn)
REACH_MILESTONE = send(
    SERVICE, "POST", "/v1/plans/{plan_id}/milestones/{milestone_id}/reached", r.PlanView
)
LINK_PLAN = send(SERVICE, "POST", "/v1/plans/{plan_id}/parent", r.PlanView, r.ParentIn)
# The answer may be null (no plan a level up): the operation parses either.
_PLAN_ROW_OR_NONE: Any = r.PlanRow | None
PARENT_OFFERED = get(SERVICE, "/v1/plans/{plan_id}/parent-offered", _PLAN_ROW_OR_NONE)
ROLLUP = get(SERVICE, "/v1/plans/{plan_id}/rollup", r.RollUpView)
CASE_STUDIES = get(
    SERVICE,
    "/v1/case-studies",
    r.PageCaseStudyView,
    *("q", "region", "code", "technique", "cursor", "limit"),
)
CASE_STUDY = get(SERVICE, "/v1/case-studies/{case_study_id}", r.CaseStudyView)
SHARE = send(SERVICE, "POST", "/v1/case-studies", r.CaseStudyView, r.CaseStudyIn)
USEFUL = send(SERVICE, "PUT", "/v1/case-studies/{case_study_id}/useful", r.CaseStudyView)
NOT_USEFUL = send(SERVICE, "DELETE", "/v1/case-studies/{case_study_id}/useful", r.CaseStudyView)


class Recommendations:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def catalogue(self, caller: Caller | None) -> list[r.RecommendationView]:
        return await CATALOGUE(self._services, caller)

    async def recommendation(self, caller: Caller, code: str) -> r.RecommendationView:
        return await RECOMMENDATION(self._services, caller, code=code)

    async def rankings(self, caller: Caller | None, region: str | None = None) -> r.RankingsView:
        return await RANKINGS(self._services, caller, query={"region": region})

    async def my_ballot(self, caller: Caller) -> r.BallotView:
        return await MY_BALLOT(self._services, caller)

    async def rank(self, caller: Caller, codes: list[str]) -> r.BallotView:
        return await RANK(self._services, caller, body=request(r.RankingIn, codes=codes))

    async def withdraw_ballot(self, caller: Caller) -> None:
        await WITHDRAW_BALLOT(self._services, caller)

    async def adoption(self, caller: Caller) -> list[r.AdoptionRow]:
        return await ADOPTION(self._services, caller)

    async def follows(self, caller: Caller, *, cursor: str | None, limit: int) -> r.PageFollowView:
        return await FOLLOWS(self._services, caller, query={"cursor": cursor, "limit": limit})

    async def follow(self, caller: Caller, kind: str, target: str, *, on: bool) -> None:
        operation = FOLLOW if on else UNFOLLOW
        await operation(self._services, caller, kind=kind, target=target)

    async def plans(
        self,
        caller: Caller,
        *,
        code: str = "",
        region: str = "",
        status: str = "",
        lead: str | None = None,
        scope: str | None = None,
        scope_id: str | None = None,
        cursor: str | None = None,
        limit: int,
    ) -> r.PagePlanRow:
        query = {
            "code": code,
            "region": region,
            "status": status,
            "lead": lead,
            "scope": scope,
            "scope_id": scope_id,
            "cursor": cursor,
            "limit": limit,
        }
        return await PLANS(self._services, caller, query=query)

    async def plan(self, caller: Caller, plan_id: str) -> r.PlanView:
        return await PLAN(self._services, caller, plan_id=plan_id)

    async def start_plan(self, caller: Caller, plan: r.PlanIn) -> r.PlanView:
        return await START_PLAN(self._services, caller, body=plan)

    async def change_status(
        self, caller: Caller, plan_id: str, *, status: str, note: str
    ) -> r.PlanView:
        body = request(r.StatusChange, status=status, note=note)
        return await CHANGE_STATUS(self._services, caller, plan_id=plan_id, body=body)

    async def report_progress(
        self, caller: Caller, plan_id: str, *, summary: str, rag: str, evidence_links: list[str]
    ) -> r.PlanView:
        body = request(r.ProgressIn, summary=summary, rag=rag, evidence_links=evidence_links)
        return await REPORT_PROGRESS(self._services, caller, plan_id=plan_id, body=body)

    async def add_milestone(
        self, caller: Caller, plan_id: str, *, title: str, target_on: date
    ) -> r.PlanView:
        body = request(r.MilestoneIn, title=title, target_on=target_on)
        return await ADD_MILESTONE(self._services, caller, plan_id=plan_id, body=body)

    async def reach_milestone(self, caller: Caller, plan_id: str, milestone_id: str) -> r.PlanView:
        return await REACH_MILESTONE(
            self._services, caller, plan_id=plan_id, milestone_id=milestone_id
        )

    async def add_action(
        self, caller: Caller, plan_id: str, *, title: str, due_on: date
    ) -> r.PlanView:
        body = request(r.ActionIn, title=title, due_on=due_on)
        return await ADD_ACTION(self._services, caller, plan_id=plan_id, body=body)

    async def link_plan(
        self, caller: Caller, plan_id: str, parent_plan_id: str | None
    ) -> r.PlanView:
        body = request(r.ParentIn, parent_plan_id=parent_plan_id)
        return await LINK_PLAN(self._services, caller, plan_id=plan_id, body=body)

    async def parent_offered(self, caller: Caller, plan_id: str) -> r.PlanRow | None:
        found: r.PlanRow | None = await PARENT_OFFERED(self._services, caller, plan_id=plan_id)
        return found

    async def rollup(self, caller: Caller, plan_id: str) -> r.RollUpView:
        return await ROLLUP(self._services, caller, plan_id=plan_id)

    async def case_studies(
        self,
        caller: Caller | None,
        *,
        cursor: str | None = None,
        limit: int,
        **filters: str,
    ) -> r.PageCaseStudyView:
        query = {**filters, "cursor": cursor, "limit": limit}
        return await CASE_STUDIES(self._services, caller, query=query)

    async def case_study(self, caller: Caller, case_study_id: str) -> r.CaseStudyView:
        return await CASE_STUDY(self._services, caller, case_study_id=case_study_id)

    async def share(self, caller: Caller, study: r.CaseStudyIn) -> r.CaseStudyView:
        return await SHARE(self._services, caller, body=study)

    async def useful(self, caller: Caller, case_study_id: str, *, on: bool) -> r.CaseStudyView:
        operation = USEFUL if on else NOT_USEFUL
        return await operation(self._services, caller, case_study_id=case_study_id)
