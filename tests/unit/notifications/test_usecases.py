"""The notifications use cases on the in-memory stores: the read model, fan-out into chunks
of jobs (once per source fact), delivery to the inbox and by email (once per member and
channel), preferences and digest, a mail server that is down (nothing lost) or refuses an
address (marked failing, no retry), one-click unsubscribe, and the inbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from services.notifications.facts import NotificationDelivered
from services.notifications.stores import Stores
from services.notifications.usecases import deliver, inbox, sending
from shared.caller import Caller
from shared.clock import ManualClock
from shared.errors import Invalid, NotFound
from tests.fakes.notifications import (
    InMemoryDeliveries,
    InMemoryFanouts,
    InMemoryInbox,
)
from tests.unit.notifications.support import (
    NOW,
    P,
    attachment_fact,
    in_memory_stores,
    jobs_of,
    join,
    mailer,
    notify,
    published,
)


def mailer_facts(stores: Stores) -> list[NotificationDelivered]:
    assert isinstance(stores.deliveries, InMemoryDeliveries)
    return [f for f in stores.deliveries.published if isinstance(f, NotificationDelivered)]


@pytest.fixture
def stores() -> Stores:
    return in_memory_stores(fanout_chunk=2)


async def test_a_fact_fans_out_in_chunks_once(stores: Stores) -> None:
    for m, interests in (("a", ["peer assist"]), ("b", ["peer assist"]), ("c", ["peer assist"])):
        await join(stores, m, interests=interests)
    await join(stores, "elsewhere", "NW", interests=["peer assist"])
    await join(stores, "other", interests=["taxonomy"])
    assert await published(stores, "s1") == 3
    assert await published(stores, "s1") == 0, "a redelivered fact adds no jobs"
    assert sorted(j.member_id for j in jobs_of(stores)) == ["a", "b", "c"]
    assert isinstance(stores.fanouts, InMemoryFanouts)
    assert sorted(stores.fanouts.chunks) == ["s1|0", "s1|1"], "chunks of fanout_chunk"


async def test_jobs_are_delivered_once_per_member_and_channel(stores: Stores) -> None:
    await join(stores, "a", interests=["peer assist"])
    await join(stores, "b", interests=["peer assist"])
    await published(stores, "s1")
    jobs = jobs_of(stores)
    first = await deliver.deliver(stores, jobs)
    again = await deliver.deliver(stores, jobs + jobs)
    assert first == {"inbox": 2, "email": 2, "webhook": 0, "held": 0}
    assert again == {"inbox": 0, "email": 0, "webhook": 0, "held": 0}
    assert [e.to for e in mailer(stores).sent] == ["a@nhs.net", "b@nhs.net"]
    assert isinstance(stores.inbox, InMemoryInbox)
    facts = [f for f in stores.inbox.published if isinstance(f, NotificationDelivered)]
    assert sorted(f.member_id for f in facts) == ["a", "b"]
    # Each carries the region of the fact it is about, for regional nodes to route by.
    assert {j.region for j in jobs} == {f.region for f in facts} == {"LDN"}
    assert {d.region for d in mailer_facts(stores)} == {"LDN"}


async def test_preferences_choose_the_channels_and_digest_keeps_non_urgent_email(
    stores: Stores,
) -> None:
    for m in ("quiet", "digest"):
        await join(stores, m, interests=["peer assist"])
    await inbox.change_preferences(
        stores,
        caller=Caller("quiet", "LDN", frozenset({"member"})),
        channels={"events": ["in_app"]},
        digest=None,
        digest_hour=None,
    )
    await inbox.change_preferences(
        stores,
        caller=Caller("digest", "LDN", frozenset({"member"})),
        channels=None,
        digest="daily",
        digest_hour=7,
    )
    await published(stores, "s1")
    counts = await deliver.deliver(stores, jobs_of(stores))
    assert counts == {"inbox": 2, "email": 0, "webhook": 0, "held": 1}
    with pytest.raises(Invalid):
        await inbox.change_preferences(
            stores,
            caller=Caller("quiet", "LDN", frozenset({"member"})),
            channels={"gossip": ["email"]},
            digest="hourly",
            digest_hour=30,
        )


async def test_email_waits_while_the_server_is_down_and_stops_for_a_refused_address(
    stores: Stores,
) -> None:
    await join(stores, "a", interests=["peer assist"])
    await join(stores, "bad", interests=["peer assist"])
    mailer(stores).down = True
    mailer(stores).refusing.add("bad@nhs.net")
    await published(stores, "s1")
    counts = await deliver.deliver(stores, jobs_of(stores))
    assert counts == {"inbox": 2, "email": 0, "webhook": 0, "held": 0}
    assert await sending.send_due(stores) == 0, "not due yet: backing off"
    mailer(stores).down = False
    assert isinstance(stores.clock, ManualClock)
    stores.clock.advance(timedelta(minutes=2))
    assert await sending.send_due(stores) == 1
    assert [e.to for e in mailer(stores).sent] == ["a@nhs.net"]
    bad = await stores.directory.get("bad")
    assert bad is not None
    assert bad.preferences.email_failing, "refused: the channel is marked failing"
    stores.clock.advance(timedelta(hours=2))
    assert await sending.send_due(stores) == 0, "and never tried again"
    await published(stores, "s2")
    await deliver.deliver(stores, [j for j in jobs_of(stores) if j.source_id == "s2"])
    assert [e.to for e in mailer(stores).sent] == ["a@nhs.net", "a@nhs.net"]


async def test_an_email_escapes_member_text_and_carries_one_click_unsubscribe(
    stores: Stores,
) -> None:
    await join(stores, "a", interests=["peer assist"])
    await published(stores, "s1")
    await deliver.deliver(stores, jobs_of(stores))
    (email,) = mailer(stores).sent
    assert "Peer assist &lt;clinic&gt;" in email.html
    assert "Peer assist <clinic>" in email.text
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = email.headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://knet.example.nhs.uk/unsubscribe?token=")
    token = link.split("token=")[1]
    assert await inbox.unsubscribe(stores, token=token) == ["events"]
    assert await inbox.unsubscribe(stores, token=token) == ["events"], "a second click is fine"
    await published(stores, "s2")
    counts = await deliver.deliver(stores, [j for j in jobs_of(stores) if j.source_id == "s2"])
    assert counts == {"inbox": 1, "email": 0, "webhook": 0, "held": 0}
    with pytest.raises(Invalid):
        await inbox.unsubscribe(stores, token=token[:-2] + "xx")


async def test_an_unsubscribe_link_lasts_a_year_and_never_undoes_a_later_choice(
    stores: Stores,
) -> None:
    await join(stores, "a", interests=["peer assist"])
    await published(stores, "s1")
    await deliver.deliver(stores, jobs_of(stores))
    (email,) = mailer(stores).sent
    token = email.headers["List-Unsubscribe"].strip("<>").split("token=")[1]
    assert isinstance(stores.clock, ManualClock)
    stores.clock.advance(timedelta(days=1))
    caller = Caller("a", "LDN", frozenset({"member"}))
    # The member chooses email for events again, after the email was sent.
    await inbox.change_preferences(
        stores,
        caller=caller,
        channels={"events": ["in_app", "email"]},
        digest=None,
        digest_hour=None,
    )
    with pytest.raises(Invalid) as stale:
        await inbox.unsubscribe(stores, token=token)
    assert stale.value.code == "unsubscribe_link_stale"
    await published(stores, "s2", event_id="e2")
    await deliver.deliver(stores, [j for j in jobs_of(stores) if j.source_id == "s2"])
    fresh = mailer(stores).sent[-1].headers["List-Unsubscribe"].strip("<>").split("token=")[1]
    stores.clock.advance(timedelta(days=364))
    assert await inbox.unsubscribe(stores, token=fresh) == ["events"]
    stores.clock.advance(timedelta(days=2))
    with pytest.raises(Invalid) as expired:
        await inbox.unsubscribe(stores, token=fresh)
    assert expired.value.code == "unsubscribe_link_expired"


async def test_the_inbox_pages_counts_and_marks_read(stores: Stores) -> None:
    await join(stores, "a", interests=["peer assist"])
    for source in ("s1", "s2", "s3"):
        await published(stores, source)
        assert isinstance(stores.clock, ManualClock)
        stores.clock.advance(timedelta(minutes=1))
    await deliver.deliver(stores, jobs_of(stores))
    me = Caller("a", "LDN", frozenset({"member"}))
    assert await inbox.unread(stores, caller=me) == 3
    page, cursor = await inbox.page(stores, caller=me, cursor=None, limit=2, unread_only=False)
    assert [i.source_id for i in page] == ["s3", "s2"], "newest first"
    rest, last = await inbox.page(stores, caller=me, cursor=cursor, limit=2, unread_only=False)
    assert ([i.source_id for i in rest], last) == (["s1"], None)
    await inbox.mark_read(stores, caller=me, item_id=page[0].id)
    assert await inbox.unread(stores, caller=me) == 2
    with pytest.raises(NotFound):
        await inbox.mark_read(
            stores, caller=Caller("b", "LDN", frozenset({"member"})), item_id=page[0].id
        )
    assert await inbox.mark_all_read(stores, caller=me) == 2
    assert await inbox.unread(stores, caller=me) == 0


async def test_followers_and_team_hear_of_a_plan_and_not_its_reporter(stores: Stores) -> None:
    for m in ("owner", "colead", "fan", "stranger"):
        await join(stores, m)
    await attachment_fact(
        stores,
        P + "plan.created.v1",
        {"plan_id": "p1", "owner_member_id": "owner", "co_lead_member_ids": ["colead"]},
        NOW,
    )
    await attachment_fact(
        stores, P + "follow.started.v1", {"member_id": "fan", "kind": "plan", "target": "p1"}, NOW
    )
    await attachment_fact(
        stores,
        P + "follow.started.v1",
        {"member_id": "stranger", "kind": "plan", "target": "p1"},
        NOW,
    )
    await attachment_fact(
        stores,
        P + "follow.stopped.v1",
        {"member_id": "stranger", "kind": "plan", "target": "p1"},
        NOW + timedelta(seconds=1),
    )
    jobs = await notify(
        stores,
        source_id="s1",
        source_type=P + "plan.progress_reported.v1",
        data={
            "plan_id": "p1",
            "code": "R2",
            "reported_by": "owner",
            "rag": "green",
            "summary": "Going well",
        },
    )
    assert jobs == 2
    assert sorted(j.member_id for j in jobs_of(stores)) == ["colead", "fan"]


async def test_a_delivery_is_tried_by_one_round_at_a_time(stores: Stores) -> None:
    """The worker that records an email sends it under a lease; the retry loop (in this
    process or another) takes a due one only by claiming it: never two sends of one email."""
    await join(stores, "a", interests=["peer assist"])
    await published(stores, "s1")
    await asyncio.gather(deliver.deliver(stores, jobs_of(stores)), sending.send_due(stores))
    assert len(mailer(stores).sent) == 1
    mailer(stores).down = True
    await published(stores, "s2")
    await deliver.deliver(stores, [j for j in jobs_of(stores) if j.source_id == "s2"])
    mailer(stores).down = False
    assert isinstance(stores.clock, ManualClock)
    stores.clock.advance(timedelta(minutes=1))
    sent = await asyncio.gather(*(sending.send_due(stores) for _ in range(3)))
    assert sorted(sent) == [0, 0, 1]
    assert len(mailer(stores).sent) == 2


async def test_a_job_for_a_member_not_known_yet_waits_for_their_approval(stores: Stores) -> None:
    """A registration's fact may overtake the member's approval (another topic): the job is
    kept, and delivered once when the approval arrives."""
    await attachment_fact(
        stores,
        P + "registration.confirmed.v1",
        {"event_id": "e1", "member_id": "late", "title": "Peer assist"},
        NOW,
    )
    await notify(
        stores,
        source_id="s-reg",
        source_type=P + "registration.confirmed.v1",
        data={"event_id": "e1", "member_id": "late", "title": "Peer assist", "starts_at": "x"},
    )
    counts = await deliver.deliver(stores, jobs_of(stores))
    assert counts["inbox"] == 0
    await join(stores, "late")
    await deliver.release(stores, "late")
    await deliver.release(stores, "late")
    me = Caller("late", "LDN", frozenset({"member"}))
    items, _ = await inbox.page(stores, caller=me, cursor=None, limit=10, unread_only=False)
    assert [i.source_id for i in items] == ["s-reg"]
    assert len(mailer(stores).sent) == 1, "their place, by email too, once"


async def test_replies_reach_those_taking_part_and_following_not_those_who_stopped(
    stores: Stores,
) -> None:
    for m in ("asker", "helper", "watcher", "muted"):
        await join(stores, m)
    thread = {"thread_id": "t1", "title": "Q?", "subject_kind": "topic", "subject_id": None}
    for event_type, data in (
        ("thread.started", {**thread, "post_id": "p0", "author_member_id": "asker"}),
        ("post.added", {**thread, "post_id": "p1", "author_member_id": "muted"}),
        ("thread.followed", {"thread_id": "t1", "member_id": "watcher", "following": True}),
        ("thread.followed", {"thread_id": "t1", "member_id": "muted", "following": False}),
    ):
        await attachment_fact(stores, f"{P}{event_type}.v1", data, NOW)
    # The unfollow is newer than the post that made "muted" take part.
    await attachment_fact(
        stores,
        f"{P}thread.followed.v1",
        {"thread_id": "t1", "member_id": "muted", "following": False},
        NOW + timedelta(seconds=1),
    )
    jobs = await notify(
        stores,
        source_id="s-reply",
        source_type=f"{P}post.added.v1",
        data={**thread, "post_id": "p2", "author_member_id": "helper", "excerpt": "Yes"},
    )
    assert jobs == 2
    assert sorted(j.member_id for j in jobs_of(stores)) == ["asker", "watcher"]
