"""One suite, two implementations: the conversations service's MongoDB repositories and its
in-memory ones behave alike (the use-case tests run on the in-memory ones)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.conversations.domain.threads import (
    Hidden,
    Post,
    PostShown,
    Revision,
    Subject,
    Thread,
    start,
)
from services.conversations.facts import ThreadFollowed
from services.conversations.repository import (
    INDEXES,
    Flags,
    Members,
    Posts,
    Readers,
    Threads,
)
from services.conversations.stores import Flag, PostSearch, Reading, Stores, ThreadQuery
from shared.clock import ManualClock, SystemClock, new_id
from shared.errors import Stale
from shared.mongo import ensure_indexes
from tests.fakes.conversations import in_memory_stores

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def stores(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[Stores]:
    if request.param == "memory":
        members, threads, posts, readers, flags = in_memory_stores()
        yield Stores(members, threads, posts, readers, flags, clock=ManualClock(NOW))
        return
    db = mongo[f"knet_conversations_contract_{new_id()}"]
    await ensure_indexes(db, INDEXES)
    clock = SystemClock()
    yield Stores(
        Members(db),
        Threads(db, clock),
        Posts(db, clock),
        Readers(db, clock),
        Flags(db),
        clock=clock,
    )


def post(post_id: str, thread_id: str, minutes: int, source: str = "hello", **extra: Any) -> Post:
    return Post(
        id=post_id,
        thread_id=thread_id,
        author_member_id=extra.pop("author", "m1"),
        source=source,
        html=f"<p>{source}</p>",
        created_at=NOW + timedelta(minutes=minutes),
        **extra,
    )


async def thread(
    stores: Stores,
    thread_id: str,
    *,
    subject: Subject | None = None,
    title: str = "Clinical librarians in London",
    tags: tuple[str, ...] = ("outreach",),
    question: bool = True,
    minutes: int = 0,
) -> Thread:
    first = post(f"{thread_id}-p0", thread_id, minutes, "We are starting one")
    found = start(
        thread_id=thread_id,
        post=first,
        subject=subject or Subject.of("recommendation", "R4"),
        title=title,
        tags=list(tags),
        question=question,
        region="LDN",
        mentioned=[],
        now=first.created_at,
    )
    await stores.threads.add(found, first)
    return found


async def test_members_keep_the_newest_fact(stores: Stores) -> None:
    await stores.members.apply("m1", NOW, {"name": "Ada", "status": "active", "approved_at": NOW})
    await stores.members.apply("m1", NOW - timedelta(hours=1), {"name": "Old"})
    found = await stores.members.get_many(["m1", "nobody"])
    assert list(found) == ["m1"]
    assert (found["m1"].name, found["m1"].active, found["m1"].approved_at) == ("Ada", True, NOW)


async def test_threads_are_saved_at_their_version_and_listed_by_activity(stores: Stores) -> None:
    a = await thread(stores, "ta", minutes=0)
    await thread(stores, "tb", minutes=1, question=False, subject=Subject.of("region", "NW"))
    await thread(stores, "tc", minutes=2, tags=("taxonomy",))
    await stores.threads.touched("ta", NOW + timedelta(minutes=5))
    await stores.threads.touched("ta", NOW + timedelta(minutes=3))  # never moves back
    listed, cursor = await stores.threads.page(ThreadQuery(), cursor=None, limit=2)
    assert [t.id for t in listed] == ["ta", "tc"]
    rest, end = await stores.threads.page(ThreadQuery(), cursor=cursor, limit=2)
    assert ([t.id for t in rest], end) == (["tb"], None)
    loaded = await stores.threads.get("ta")
    assert loaded is not None
    assert loaded.last_post_at == NOW + timedelta(minutes=5)
    assert loaded.facts == []
    loaded.locked, loaded.lock_reason = True, "done"
    await stores.threads.save(loaded)
    stale = replace(a, version=0)
    with pytest.raises(Stale):
        await stores.threads.save(stale)
    again = await stores.threads.get("ta")
    assert again is not None
    assert (again.locked, again.version) == (True, 1)
    open_questions, _ = await stores.threads.page(
        ThreadQuery(open_questions=True, tag="outreach"), cursor=None, limit=10
    )
    assert [t.id for t in open_questions] == ["ta"]
    by_subject, _ = await stores.threads.page(
        ThreadQuery(subject_kind="region", subject_id="NW"), cursor=None, limit=10
    )
    assert [t.id for t in by_subject] == ["tb"]
    by_region, _ = await stores.threads.page(ThreadQuery(region="NW"), cursor=None, limit=10)
    assert [t.id for t in by_region] == ["tb"]


async def test_posts_page_count_search_and_keep_hidden_ones_apart(stores: Stores) -> None:
    t = await thread(stores, "t1", title="Evidence search for nurses")
    for n in range(1, 4):
        await stores.posts.add(post(f"p{n}", "t1", n, f"reply number {n} about library"), t, [])
    hidden = post("p4", "t1", 4, "spam", hidden=Hidden("Advertising", "f", NOW))
    await stores.posts.add(hidden, t, [])
    page, cursor = await stores.posts.page("t1", with_hidden=False, cursor=None, limit=3)
    assert [p.id for p in page] == ["t1-p0", "p1", "p2"]
    rest, end = await stores.posts.page("t1", with_hidden=False, cursor=cursor, limit=3)
    assert ([p.id for p in rest], end) == (["p3"], None)
    everything, _ = await stores.posts.page("t1", with_hidden=True, cursor=None, limit=10)
    assert everything[-1].hidden == Hidden("Advertising", "f", NOW)
    since = everything[2].created_at  # p2's
    later, more = await stores.posts.page(
        "t1", with_hidden=False, cursor=None, limit=1, since=since
    )
    assert [p.id for p in later] == ["p2"], "from that time on"
    last, _ = await stores.posts.page("t1", with_hidden=False, cursor=more, limit=5, since=since)
    assert [p.id for p in last] == ["p3"]
    assert await stores.posts.count_after("t1", None) == 4
    assert await stores.posts.count_after("t1", NOW + timedelta(minutes=1)) == 2
    assert len(await stores.posts.recent_by("m1", NOW + timedelta(minutes=2))) == 3
    found, _ = await stores.posts.search(
        PostSearch(words=("library", "nurses")), cursor=None, limit=10
    )
    assert [p.id for p in found] == ["p3", "p2", "p1"], "newest first; hidden never"
    assert (await stores.posts.search(PostSearch(words=("spam",)), cursor=None, limit=10))[0] == []
    filtered, _ = await stores.posts.search(
        PostSearch(words=("nurses",), author_member_id="m1", tag="outreach"), cursor=None, limit=2
    )
    assert len(filtered) == 2


async def test_edits_helpful_and_moves(stores: Stores) -> None:
    t = await thread(stores, "t1")
    await stores.posts.add(post("p1", "t1", 1, "first words"), t, [])
    p = await stores.posts.get("p1")
    assert p is not None
    p.history.append(Revision(p.source, p.html, p.created_at))
    p.source, p.html = "second words", "<p>second words</p>"
    await stores.posts.save(p)
    with pytest.raises(Stale):
        await stores.posts.save(replace(p, version=0))
    assert await stores.posts.mark_helpful("p1", "m2")
    assert not await stores.posts.mark_helpful("p1", "m2")
    again = await stores.posts.get("p1")
    assert again is not None
    assert (again.source, again.helpful, again.version) == ("second words", 1, 1)
    found, _ = await stores.posts.search(PostSearch(words=("second",)), cursor=None, limit=5)
    assert [f.id for f in found] == ["p1"], "an edit's words are found"
    t.subject, t.region = Subject.of("region", "NW"), "NW"
    await stores.posts.moved(t)
    moved, _ = await stores.posts.search(
        PostSearch(words=("second",), subject_kind="region", subject_id="NW", region="NW"),
        cursor=None,
        limit=5,
    )
    assert [f.id for f in moved] == ["p1"]
    many = await stores.posts.shown(["p1", "t1-p0", "nope"])
    assert sorted(many) == ["p1", "t1-p0"]
    shown = many["p1"]
    assert (shown.html, shown.helpful, shown.edits) == ("<p>second words</p>", 1, 1)
    assert shown == PostShown.of(again), "as a page shows it, less only its words' sources"


async def test_read_marks_only_move_forward_and_flags_queue_once(stores: Stores) -> None:
    await stores.readers.mark("m1", "t1", NOW + timedelta(minutes=2))
    await stores.readers.mark("m1", "t1", NOW)
    later = NOW + timedelta(minutes=2)
    assert await stores.readers.read_up_to("m1", ["t1", "t2"]) == {"t1": later}
    assert await stores.readers.get("m1", "t1") == Reading(read_up_to=later, following=False)
    flag = Flag("p1", "t1", "m2", "Advertising", "LDN", NOW)
    assert await stores.flags.add(flag)
    assert not await stores.flags.add(flag)
    await stores.flags.add(replace(flag, post_id="p9", region="NW", at=NOW + timedelta(1)))
    assert [f.post_id for f in await stores.flags.open_in("LDN", limit=10)] == ["p1"]
    assert [f.post_id for f in await stores.flags.open_in(None, limit=10)] == ["p1", "p9"]
    await stores.flags.close("p1")
    assert await stores.flags.open_in("LDN", limit=10) == []


async def test_a_follow_is_recorded_once_per_change_beside_the_read_marker(
    stores: Stores,
) -> None:
    fact = ThreadFollowed(thread_id="t1", member_id="m1", following=True)
    assert await stores.readers.get("m1", "t1") == Reading()
    assert await stores.readers.follow("m1", "t1", True, fact)
    assert not await stores.readers.follow("m1", "t1", True, fact), "so already"
    assert await stores.readers.get("m1", "t1") == Reading(following=True)
    assert await stores.readers.read_up_to("m1", ["t1"]) == {}, "followed, never opened"
    await stores.readers.mark("m1", "t1", NOW)
    unfollowed = fact.model_copy(update={"following": False})
    assert await stores.readers.follow("m1", "t1", False, unfollowed)
    assert await stores.readers.get("m1", "t1") == Reading(read_up_to=NOW, following=False)
    await stores.readers.mark("m2", "t1", NOW)
    assert await stores.readers.follow("m2", "t1", False, unfollowed), "a reader's first choice"
    assert await stores.readers.get("m2", "t1") == Reading(read_up_to=NOW, following=False)


async def test_a_first_read_and_a_first_follow_at_once_both_count(stores: Stores) -> None:
    """Both upsert the same new document: whichever inserts it, the other still applies."""
    for i in range(20):
        thread_id = f"race{i}"
        fact = ThreadFollowed(thread_id=thread_id, member_id="m1", following=True)
        _, followed = await asyncio.gather(
            stores.readers.mark("m1", thread_id, NOW),
            stores.readers.follow("m1", thread_id, True, fact),
        )
        assert followed
        assert await stores.readers.get("m1", thread_id) == Reading(NOW, following=True)
