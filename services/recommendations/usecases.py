"""The recommendations service's use cases: load, decide (domain), save with the facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from services.recommendations import facts
from services.recommendations.domain import case_study as case_studies
from services.recommendations.domain import catalogue, ranking
from services.recommendations.domain.adoption import Adoption, adoption
from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.domain.catalogue import Recommendation
from services.recommendations.domain.permissions import may_create_plan, may_edit_plan
from services.recommendations.domain.plan import Plan, Scope, Status
from services.recommendations.repository import (
    Ballot,
    Ballots,
    CaseStudies,
    Catalogue,
    Follows,
    Members,
    Plans,
    Rankings,
)
from shared.auth import Caller
from shared.clock import Clock, new_id
from shared.cloudevents import Fact
from shared.errors import Busy, Conflict, Forbidden, Invalid, NotFound, Stale
from shared.reference import region_codes
from shared.retry import until_saved

NATIONAL = "national"
# Longer than any ballot write takes from reading the clock to landing (retries included).
BALLOT_WRITE_WINDOW = timedelta(seconds=60)
RECENT_BOUND = 5_000
FOLLOWABLE = ("recommendation", "plan")
T = TypeVar("T")


@dataclass
class Stores:
    catalogue: Catalogue
    members: Members
    ballots: Ballots
    rankings: Rankings
    plans: Plans
    case_studies: CaseStudies
    follows: Follows
    clock: Clock
    new_id: Callable[[], str] = field(default=new_id)
    # ranking_changed goes out at most this often, however fast the order moves.
    announce_every: timedelta = timedelta(minutes=1)


# --- catalogue ---------------------------------------------------------------------------


async def seed_catalogue(stores: Stores) -> int:
    return await stores.catalogue.seed(catalogue.seed())


async def recommendation(stores: Stores, code: str) -> Recommendation:
    found = await stores.catalogue.get(code)
    if found is None:
        raise NotFound("recommendation_not_found", f"No recommendation {code}")
    return found


async def add_recommendation(
    stores: Stores,
    *,
    caller: Caller,
    code: str,
    title: str,
    description: str,
    aims: list[str],
    challenges: list[str],
    source: str,
) -> Recommendation:
    _require_operator(caller)
    added = catalogue.new(
        code=code,
        title=title,
        description=description,
        aims=aims,
        challenges=challenges,
        source=source,
    )
    await stores.catalogue.add(added)
    return added


async def retire_recommendation(
    stores: Stores, *, caller: Caller, code: str, reason: str
) -> Recommendation:
    _require_operator(caller)
    retired = (await recommendation(stores, code)).retire(reason=reason, now=stores.clock.now())
    await stores.catalogue.replace(retired)
    return retired


async def _active_codes(stores: Stores) -> list[str]:
    return [r.code for r in await stores.catalogue.all() if r.active]


# --- resonance ---------------------------------------------------------------------------


async def endorse(stores: Stores, *, caller: Caller, codes: list[str]) -> Ballot:
    """Records the member's ranking; each code new to their ballot is one endorsement."""
    _require_member(caller)
    ranked = ranking.check_ballot(codes, frozenset(await _active_codes(stores)))
    member = await stores.members.get(caller.member_id)

    async def attempt() -> Ballot:
        existing = await stores.ballots.get(caller.member_id)
        before = set(existing.ranking) if existing else set()
        region = member.region if member else (existing.region if existing else None)
        endorsed: list[Fact] = [
            facts.RecommendationEndorsed(
                member_id=caller.member_id, code=code, rank=i, region=region
            )
            for i, code in enumerate(ranked, start=1)
            if code not in before
        ]
        ballot = Ballot(
            caller.member_id,
            ranked,
            region,
            stores.clock.now(),
            existing.version if existing else 0,
        )
        await stores.ballots.save(ballot, endorsed, new=existing is None)
        return ballot

    return await until_saved(attempt, busy="Your ballot is changing elsewhere; try again")


async def ballot_of(stores: Stores, *, caller: Caller) -> Ballot:
    found = await stores.ballots.get(caller.member_id)
    if found is None or not found.ranking:
        raise NotFound("no_ballot", "You have not ranked any recommendations")
    return found


async def withdraw_ballot(stores: Stores, *, caller: Caller) -> None:
    await _withdraw(stores, caller.member_id)


async def _withdraw(stores: Stores, member_id: str) -> None:
    """Empties the ballot rather than deleting it: a delete would drop the events still
    waiting in its outbox (an endorsement not yet published)."""

    async def attempt() -> None:
        ballot = await stores.ballots.get(member_id)
        if ballot is not None and ballot.ranking:
            ballot.ranking = ()
            ballot.updated_at = stores.clock.now()
            await stores.ballots.save(ballot, [], new=False)

    await until_saved(attempt, busy=f"Ballot of {member_id} kept changing")


async def recompute_rankings(stores: Stores) -> int:
    """Recomputes the standings, nationally and per region, from every ballot; announces
    each scope whose order changed, at most once per `announce_every` across replicas (the
    snapshot write is versioned: one replica's round wins). Returns the events announced."""
    snapshot = await stores.rankings.get()
    started = stores.clock.now()
    codes = await _active_codes(stores)
    # A ballot stamped before a round's read may land after it: each round remembers the
    # ballots it saw change within the write window, and the next compares them with what
    # the window holds now (an indexed query) before it reads every ballot again.
    if snapshot and codes == snapshot.get("codes") and not snapshot.get("pending"):
        window = snapshot["computed_at"] - BALLOT_WRITE_WINDOW
        if await stores.ballots.changed_since(window) == _seen(snapshot):
            return 0  # nothing moved since the last round, and nothing waits to be announced
    # Taken before the ballots are read: a ballot that lands in between is counted now and
    # seen as new next round, which then merely reads again.
    recent = await stores.ballots.changed_since(started - BALLOT_WRITE_WINDOW)
    by_scope: dict[str, list[tuple[str, ...]]] = {NATIONAL: []}
    by_scope |= {code: [] for code in sorted(region_codes())}
    for ballot, ballot_region in await stores.ballots.all():
        by_scope[NATIONAL].append(ballot)
        if ballot_region in by_scope:
            by_scope[ballot_region].append(ballot)
    standings = {scope: ranking.standings(b, codes) for scope, b in by_scope.items()}
    now = started
    announced: dict[str, dict[str, int]] = (snapshot or {}).get("announced", {})
    last = (snapshot or {}).get("announced_at")
    due = last is None or now - last >= stores.announce_every
    changed = [
        scope
        for scope, found in standings.items()
        if (by_scope[scope] or scope in announced) and ranking.order(found) != announced.get(scope)
    ]
    update: dict[str, Any] = {
        "standings": {s: [asdict(x) for x in found] for s, found in standings.items()},
        "ballots": {s: len(b) for s, b in by_scope.items()},
        "computed_at": now,
        "codes": codes,
        # Beyond a bound, remember nothing: the next round then simply reads every ballot.
        "recent": [[m, t] for m, t in recent.items()] if len(recent) <= RECENT_BOUND else None,
        "pending": bool(changed) and not due,
    }
    news: list[Fact] = []
    if changed and due:
        for scope in changed:
            news.append(
                facts.RankingChanged(
                    scope="national" if scope == NATIONAL else "regional",
                    region=None if scope == NATIONAL else scope,
                    ballots=len(by_scope[scope]),
                    standings=[facts.Standing(**asdict(x)) for x in standings[scope]],
                )
            )
            announced[scope] = ranking.order(standings[scope])
        update |= {"announced": announced, "announced_at": now}
    try:
        await stores.rankings.save(update, snapshot["version"] if snapshot else None, news)
    except Stale:
        return 0  # another replica saved this round
    return len(news)


def _seen(snapshot: dict[str, Any]) -> dict[str, datetime] | None:
    recent = snapshot.get("recent")
    return None if recent is None else {member_id: at for member_id, at in recent}


async def rankings(stores: Stores, *, region: str | None) -> dict[str, Any]:
    scope = region or NATIONAL
    if region is not None and region not in region_codes():
        raise Invalid("unknown_region", f"'{region}' is not a region")
    snapshot = await stores.rankings.get() or {}
    return {
        "scope": "regional" if region else "national",
        "region": region,
        "ballots": snapshot.get("ballots", {}).get(scope, 0),
        "computed_at": snapshot.get("computed_at"),
        "standings": snapshot.get("standings", {}).get(scope, []),
    }


# --- members read model ------------------------------------------------------------------


async def member_changed(
    stores: Stores, *, member_id: str, as_of: datetime, changes: dict[str, Any]
) -> None:
    """What a membership event says of a member; a region change moves their ballot."""
    if not await stores.members.apply(member_id, as_of, changes):
        return
    if "region" in changes:
        await _move_ballot(stores, member_id, changes["region"])


async def member_left(stores: Stores, *, member_id: str, as_of: datetime, erased: bool) -> None:
    """A member who left no longer counts in the rankings; erasure also forgets their follows
    and removes the contact details from their case studies."""
    await stores.members.apply(member_id, as_of, {"active": False})
    await _withdraw(stores, member_id)
    if erased:
        await stores.follows.forget_member(member_id)
        for study_id in await stores.case_studies.ids_by_author(member_id):
            await _change_study(stores, study_id, _forget_contact)


def _forget_contact(study: CaseStudy) -> bool:
    if not study.contact:
        return False
    study.contact = ""
    return True


async def _move_ballot(stores: Stores, member_id: str, region: str | None) -> None:
    async def attempt() -> None:
        ballot = await stores.ballots.get(member_id)
        if ballot is not None and ballot.region != region:
            ballot.region = region
            ballot.updated_at = stores.clock.now()  # the standings of two regions moved
            await stores.ballots.save(ballot, [], new=False)

    await until_saved(attempt, busy=f"Ballot of {member_id} kept changing")


# --- plans -------------------------------------------------------------------------------


async def create_plan(
    stores: Stores,
    *,
    caller: Caller,
    code: str,
    scope: Scope,
    scope_id: str | None,
    region: str | None,
    owner_member_id: str | None,
    co_lead_member_ids: list[str],
    goal: str,
) -> Plan:
    found = await recommendation(stores, code)
    if not found.active:
        raise Conflict("recommendation_retired", f"{code} is retired; it takes no new plans")
    scope_id, region = _place(scope, scope_id, region)
    member = await stores.members.get(caller.member_id)
    organisation = member.organisation_id if member else None
    allowed = may_create_plan(
        caller, scope=scope, scope_id=scope_id, region=region, organisation_id=organisation
    )
    if not allowed:
        raise Forbidden("scope_not_permitted", f"You cannot act for {scope.value} {scope_id}")
    plan = Plan.propose(
        plan_id=stores.new_id(),
        code=code,
        scope=scope,
        scope_id=scope_id,
        region=region,
        owner_member_id=owner_member_id or caller.member_id,
        co_lead_member_ids=co_lead_member_ids,
        goal=goal,
        by=caller.member_id,
        now=stores.clock.now(),
    )
    await stores.plans.add(plan)
    return plan


def _place(scope: Scope, scope_id: str | None, region: str | None) -> tuple[str, str | None]:
    """The plan's scope id and region, checked for its scope."""
    if scope is Scope.NATIONAL:
        return NATIONAL, None
    if scope is Scope.REGION:
        scope_id = scope_id or region
        if scope_id not in region_codes():
            raise Invalid("unknown_region", f"'{scope_id}' is not a region")
        if region not in (None, scope_id):
            raise Invalid("region_mismatch", "A region's plan is in that region")
        return scope_id, scope_id
    if not scope_id:
        raise Invalid("scope_id_required", "Name the organisation (its id)")
    if region not in region_codes():
        raise Invalid("unknown_region", "An organisation's plan names the organisation's region")
    return scope_id, region


async def plan(stores: Stores, plan_id: str) -> Plan:
    found = await stores.plans.get(plan_id)
    if found is None:
        raise NotFound("plan_not_found", f"No plan {plan_id}")
    return found


PlanChange = Callable[[Plan, str, datetime], object]


async def change_plan(stores: Stores, *, caller: Caller, plan_id: str, change: PlanChange) -> Plan:
    """Loads, checks the caller may edit, applies `change(plan, by, now)`, saves with its facts
    (retrying when someone else saved first)."""

    async def attempt() -> Plan:
        found = await plan(stores, plan_id)
        if not may_edit_plan(caller, found):
            raise Forbidden(
                "not_permitted", "Only its owner, co-leads, the region's facilitators or operators"
            )
        recorded = len(found.history)  # every change is recorded: none, nothing to save
        change(found, caller.member_id, stores.clock.now())
        if found.facts or len(found.history) != recorded:
            await stores.plans.save(found)
        return found

    return await until_saved(attempt, busy="Others are changing this plan right now; try again")


async def attach_case_study(
    stores: Stores, *, caller: Caller, plan_id: str, case_study_id: str
) -> Plan:
    await case_study(stores, case_study_id)
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.attach_case_study(case_study_id=case_study_id, by=by, now=now),
    )


async def report_overdue(stores: Stores) -> int:
    """plan.overdue for every action past its due date, once each across replicas (the
    versioned plan write lets one replica report it). Returns how many this call reported."""
    now = stores.clock.now()
    reported = 0
    for plan_id in await stores.plans.with_overdue_actions(now.date()):
        reported += await _report_overdue(stores, plan_id, now)
    return reported


async def _report_overdue(stores: Stores, plan_id: str, now: datetime) -> int:
    async def attempt() -> int:
        found = await plan(stores, plan_id)
        overdue = found.report_overdue(today=now.date(), now=now)
        if overdue:
            await stores.plans.save(found)
        return len(overdue)

    try:
        return await until_saved(attempt, busy=f"Plan {plan_id} kept changing")
    except Busy:
        return 0  # contended: the next round reports it


async def adoption_view(stores: Stores) -> list[Adoption]:
    codes = [r.code for r in await stores.catalogue.all()]
    return adoption(await stores.plans.summaries(), codes)


@dataclass(frozen=True)
class PlanListing:
    code: str | None = None
    region: str | None = None
    scope: Scope | None = None
    status: Status | None = None
    lead: str | None = None  # plans this member owns or co-leads

    def criteria(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.lead:
            found["$or"] = [{"owner_member_id": self.lead}, {"co_lead_member_ids": self.lead}]
        if self.code:
            found["code"] = self.code
        if self.region:
            found["region"] = self.region
        if self.scope:
            found["scope"] = self.scope.value
        if self.status:
            found["status"] = self.status.value
        return found


# --- case studies ------------------------------------------------------------------------


async def share_case_study(stores: Stores, *, caller: Caller, **fields: Any) -> CaseStudy:
    _require_member(caller)
    known = frozenset(r.code for r in await stores.catalogue.all())
    study = case_studies.share(
        case_study_id=stores.new_id(),
        author_member_id=caller.member_id,
        known_codes=known,
        now=stores.clock.now(),
        **fields,
    )
    await stores.case_studies.add(study)
    return study


async def revise_case_study(
    stores: Stores, *, caller: Caller, case_study_id: str, **fields: Any
) -> CaseStudy:
    """Its author (or an operator) corrects or completes a case study."""
    known = frozenset(r.code for r in await stores.catalogue.all())
    changes = case_studies.content(known_codes=known, **fields)

    def revise(study: CaseStudy) -> bool:
        if caller.member_id != study.author_member_id and not caller.has("operator"):
            raise Forbidden("not_permitted", "Only its author or an operator edits a case study")
        return study.revise(changes)

    return await _change_study(stores, case_study_id, revise)


async def case_study(stores: Stores, case_study_id: str) -> CaseStudy:
    found = await stores.case_studies.get(case_study_id)
    if found is None:
        raise NotFound("case_study_not_found", f"No case study {case_study_id}")
    return found


async def mark_useful(
    stores: Stores, *, caller: Caller, case_study_id: str, useful: bool
) -> CaseStudy:
    _require_member(caller)
    if useful:
        return await _change_study(stores, case_study_id, lambda s: s.mark_useful(caller.member_id))
    return await _change_study(stores, case_study_id, lambda s: s.unmark_useful(caller.member_id))


async def _change_study(
    stores: Stores, case_study_id: str, change: Callable[[CaseStudy], bool]
) -> CaseStudy:
    async def attempt() -> CaseStudy:
        study = await case_study(stores, case_study_id)
        if change(study):
            await stores.case_studies.save(study)
        return study

    return await until_saved(
        attempt, busy="Others are changing this case study right now; try again"
    )


@dataclass(frozen=True)
class CaseStudySearch:
    text: str | None = None
    region: str | None = None
    code: str | None = None
    technique: str | None = None

    def criteria(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.region:
            found["region"] = self.region
        if self.code:
            found["recommendation_codes"] = self.code
        if self.technique:
            found["techniques"] = self.technique.strip().lower()
        if self.text and self.text.strip():
            # Every word must appear (any order); escaped, so a search can't be a regex.
            words = self.text.lower().split()[:8]
            found["$and"] = [{"search_text": {"$regex": _escape(w)}} for w in words]
            if tokens := case_studies.words_of(self.text):
                # The candidates come from the index, by the beginning of the longest word.
                longest = max(tokens, key=len)
                found["words"] = {"$elemMatch": {"$gte": longest, "$lt": longest + "\uffff"}}
        return found


def _escape(word: str) -> str:
    return "".join(f"\\{c}" if not c.isalnum() else c for c in word)


# --- follows -----------------------------------------------------------------------------


async def follow(stores: Stores, *, caller: Caller, kind: str, target: str, on: bool) -> None:
    _require_member(caller)
    if kind not in FOLLOWABLE:
        raise NotFound("not_followable", f"Members follow a {' or a '.join(FOLLOWABLE)}")
    if kind == "recommendation":
        await recommendation(stores, target)
    else:
        await plan(stores, target)
    if on:
        await stores.follows.follow(caller.member_id, kind, target, stores.clock.now())
    else:
        await stores.follows.unfollow(caller.member_id, kind, target)


async def follows_of(stores: Stores, *, caller: Caller) -> list[dict[str, Any]]:
    return await stores.follows.of_member(caller.member_id)


def _require_member(caller: Caller) -> None:
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members can do this")


def _require_operator(caller: Caller) -> None:
    if not caller.has("operator"):
        raise Forbidden("not_permitted", "Only operators change the catalogue")
