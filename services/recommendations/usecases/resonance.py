"""Resonance: members' ballots, the rankings they add up to, and the members read model that
gives each ballot its region."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from services.recommendations import facts
from services.recommendations.domain import ranking
from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.domain.permissions import require_member
from services.recommendations.stores import Ballot, Stores
from services.recommendations.usecases.case_studies import change_study
from services.recommendations.usecases.catalogue import active_codes
from shared.caller import Caller
from shared.cloudevents import Fact
from shared.errors import Invalid, NotFound, Stale
from shared.reference import region_codes
from shared.retry import until_saved

NATIONAL = "national"
# Longer than any ballot write takes from reading the clock to landing (retries included).
BALLOT_WRITE_WINDOW = timedelta(seconds=60)
RECENT_BOUND = 5_000


async def endorse(stores: Stores, *, caller: Caller, codes: list[str]) -> Ballot:
    """Records the member's ranking; each code new to their ballot is one endorsement."""
    require_member(caller)
    ranked = ranking.check_ballot(codes, frozenset(await active_codes(stores)))
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
    codes = await active_codes(stores)
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
            await change_study(stores, study_id, _forget_contact)


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
