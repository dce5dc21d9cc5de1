"""Digests: the member's moment (UK time, daily or Mondays), non-urgent email held for it and
sent as one email listing every item, with one-click unsubscribe for all its categories; once
each, across a repeated round, a redelivered job and a round cut short."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.domain.digests import next_digest_at
from services.notifications.domain.preferences import Preferences
from services.notifications.stores import Stores
from services.notifications.usecases import deliver, digests, inbox, sending
from shared.caller import Caller
from tests.unit.notifications.support import (
    NOW,
    P,
    clock,
    in_memory_stores,
    jobs_of,
    join,
    mailer,
    notify,
    published,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("mode", "hour", "now", "expected"),
    [
        ("daily", 7, "2026-12-01T09:00", "2026-12-02T07:00"),  # winter: UK time is UTC
        ("daily", 10, "2026-12-01T09:00", "2026-12-01T10:00"),
        ("daily", 9, "2026-12-01T09:00", "2026-12-02T09:00"),  # the moment itself has passed
        ("daily", 8, "2027-06-01T12:00", "2027-06-02T07:00"),  # summer: 08:00 UK is 07:00 UTC
        ("daily", 8, "2027-03-27T09:00", "2027-03-28T07:00"),  # the clocks go forward that night
        ("weekly", 8, "2026-12-01T09:00", "2026-12-07T08:00"),  # Tuesday: the next Monday
        ("weekly", 8, "2026-11-30T07:59", "2026-11-30T08:00"),  # Monday before the hour
        ("weekly", 8, "2026-11-30T08:00", "2026-12-07T08:00"),
    ],
)
def test_the_next_digest_is_at_the_members_hour_in_uk_time(
    mode: str, hour: int, now: str, expected: str
) -> None:
    preferences = Preferences(digest=mode, digest_hour=hour)
    assert next_digest_at(preferences, at(now)) == at(expected)


async def digest_member(stores: Stores, member_id: str = "d", mode: str = "daily") -> Caller:
    await join(stores, member_id, interests=["peer assist"])
    caller = Caller(member_id, "LDN", frozenset({"member"}))
    await inbox.change_preferences(
        stores,
        caller=caller,
        channels={"plans": ["in_app", "email"]},
        digest=mode,
        digest_hour=7,
    )
    return caller


async def test_held_email_goes_out_as_one_digest_at_the_members_hour_once() -> None:
    stores = in_memory_stores()
    await digest_member(stores)
    await published(stores, "s1", title="Peer assist <clinic>")
    await published(stores, "s2", event_id="e2", title="Knowledge café")
    await deliver.deliver(stores, jobs_of(stores))
    assert mailer(stores).sent == [], "non-urgent email waits for the digest"
    assert await digests.send_due(stores) == 0
    clock(stores).set(datetime(2026, 12, 2, 6, 59, tzinfo=UTC))
    assert await digests.send_due(stores) == 0, "not before the member's hour"

    clock(stores).set(datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    assert await digests.send_due(stores) == 1
    assert await digests.send_due(stores) == 0, "a second round sends nothing"
    (email,) = mailer(stores).sent
    assert email.subject == "KM Network: 2 updates for you today"
    assert "Peer assist &lt;clinic&gt;" in email.html
    assert "Knowledge café" in email.html
    assert "Peer assist <clinic>" in email.text
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The same jobs again (a redelivery after the digest went) hold nothing new.
    counts = await deliver.deliver(stores, jobs_of(stores))
    assert counts["held"] == 0
    clock(stores).advance(timedelta(days=1))
    assert await digests.send_due(stores) == 0
    assert len(mailer(stores).sent) == 1


async def test_urgent_news_is_not_held_and_a_later_item_waits_for_the_next_digest() -> None:
    stores = in_memory_stores()
    await digest_member(stores)
    await notify(
        stores,
        source_id="s-urgent",
        source_type=P + "event.cancelled.v1",
        data={"event_id": "e1", "title": "Peer assist", "reason": "Snow"},
    )
    await stores.audiences.set("event", "e1", "d", active=True, as_of=NOW)
    await notify(
        stores,
        source_id="s-urgent2",
        source_type=P + "event.cancelled.v1",
        data={"event_id": "e1", "title": "Peer assist", "reason": "Snow"},
    )
    await deliver.deliver(stores, jobs_of(stores))
    assert [e.subject for e in mailer(stores).sent] != [], "a cancellation is sent at once"
    sent_now = len(mailer(stores).sent)

    clock(stores).set(datetime(2026, 12, 2, 7, 30, tzinfo=UTC))
    await published(stores, "late")
    await deliver.deliver(stores, [j for j in jobs_of(stores) if j.source_id == "late"])
    assert await digests.send_due(stores) == 0, "held after 07:00: tomorrow's digest"
    clock(stores).set(datetime(2026, 12, 3, 7, 0, tzinfo=UTC))
    assert await digests.send_due(stores) == 1
    assert len(mailer(stores).sent) == sent_now + 1
    assert mailer(stores).sent[-1].subject == "KM Network: 1 update for you today"


async def test_a_digests_unsubscribe_stops_every_category_in_it_and_a_weekly_one_waits() -> None:
    stores = in_memory_stores()
    await digest_member(stores, mode="weekly")
    await published(stores, "s1")
    await stores.audiences.set("plan", "p1", "d", active=True, as_of=NOW)
    await notify(
        stores,
        source_id="s-plan",
        source_type=P + "plan.progress_reported.v1",
        data={"plan_id": "p1", "code": "R2", "reported_by": "o", "rag": "green", "summary": "Ok"},
    )
    await deliver.deliver(stores, jobs_of(stores))
    clock(stores).set(datetime(2026, 12, 6, 7, 0, tzinfo=UTC))
    assert await digests.send_due(stores) == 0, "weekly: not until Monday"
    clock(stores).set(datetime(2026, 12, 7, 7, 0, tzinfo=UTC))
    assert await digests.send_due(stores) == 1
    (email,) = [e for e in mailer(stores).sent if e.subject.startswith("KM Network: ")]
    assert email.subject.endswith("this week")
    token = email.headers["List-Unsubscribe"].strip("<>").split("token=")[1]
    categories = await inbox.unsubscribe(stores, token=token)
    assert sorted(categories) == ["events", "plans"]
    member = await stores.directory.get("d")
    assert member is not None
    for category in categories:
        assert "email" not in member.preferences.as_dict()["channels"][category]


async def test_an_unsubscribe_after_holding_leaves_that_item_out() -> None:
    stores = in_memory_stores()
    caller = await digest_member(stores)
    await published(stores, "s1")
    await deliver.deliver(stores, jobs_of(stores))
    await inbox.change_preferences(
        stores, caller=caller, channels={"events": ["in_app"]}, digest=None, digest_hour=None
    )
    clock(stores).set(datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    assert await digests.send_due(stores) == 0
    assert mailer(stores).sent == []
    assert await stores.deliveries.digests_due(clock(stores).now(), 10) == [], "closed"


async def test_a_round_cut_short_is_finished_by_the_next_with_one_email() -> None:
    stores = in_memory_stores()
    await digest_member(stores)
    await published(stores, "s1")
    await deliver.deliver(stores, jobs_of(stores))
    clock(stores).set(datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    real = stores.deliveries.digested

    async def crash(digest_id: str, at: datetime) -> None:
        raise RuntimeError("killed after the digest was recorded")

    stores.deliveries.digested = crash  # type: ignore[method-assign]
    mailer(stores).down = True
    with pytest.raises(RuntimeError):
        await digests.send_due(stores)
    stores.deliveries.digested = real  # type: ignore[method-assign]
    mailer(stores).down = False
    assert await digests.send_due(stores) == 0, "recorded before: the retry loop sends it"
    assert await sending.send_due(stores) == 0, "once the try's lease has run out"
    clock(stores).advance(timedelta(minutes=3))
    assert await sending.send_due(stores) == 1
    assert await digests.send_due(stores) == 0
    assert len(mailer(stores).sent) == 1
