"""The conversation rules: subjects, titles and tags; replies to locked threads refused;
quotes of this thread's visible posts; edits by the author within the window with history;
answers accepted by the asker or a facilitator (and changed); hiding, locking and moving by
the region's facilitators or operators, with a reason; new members' posting rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.conversations import facts as fact
from services.conversations.domain.limits import check_rate
from services.conversations.domain.threads import (
    EDIT_WINDOW,
    Post,
    Subject,
    SubjectKind,
    Thread,
    start,
)
from shared.caller import Caller
from shared.errors import Conflict, Forbidden, Invalid, TooMany

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ASKER = Caller("asker", "LDN", frozenset({"member"}))
OTHER = Caller("other", "LDN", frozenset({"member"}))
FACILITATOR = Caller("fac", "LDN", frozenset({"member", "facilitator"}))
FAR_FACILITATOR = Caller("far", "NW", frozenset({"member", "facilitator"}))
OPERATOR = Caller("op", None, frozenset({"member", "operator"}))


def post(post_id: str, author: str = "asker", **extra: object) -> Post:
    return Post(
        id=post_id,
        thread_id="t1",
        author_member_id=author,
        source=f"words of {post_id}",
        html=f"<p>words of {post_id}</p>",
        created_at=NOW,
        **extra,  # type: ignore[arg-type]
    )


def begin(
    subject: Subject,
    title: str = "A thread to talk in",
    tags: tuple[str, ...] = (),
    *,
    question: bool = False,
    mentioned: tuple[str, ...] = (),
) -> Thread:
    return start(
        thread_id="t1",
        post=post("p1"),
        subject=subject,
        title=title,
        tags=list(tags),
        question=question,
        region="LDN",
        mentioned=list(mentioned),
        now=NOW,
    )


def question(mentioned: tuple[str, ...] = ()) -> Thread:
    return begin(
        Subject.of("recommendation", "R4"),
        "Who runs a clinical librarian service?",
        ("Clinical Librarians", "clinical librarians", "outreach"),
        question=True,
        mentioned=mentioned,
    )


def test_a_thread_starts_on_a_subject_with_its_facts() -> None:
    thread = question(mentioned=("m9", "asker"))
    assert thread.tags == ["clinical librarians", "outreach"]
    started, mention = thread.facts
    assert isinstance(started, fact.ThreadStarted)
    assert (started.subject_kind, started.subject_id, started.question) == (
        "recommendation",
        "R4",
        True,
    )
    assert isinstance(mention, fact.MemberMentioned)
    assert mention.member_id == "m9", "mentioning yourself tells no one"
    region = begin(Subject.of("region", "NW"), "North west news")
    assert region.region == "NW", "a region's thread is moderated by that region"


@pytest.mark.parametrize(
    ("kind", "subject_id"),
    [("gossip", "x"), ("topic", "x"), ("plan", None), ("region", "ATLANTIS"), ("event", "x" * 65)],
)
def test_an_unknown_subject_is_refused(kind: str, subject_id: str | None) -> None:
    with pytest.raises(Invalid) as refused:
        Subject.of(kind, subject_id)
    assert refused.value.code == "unknown_subject"


def test_titles_tags_and_topics_are_checked() -> None:
    with pytest.raises(Invalid) as refused:
        begin(Subject.of("topic", None), "Hi", ("x" * 51,))
    assert refused.value.details["problems"] == [
        "title: Give a title of 5 to 150 characters",
        "tags: Give at most 8 tags of at most 50 characters",
    ]
    with pytest.raises(Invalid):
        begin(Subject(SubjectKind.TOPIC, None), "A free topic without tags")


def test_replies_quote_visible_posts_and_a_locked_thread_takes_none() -> None:
    thread = question()
    reply = post("p2", "other", quoted_post_id="p1")
    added, mention = thread.reply_facts(reply, ["m3"], post("p1"))
    assert isinstance(added, fact.PostAdded)
    assert added.quoted_post_id == "p1"
    assert isinstance(mention, fact.MemberMentioned)
    elsewhere = Post("px", "t9", "asker", "x", "x", NOW)
    with pytest.raises(Invalid):
        thread.reply_facts(post("p3", "other"), [], elsewhere)
    assert thread.set_locked(FACILITATOR, locked=True, reason="Said all there is", now=NOW)
    with pytest.raises(Conflict) as locked:
        thread.reply_facts(post("p4", "other"), [], None)
    assert locked.value.code == "thread_locked"
    assert thread.moderation[-1]["reason"] == "Said all there is"


def test_the_author_edits_within_the_window_and_the_history_is_kept() -> None:
    mine = post("p2", "other", mentions=["m1"])
    with pytest.raises(Forbidden):
        mine.edit(ASKER, source="new", html="<p>new</p>", mentions=[], region="LDN", now=NOW)
    newly = mine.edit(
        OTHER, source="new", html="<p>new</p>", mentions=["m1", "m2"], region="LDN", now=NOW
    )
    assert newly == ["m2"], "only new mentions are told"
    assert [r.source for r in mine.history] == ["words of p2"]
    assert (
        mine.edit(OTHER, source="new", html="<p>new</p>", mentions=[], region="LDN", now=NOW) == []
    )
    assert len(mine.facts) == 1, "the same words again change nothing"
    with pytest.raises(Conflict) as late:
        mine.edit(
            OTHER,
            source="later",
            html="x",
            mentions=[],
            region="LDN",
            now=NOW + EDIT_WINDOW + timedelta(seconds=1),
        )
    assert late.value.code == "edit_window_closed"


def test_the_asker_or_a_facilitator_accepts_an_answer_and_may_change_it() -> None:
    thread = question()
    first, second = post("p2", "other"), post("p3", "third")
    with pytest.raises(Forbidden):
        thread.accept(OTHER, first)
    with pytest.raises(Forbidden):
        thread.accept(FAR_FACILITATOR, first)
    with pytest.raises(Invalid):
        thread.accept(ASKER, post("p1"))
    assert thread.accept(ASKER, first)
    assert not thread.accept(ASKER, first), "once"
    assert thread.accept(FACILITATOR, second)
    accepted = [f for f in thread.facts if isinstance(f, fact.AnswerAccepted)]
    assert [(f.post_id, f.previous_answerer_member_id) for f in accepted] == [
        ("p2", None),
        ("p3", "other"),
    ]
    discussion = begin(Subject.of("plan", "pl1"), "Our plan's progress")
    with pytest.raises(Conflict):
        discussion.accept(ASKER, post("p2", "other"))


def test_moderators_hide_restore_lock_and_move_with_a_reason() -> None:
    reply = post("p2", "other")
    with pytest.raises(Forbidden):
        reply.set_hidden(FAR_FACILITATOR, "LDN", hide=True, reason="Advertising", now=NOW)
    with pytest.raises(Invalid):
        reply.set_hidden(FACILITATOR, "LDN", hide=True, reason="", now=NOW)
    assert reply.set_hidden(OPERATOR, "LDN", hide=True, reason="Advertising", now=NOW)
    assert not reply.set_hidden(OPERATOR, "LDN", hide=True, reason="Advertising", now=NOW)
    assert reply.hidden is not None
    assert reply.hidden.reason == "Advertising"
    assert reply.set_hidden(FACILITATOR, "LDN", hide=False, reason="Reviewed: fine", now=NOW)
    assert [f.hidden for f in reply.facts if isinstance(f, fact.PostHidden)] == [True, False]
    thread = question()
    with pytest.raises(Forbidden):
        thread.move(OTHER, Subject.of("region", "LDN"), reason="Belongs here", now=NOW)
    assert thread.move(FACILITATOR, Subject.of("region", "NW"), reason="Belongs there", now=NOW)
    assert thread.region == "NW"
    with pytest.raises(Forbidden):
        thread.set_locked(FACILITATOR, locked=True, reason="Now NW's", now=NOW)


def test_new_members_post_a_few_at_a_time() -> None:
    new = NOW - timedelta(days=1)
    recent = [NOW - timedelta(minutes=m) for m in (1, 2)]
    check_rate(new, recent, NOW)
    with pytest.raises(TooMany) as slow:
        check_rate(new, [*recent, NOW - timedelta(minutes=3)], NOW)
    assert slow.value.code == "slow_down"
    assert slow.value.details["retry_after"] == 7 * 60 + 1
    established = NOW - timedelta(days=30)
    check_rate(established, [NOW - timedelta(minutes=1)] * 29, NOW)
    with pytest.raises(TooMany):
        check_rate(established, [NOW - timedelta(minutes=1)] * 30, NOW)
