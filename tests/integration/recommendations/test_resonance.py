"""Resonance end to end: membership's events give members their regions, members rank
recommendations over HTTP, the rankings are recomputed nationally and per region, and
ranking_changed goes out at most once a minute (controllable clock; counted by ids)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from services.membership import facts as membership
from services.recommendations.usecases.resonance import recompute_rankings
from shared import topics
from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.published import assert_valid, events_about, events_where
from tests.integration.recommendations.conftest import Recs, approved, body, known, publish

CHANGED = "uk.nhs.knet.recommendation.ranking_changed.v1"


async def rank(recs: Recs, member_id: str, codes: list[str], region: str = "LDN") -> Any:
    response = await recs.http.put(
        "/v1/members/me/ranking",
        json={"codes": codes},
        headers=recs.member(member_id, region=region),
    )
    return body(response, 200)


async def standings(recs: Recs, region: str | None = None) -> list[tuple[str, int, int]]:
    params = {"region": region} if region else {}
    found = body(await recs.http.get("/v1/rankings", params=params, headers=recs.member("x")), 200)
    return [(s["code"], s["rank"], s["points"]) for s in found["standings"]]


async def announced_at(recs: Recs, moment: datetime) -> list[dict[str, Any]]:
    """ranking_changed events this service announced at `moment` (the manual clock's time)."""
    return await events_where(
        recs.settings,
        topics.RECOMMENDATIONS,
        lambda e: e["type"] == CHANGED and datetime.fromisoformat(e["time"]) == moment,
        expected=1,
        timeout=5,
    )


async def test_rankings_by_region_announced_at_most_once_a_minute(
    recs: Recs, membership_topic: AIOKafkaProducer
) -> None:
    a, b, c, d = (f"m-{new_id()}" for _ in range(4))
    for member_id, region in ((a, "LDN"), (b, "LDN"), (c, "NW"), (d, "LDN")):
        await publish(membership_topic, approved(member_id, region), member_id=member_id)
    await known(recs, a, b, d, region="LDN")
    await known(recs, c, region="NW")

    ballot = await rank(recs, a, ["R4", "R1", "R3"])
    assert ballot["region"] == "LDN", "the region comes from membership's events"
    await rank(recs, b, ["R1", "R4"])
    await rank(recs, c, ["R4"], region="NW")
    first = recs.clock.now()
    assert await recompute_rankings(recs.stores) == 3  # national, LDN, NW

    assert (await standings(recs))[:3] == [("R4", 1, 5), ("R1", 2, 4), ("R3", 3, 1)]
    assert (await standings(recs, "LDN"))[:3] == [("R1", 1, 4), ("R4", 1, 4), ("R3", 3, 1)]
    assert (await standings(recs, "NW"))[0] == ("R4", 1, 1)
    announced = await announced_at(recs, first)
    assert sorted((e["data"]["scope"], e["data"]["region"]) for e in announced) == [
        ("national", None),
        ("regional", "LDN"),
        ("regional", "NW"),
    ]
    for event in announced:
        assert_valid(event)

    # d's ballot moves LDN's order, but within the minute it is not announced...
    recs.clock.advance(timedelta(seconds=10))
    await rank(recs, d, ["R1"])
    assert await recompute_rankings(recs.stores) == 0
    assert (await standings(recs, "LDN"))[0] == ("R1", 1, 5), "standings are current"
    # ...until the minute has passed: then once, and not again while nothing moves.
    recs.clock.advance(timedelta(seconds=55))
    assert await recompute_rankings(recs.stores) == 2  # national (R1 ties R4) and LDN
    assert await recompute_rankings(recs.stores) == 0
    recs.clock.advance(timedelta(minutes=5))
    computed = (await recs.stores.rankings.get() or {})["computed_at"]
    assert await recompute_rankings(recs.stores) == 0
    snapshot = await recs.stores.rankings.get() or {}
    assert snapshot["computed_at"] == computed, "no ballot changed: the round read none"

    endorsed = await events_about(recs.settings, topics.RECOMMENDATIONS, {a, b, c, d}, expected=7)
    assert sorted((e["subject"], e["data"]["code"], e["data"]["rank"]) for e in endorsed) == sorted(
        [
            (a, "R4", 1),
            (a, "R1", 2),
            (a, "R3", 3),
            (b, "R1", 1),
            (b, "R4", 2),
            (c, "R4", 1),
            (d, "R1", 1),
        ]
    )
    assert len({e["id"] for e in endorsed}) == 7
    for event in endorsed:
        assert_valid(event)


async def test_reranking_endorses_only_what_is_new(
    recs: Recs, membership_topic: AIOKafkaProducer
) -> None:
    member = f"m-{new_id()}"
    await publish(membership_topic, approved(member, "SW"), member_id=member)
    await known(recs, member)
    await rank(recs, member, ["R2"])
    await rank(recs, member, ["R5", "R2"])
    await rank(recs, member, ["R5", "R2"])
    endorsed = await events_about(recs.settings, topics.RECOMMENDATIONS, {member}, expected=2)
    assert [(e["data"]["code"], e["data"]["rank"]) for e in endorsed] == [("R2", 1), ("R5", 1)]


async def test_a_bad_ranking_is_refused_and_writes_nothing(recs: Recs) -> None:
    member = f"m-{new_id()}"
    headers = recs.member(member)
    for codes, problem in (
        (["R1", "R1"], "ranking: R1 ranked more than once"),
        (["R1", "R77"], "ranking: R77 not recommendations open to endorsement"),
    ):
        response = await recs.http.put(
            "/v1/members/me/ranking", json={"codes": codes}, headers=headers
        )
        error = body(response, 422)["error"]
        assert (error["code"], error["details"]["problems"]) == ("invalid_ranking", [problem])
    response = await recs.http.get("/v1/members/me/ranking", headers=headers)
    assert body(response, 404)["error"]["code"] == "no_ballot"
    oversized = await recs.http.put(
        "/v1/members/me/ranking", json={"codes": ["R1"] * 51}, headers=headers
    )
    assert body(oversized, 422)["error"]["code"] == "invalid_request"


async def test_moving_region_moves_the_ballot_and_leaving_withdraws_it(
    recs: Recs, membership_topic: AIOKafkaProducer
) -> None:
    member = f"m-{new_id()}"
    await publish(membership_topic, approved(member, "WAL"), member_id=member)
    await known(recs, member, region="WAL")
    await rank(recs, member, ["R3"], region="WAL")
    moved = membership.MemberProfileUpdated(
        member_id=member,
        region="SCO",
        previous_region="WAL",
        changed=["region"],
        name="Moved",
        organisation_id=None,
        job_title="KM lead",
        interests=[],
        skills=[],
    )
    await publish(membership_topic, moved, member_id=member)

    async def ballot_moved() -> bool:
        # The read model is updated first, then the ballot: wait for the ballot itself.
        response = await recs.http.get("/v1/members/me/ranking", headers=recs.member(member))
        return bool(body(response, 200)["region"] == "SCO")

    await eventually(ballot_moved, what="the ballot moved to the member's new region")

    recs.clock.advance(timedelta(minutes=2))
    await recompute_rankings(recs.stores)
    assert (await standings(recs, "SCO"))[0] == ("R3", 1, 1)
    assert (await standings(recs, "WAL"))[0][2] == 0

    await publish(
        membership_topic,
        membership.MemberLeft(member_id=member, region="SCO", erased=True),
        member_id=member,
    )

    async def withdrawn() -> bool:
        # A withdrawn ballot stays, empty, until its outbox is published.
        ballot = await recs.stores.ballots.get(member)
        return ballot is not None and ballot.ranking == ()

    await eventually(withdrawn, what="the ballot of a member who left withdrawn")
    recs.clock.advance(timedelta(minutes=2))
    await recompute_rankings(recs.stores)
    assert (await standings(recs, "SCO"))[0][2] == 0


async def test_a_redelivered_older_event_does_not_undo_a_newer_one(
    recs: Recs, membership_topic: AIOKafkaProducer
) -> None:
    member = f"m-{new_id()}"
    first = await publish(membership_topic, approved(member, "EOE"), member_id=member)
    moved = membership.MemberProfileUpdated(
        member_id=member,
        region="SE",
        previous_region="EOE",
        changed=["region"],
        name="Moved",
        organisation_id="RTK",
        job_title="KM lead",
        interests=[],
        skills=[],
    )
    await publish(membership_topic, moved, member_id=member)
    await known(recs, member, region="SE")
    # The approval again (a redelivered batch), then a marker event to know it was read.
    await membership_topic.send_and_wait(topics.MEMBERSHIP, first, key=member.encode())
    marker = f"m-{new_id()}"
    await publish(membership_topic, approved(marker, "SW"), member_id=member)
    await known(recs, marker, region="SW")
    found = await recs.stores.members.get(member)
    assert found is not None
    assert (found.region, found.organisation_id) == ("SE", "RTK")


async def test_a_ballot_withdrawn_at_once_still_publishes_its_endorsements(recs: Recs) -> None:
    """Endorsing and withdrawing within one relay round: the withdrawal empties the ballot
    rather than deleting it, so the endorsements waiting in its outbox still go out, once."""
    member = f"quick-{new_id()}"
    await rank(recs, member, ["R1", "R3"])
    withdrawn = await recs.http.delete("/v1/members/me/ranking", headers=recs.member(member))
    assert withdrawn.status_code == 204
    endorsed = await events_where(
        recs.settings,
        topics.RECOMMENDATIONS,
        lambda e: (
            e["type"] == "uk.nhs.knet.recommendation.endorsed.v1"
            and e["data"]["member_id"] == member
        ),
        expected=2,
    )
    assert sorted(e["data"]["code"] for e in endorsed) == ["R1", "R3"]
