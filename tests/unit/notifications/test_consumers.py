"""The notifications consumers fed real Kafka records without a broker: a member's approval
both teaches the read model and welcomes them (in that order); the same record twice gives one
job; jobs are handled in bulk; unknown types are skipped, malformed ones dead-lettered."""

from __future__ import annotations

from services.membership import facts as membership
from services.notifications.consumers import jobs_consumer, sources_consumer
from services.notifications.facts import NotificationJob
from services.notifications.stores import Stores
from tests.fakes.notifications import (
    InMemoryFanouts,
    InMemoryInbox,
    InMemoryMailer,
)
from tests.unit.notifications.support import in_memory_stores
from tests.unit.records import consumer_for, envelope, fact_record, record


def stores() -> Stores:
    return in_memory_stores()


async def test_an_approval_is_learned_then_welcomed_once_and_the_job_delivered() -> None:
    s = stores()
    sources, dead = consumer_for(sources_consumer, s)
    approved = fact_record(
        membership.MemberApproved(
            member_id="m1",
            region="LDN",
            name="Ada",
            email="ada@nhs.net",
            organisation_id=None,
            roles=["member"],
            interests=["Evidence Search"],
            approved_by="f1",
        ),
        subject="m1",
    )
    unknown = record(
        envelope("uk.nhs.knet.new.thing.v1", {"x": 1}, source="/s", subject="x").to_json()
    )
    await sources.handle_batch([approved, approved, unknown, record(b"not json")])
    assert [d["knet-dlq-reason"] for d in dead] == ["malformed"]
    member = await s.directory.get("m1")
    assert member is not None
    assert (member.email, member.interests) == ("ada@nhs.net", frozenset({"evidence search"}))
    assert isinstance(s.fanouts, InMemoryFanouts)
    jobs = [j for j in s.fanouts.published if isinstance(j, NotificationJob)]
    assert [(j.member_id, j.message["kind"]) for j in jobs] == [("m1", "welcome")]

    workers, dead_jobs = consumer_for(jobs_consumer, s)
    job_record = fact_record(jobs[0], subject="m1")
    await workers.handle_batch([job_record, job_record])
    assert isinstance(s.inbox, InMemoryInbox)
    assert [i.message.kind for i in s.inbox.items.values()] == ["welcome"]
    assert isinstance(s.mailer, InMemoryMailer)
    assert [e.to for e in s.mailer.sent] == ["ada@nhs.net"]
    assert dead_jobs == []
