"""Recommendations' members consumer, fed real Kafka records without a broker: a member's
region comes from membership's facts, an older redelivered fact undoes nothing, leaving
withdraws the ballot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.membership import facts as membership
from services.recommendations.consumers import members_consumer
from services.recommendations.stores import Stores
from services.recommendations.usecases import catalogue, resonance
from shared.caller import Caller
from shared.clock import SystemClock
from tests.fakes.recommendations import (
    InMemoryBallots,
    InMemoryCaseStudies,
    InMemoryCatalogue,
    InMemoryFollows,
    InMemoryMembers,
    InMemoryPlans,
    InMemoryRankings,
)
from tests.unit.records import consumer_for, fact_record

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def approved(region: str) -> membership.MemberApproved:
    return membership.MemberApproved(
        member_id="m",
        region=region,
        name="Ada",
        email="ada@nhs.net",
        organisation_id=None,
        roles=["member"],
        interests=[],
        approved_by="f",
    )


async def test_the_region_follows_membership_and_leaving_withdraws() -> None:
    stores = Stores(
        catalogue=InMemoryCatalogue(),
        members=InMemoryMembers(),
        ballots=InMemoryBallots(),
        rankings=InMemoryRankings(),
        plans=InMemoryPlans(),
        case_studies=InMemoryCaseStudies(),
        follows=InMemoryFollows(),
        clock=SystemClock(),
    )
    await catalogue.seed_catalogue(stores)
    consumer, dead = consumer_for(members_consumer, stores)
    newer = fact_record(approved("NW"), subject="m", at=T0 + timedelta(hours=1))
    older = fact_record(approved("LDN"), subject="m", at=T0)
    await consumer.handle_batch([newer, older])
    found = await stores.members.get("m")
    assert found is not None
    assert found.region == "NW", "the older fact, redelivered after the newer, undid nothing"
    await resonance.endorse(stores, caller=Caller("m", None, frozenset({"member"})), codes=["R1"])
    left = membership.MemberLeft(member_id="m", region="NW", erased=False)
    await consumer.handle_batch([fact_record(left, subject="m", at=T0 + timedelta(hours=2))])
    assert await stores.ballots.all() == []
    assert dead == []
