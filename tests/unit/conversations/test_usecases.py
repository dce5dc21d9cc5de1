"""The conversations use cases on the in-memory stores: a question on a recommendation,
replies quoting and mentioning (strangers stay text), the thread's page with unread markers,
hidden posts kept from members, a locked thread refusing replies, edits, helpful once each,
accepted answers, flags into the region's queue, moves, search by every word, and a new
member held to a few posts at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.conversations import facts as fact
from services.conversations.stores import PostSearch, Stores, ThreadQuery
from services.conversations.usecases import moderation, reading, writing
from shared.caller import Caller
from shared.clock import ManualClock
from shared.errors import Conflict, Forbidden, NotFound, TooMany
from tests.fakes.conversations import (
    InMemoryPosts,
    InMemoryReaders,
    InMemoryThreads,
    in_memory_stores,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ASKER = Caller("asker", "LDN", frozenset({"member"}))
HELPER = Caller("helper", "LDN", frozenset({"member"}))
FACILITATOR = Caller("fac", "LDN", frozenset({"member", "facilitator"}))


@pytest.fixture
async def stores() -> Stores:
    members, threads, posts, readers, flags = in_memory_stores()
    found = Stores(members, threads, posts, readers, flags, clock=ManualClock(NOW))
    for member_id, name in (("asker", "Ann Asker"), ("helper", "Hal Helper"), ("ada", "Ada")):
        await members.apply(
            member_id,
            NOW - timedelta(days=30),
            {
                "name": name,
                "region": "LDN",
                "status": "active",
                "approved_at": NOW - timedelta(days=30),
            },
        )
    return found


def clock(stores: Stores) -> ManualClock:
    assert isinstance(stores.clock, ManualClock)
    return stores.clock


def published(stores: Stores) -> list[object]:
    assert isinstance(stores.threads, InMemoryThreads)
    assert isinstance(stores.posts, InMemoryPosts)
    return [*stores.threads.published, *stores.posts.published]


async def ask(stores: Stores, title: str = "Who runs a clinical librarian service?") -> str:
    thread, _ = await writing.start_thread(
        stores,
        caller=ASKER,
        subject_kind="recommendation",
        subject_id="R4",
        title=title,
        tags=["clinical librarians"],
        question=True,
        body="We are **starting** one. Who has experience?",
    )
    return thread.id


async def test_a_question_gets_replies_quotes_and_mentions(stores: Stores) -> None:
    thread_id = await ask(stores)
    clock(stores).advance(timedelta(minutes=1))
    first = await writing.reply(
        stores,
        caller=HELPER,
        thread_id=thread_id,
        body="We do. @[Ada](member:ada) knows more; @[Ghost](member:ghost) does not exist",
        quoted_post_id=None,
    )
    assert first.mentions == ["ada"]
    assert '<a href="/people/ada"' in first.html
    assert "@Ghost" in first.html
    clock(stores).advance(timedelta(minutes=1))
    second = await writing.reply(
        stores, caller=ASKER, thread_id=thread_id, body="Thanks!", quoted_post_id=first.id
    )
    page = await reading.thread_page(
        stores, caller=ASKER, thread_id=thread_id, cursor=None, limit=50
    )
    assert [p.id for p in page.posts][1:] == [first.id, second.id]
    assert page.quoted[first.id].author_member_id == "helper"
    kinds = [type(f) for f in published(stores)]
    assert kinds == [fact.ThreadStarted, fact.PostAdded, fact.MemberMentioned, fact.PostAdded]
    with pytest.raises(NotFound):
        await writing.reply(
            stores, caller=ASKER, thread_id="nope", body="Hello?", quoted_post_id=None
        )
    assert page.from_start
    at_reply = await reading.thread_page(
        stores, caller=ASKER, thread_id=thread_id, cursor=None, limit=50, from_post=first.id
    )
    assert ([p.id for p in at_reply.posts], at_reply.from_start) == ([first.id, second.id], False)
    other = await ask(stores)
    with pytest.raises(NotFound):
        await reading.thread_page(
            stores, caller=ASKER, thread_id=other, cursor=None, limit=50, from_post=first.id
        )


async def test_unread_markers_move_as_a_member_reads(stores: Stores) -> None:
    thread_id = await ask(stores)
    listed, _ = await reading.threads(
        stores, caller=HELPER, query=ThreadQuery(open_questions=True), cursor=None, limit=10
    )
    assert [(t.id, unread) for t, unread in listed] == [(thread_id, 1)]
    await reading.thread_page(stores, caller=HELPER, thread_id=thread_id, cursor=None, limit=50)
    clock(stores).advance(timedelta(minutes=1))
    await writing.reply(
        stores, caller=ASKER, thread_id=thread_id, body="Anyone?", quoted_post_id=None
    )
    listed, _ = await reading.threads(
        stores,
        caller=HELPER,
        query=ThreadQuery(subject_kind="recommendation", subject_id="R4"),
        cursor=None,
        limit=10,
    )
    assert [unread for _, unread in listed] == [1]
    resumed = await reading.thread_page(
        stores, caller=HELPER, thread_id=thread_id, cursor=None, limit=50, from_unread=True
    )
    first, new = resumed.posts
    assert (first.author_member_id, new.html, resumed.from_start) == (
        "asker",
        "<p>Anyone?</p>\n",
        False,
    ), "where they left off: the last post they read, then the new one"
    never = await reading.thread_page(
        stores, caller=FACILITATOR, thread_id=thread_id, cursor=None, limit=50, from_unread=True
    )
    assert (never.from_start, len(never.posts)) == (True, 2), "never opened: from the start"


async def test_hidden_posts_are_never_served_to_members_and_locked_threads_take_no_replies(
    stores: Stores,
) -> None:
    thread_id = await ask(stores)
    spam = await writing.reply(
        stores, caller=HELPER, thread_id=thread_id, body="Buy now", quoted_post_id=None
    )
    assert await moderation.flag(stores, caller=ASKER, post_id=spam.id, reason="Advertising")
    assert not await moderation.flag(stores, caller=ASKER, post_id=spam.id, reason="Again")
    queue = await moderation.flagged(stores, caller=FACILITATOR, limit=10)
    assert [f.post_id for f in queue] == [spam.id]
    with pytest.raises(Forbidden):
        await moderation.flagged(stores, caller=ASKER, limit=10)
    with pytest.raises(Forbidden):
        await moderation.set_hidden(stores, caller=ASKER, post_id=spam.id, hide=True, reason="Mine")
    await moderation.set_hidden(
        stores, caller=FACILITATOR, post_id=spam.id, hide=True, reason="Advertising"
    )
    assert await moderation.flagged(stores, caller=FACILITATOR, limit=10) == []
    member_view = await reading.thread_page(
        stores, caller=ASKER, thread_id=thread_id, cursor=None, limit=50
    )
    assert spam.id not in [p.id for p in member_view.posts]
    moderator_view = await reading.thread_page(
        stores, caller=FACILITATOR, thread_id=thread_id, cursor=None, limit=50
    )
    assert spam.id in [p.id for p in moderator_view.posts]
    elsewhere = Caller("far", "NW", frozenset({"member", "facilitator"}))
    far_view = await reading.thread_page(
        stores, caller=elsewhere, thread_id=thread_id, cursor=None, limit=50
    )
    assert spam.id not in [p.id for p in far_view.posts], "another region's facilitator"
    with pytest.raises(NotFound):
        await writing.reply(
            stores, caller=ASKER, thread_id=thread_id, body="Quoting", quoted_post_id=spam.id
        )
    await moderation.set_locked(
        stores, caller=FACILITATOR, thread_id=thread_id, locked=True, reason="Resolved offline"
    )
    with pytest.raises(Conflict) as locked:
        await writing.reply(
            stores, caller=HELPER, thread_id=thread_id, body="One more", quoted_post_id=None
        )
    assert locked.value.code == "thread_locked"


async def test_edits_helpful_marks_and_accepted_answers(stores: Stores) -> None:
    thread_id = await ask(stores)
    answer = await writing.reply(
        stores, caller=HELPER, thread_id=thread_id, body="Try the KfH pages", quoted_post_id=None
    )
    edited = await writing.edit(
        stores, caller=HELPER, post_id=answer.id, body="Try the KfH pages, @[Ada](member:ada)"
    )
    assert [r.source for r in edited.history] == ["Try the KfH pages"]
    assert await writing.mark_helpful(stores, caller=ASKER, post_id=answer.id)
    assert not await writing.mark_helpful(stores, caller=ASKER, post_id=answer.id)
    with pytest.raises(Conflict):
        await writing.mark_helpful(stores, caller=HELPER, post_id=answer.id)
    with pytest.raises(Forbidden):
        await moderation.accept_answer(
            stores, caller=HELPER, thread_id=thread_id, post_id=answer.id
        )
    thread = await moderation.accept_answer(
        stores, caller=ASKER, thread_id=thread_id, post_id=answer.id
    )
    assert thread.answer_post_id == answer.id
    open_questions, _ = await reading.threads(
        stores, caller=ASKER, query=ThreadQuery(open_questions=True), cursor=None, limit=10
    )
    assert open_questions == [], "answered: no longer open"
    kinds = [type(f).__name__ for f in published(stores)]
    assert kinds.count("MemberMentioned") == 1, "the edit's new mention"
    assert kinds.count("AnswerAccepted") == 1
    post = await stores.posts.get(answer.id)
    assert post is not None
    assert post.helpful == 1


async def test_search_finds_every_word_with_filters_and_moves_follow(stores: Stores) -> None:
    thread_id = await ask(stores, "Evidence search training for nurses")
    await writing.reply(
        stores,
        caller=HELPER,
        thread_id=thread_id,
        body="Our library runs literature search sessions",
        quoted_post_id=None,
    )
    found, _ = await reading.search(
        stores,
        caller=ASKER,
        text="Library search",
        filters=PostSearch(words=()),
        cursor=None,
        limit=10,
    )
    assert [p.author_member_id for p in found] == ["helper"]
    by_title, _ = await reading.search(
        stores, caller=ASKER, text="nurses", filters=PostSearch(words=()), cursor=None, limit=10
    )
    assert len(by_title) == 2, "a thread's title finds its posts"
    mine, _ = await reading.search(
        stores,
        caller=ASKER,
        text="nurses",
        filters=PostSearch(words=(), author_member_id="asker"),
        cursor=None,
        limit=10,
    )
    assert len(mine) == 1
    await moderation.move(
        stores,
        caller=FACILITATOR,
        thread_id=thread_id,
        subject_kind="region",
        subject_id="LDN",
        reason="A regional matter",
    )
    moved, _ = await reading.search(
        stores,
        caller=ASKER,
        text="nurses",
        filters=PostSearch(words=(), subject_kind="region", subject_id="LDN"),
        cursor=None,
        limit=10,
    )
    assert len(moved) == 2


async def test_a_new_member_posts_a_few_at_a_time(stores: Stores) -> None:
    await stores.members.apply(
        "newbie",
        NOW,
        {
            "name": "New",
            "region": "LDN",
            "status": "active",
            "approved_at": NOW - timedelta(hours=1),
        },
    )
    newbie = Caller("newbie", "LDN", frozenset({"member"}))
    thread_id = await ask(stores)
    for n in range(3):
        await writing.reply(
            stores, caller=newbie, thread_id=thread_id, body=f"Post {n}", quoted_post_id=None
        )
    with pytest.raises(TooMany) as slow:
        await writing.reply(
            stores, caller=newbie, thread_id=thread_id, body="Post 4", quoted_post_id=None
        )
    assert slow.value.code == "slow_down"
    clock(stores).advance(timedelta(minutes=11))
    await writing.reply(
        stores, caller=newbie, thread_id=thread_id, body="Later", quoted_post_id=None
    )
    with pytest.raises(Forbidden):
        await writing.reply(
            stores,
            caller=Caller("applicant", "LDN", frozenset()),
            thread_id=thread_id,
            body="Hi",
            quoted_post_id=None,
        )


async def test_a_member_follows_a_thread_and_stops(stores: Stores) -> None:
    thread_id = await ask(stores)
    assert await writing.follow(stores, caller=HELPER, thread_id=thread_id, following=True)
    assert not await writing.follow(stores, caller=HELPER, thread_id=thread_id, following=True)
    page = await reading.thread_page(
        stores, caller=HELPER, thread_id=thread_id, cursor=None, limit=10
    )
    assert page.following
    assert await writing.follow(stores, caller=HELPER, thread_id=thread_id, following=False)
    assert isinstance(stores.readers, InMemoryReaders)
    assert [f.following for f in stores.readers.published] == [True, False]
    with pytest.raises(NotFound):
        await writing.follow(stores, caller=HELPER, thread_id="nope", following=True)
