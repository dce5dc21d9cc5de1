"""Membership's contribution consumer, fed real Kafka records without a broker: the record
counts each contributing fact once, redelivered or not."""

from __future__ import annotations

from services.conversations import facts as conversations
from services.events import facts as events_facts
from services.membership.consumers import contribution_consumer
from services.membership.stores import Stores
from services.membership.usecases import contribution_record
from services.recommendations import facts as recommendations_facts
from shared.clock import SystemClock
from tests.fakes.membership import (
    InMemoryContributions,
    InMemoryMembers,
    InMemoryOrganisations,
)
from tests.unit.membership.factories import member
from tests.unit.records import consumer_for, fact_record, record


async def test_contributions_are_counted_once_and_nodes_are_not_members() -> None:
    stores = Stores(
        members=InMemoryMembers(),
        organisations=InMemoryOrganisations(),
        contributions=InMemoryContributions(),
        clock=SystemClock(),
    )
    await stores.members.add(member("m"))
    consumer, dead = consumer_for(contribution_consumer, stores)
    endorsed = fact_record(
        recommendations_facts.RecommendationEndorsed(
            member_id="m", code="R4", rank=1, region="LDN"
        ),
        subject="m",
    )
    batch = [
        endorsed,
        endorsed,  # redelivered in the same batch
        fact_record(events_facts.EventPublished(**_published("e1", "m")), subject="e1"),
        fact_record(events_facts.EventPublished(**_published("e2", None)), subject="e2"),
        fact_record(
            events_facts.AttendanceRecorded(
                **{**events_facts.AttendanceRecorded.examples()[0], "member_id": "m"}
            ),
            subject="e1",
        ),
        record(b"not a cloudevent", topic="knet.events.v1"),
    ]
    await consumer.handle_batch(batch)
    await consumer.handle_batch(batch[:1])  # and again in a later batch
    counts = await contribution_record(stores, member_id="m")
    assert (counts["endorsements"], counts["events_hosted"], counts["events_attended"]) == (1, 1, 1)
    assert [d["knet-dlq-reason"] for d in dead] == ["malformed"]


async def test_posts_and_accepted_answers_count_and_are_taken_back() -> None:
    """A hidden post stops counting (and counts again when restored); an answer replaced by
    another stops counting for its author; a replayed batch ends where it ended."""
    stores = Stores(
        members=InMemoryMembers(),
        organisations=InMemoryOrganisations(),
        contributions=InMemoryContributions(),
        clock=SystemClock(),
    )
    for m in ("asker", "a", "b"):
        await stores.members.add(member(m))
    consumer, dead = consumer_for(contribution_consumer, stores)
    thread = {"thread_id": "t1", "subject_kind": "topic", "subject_id": None, "title": "Q?"}
    started = conversations.ThreadStarted(
        **thread,
        post_id="p0",
        author_member_id="asker",
        region="LDN",
        tags=["x"],
        question=True,
    )
    added = [
        conversations.PostAdded(
            **thread,
            post_id=post_id,
            author_member_id=author,
            region="LDN",
            quoted_post_id=None,
            excerpt="x",
        )
        for post_id, author in (("p1", "a"), ("p2", "b"), ("p3", "b"))
    ]
    answer = {"thread_id": "t1", "title": "Q?", "asker_member_id": "asker", "accepted_by": "asker"}
    batch = [
        fact_record(started, subject="t1"),
        *(fact_record(f, subject="t1") for f in added),
        fact_record(
            conversations.PostHidden(
                thread_id="t1",
                post_id="p3",
                author_member_id="b",
                hidden=True,
                reason="Spam",
                by_member_id="f",
            ),
            subject="t1",
        ),
        fact_record(
            conversations.AnswerAccepted(
                **answer,
                post_id="p1",
                answerer_member_id="a",
                previous_post_id=None,
                previous_answerer_member_id=None,
            ),
            subject="t1",
        ),
        fact_record(
            conversations.AnswerAccepted(
                **answer,
                post_id="p2",
                answerer_member_id="b",
                previous_post_id="p1",
                previous_answerer_member_id="a",
            ),
            subject="t1",
        ),
    ]
    for _ in range(2):  # and replayed, as after a crash before the commit
        await consumer.handle_batch(batch)
        counted = {m: (await contribution_record(stores, member_id=m)) for m in ("asker", "a", "b")}
        assert {m: (c["posts"], c["answers_accepted"]) for m, c in counted.items()} == {
            "asker": (1, 0),
            "a": (1, 0),
            "b": (1, 1),
        }
    assert dead == []


def _published(event_id: str, organiser: str | None) -> dict[str, object]:
    example = dict(events_facts.EventPublished.examples()[0])
    return {
        **example,
        "event_id": event_id,
        "organiser_member_id": organiser,
        "organiser_node": None if organiser else "LDN",
    }
