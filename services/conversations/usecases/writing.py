"""Writing in a thread: start one, reply (quoting another reply), edit within the window,
mark a post helpful. Mentions resolve to active members; others stay text. New members are
held to a few posts at a time."""

from __future__ import annotations

from dataclasses import dataclass

from services.conversations.domain import writing
from services.conversations.domain.limits import LOOKBACK, check_rate
from services.conversations.domain.threads import Post, Subject, Thread, start
from services.conversations.facts import ThreadFollowed
from services.conversations.stores import Stores
from shared.caller import Caller
from shared.errors import Conflict, Forbidden, NotFound
from shared.retry import until_saved


@dataclass(frozen=True)
class Written:
    html: str
    mentions: list[str]  # the active members it mentions


def member_of(caller: Caller) -> str:
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members take part in conversations")
    return caller.member_id


async def _written(stores: Stores, source: str) -> tuple[str, Written]:
    text = writing.checked_source(source)
    ids = writing.mentioned(text)
    known = {m.member_id: m.name for m in (await stores.members.get_many(ids)).values() if m.active}
    mentions = [m for m in ids if m in known]
    return text, Written(writing.render(text, known), mentions)


async def _may_post(stores: Stores, member_id: str) -> None:
    now = stores.clock.now()
    me = (await stores.members.get_many([member_id])).get(member_id)
    recent = await stores.posts.recent_by(member_id, now - LOOKBACK)
    check_rate(me.approved_at if me else None, recent, now)


async def start_thread(
    stores: Stores,
    *,
    caller: Caller,
    subject_kind: str,
    subject_id: str | None,
    title: str,
    tags: list[str],
    question: bool,
    body: str,
) -> tuple[Thread, Post]:
    member_id = member_of(caller)
    subject = Subject.of(subject_kind, subject_id)
    text, written = await _written(stores, body)
    await _may_post(stores, member_id)
    now = stores.clock.now()
    post = Post(
        id=stores.new_id(),
        thread_id=stores.new_id(),
        author_member_id=member_id,
        source=text,
        html=written.html,
        created_at=now,
        mentions=written.mentions,
    )
    thread = start(
        thread_id=post.thread_id,
        post=post,
        subject=subject,
        title=title,
        tags=tags,
        question=question,
        region=caller.region,
        mentioned=written.mentions,
        now=now,
    )
    await stores.threads.add(thread, post)
    return thread, post


async def thread_or_404(stores: Stores, thread_id: str) -> Thread:
    found = await stores.threads.get(thread_id)
    if found is None:
        raise NotFound("no_such_thread", "There is no such thread")
    return found


async def post_or_404(stores: Stores, post_id: str, *, visible: bool = True) -> Post:
    found = await stores.posts.get(post_id)
    if found is None or (visible and found.hidden is not None):
        raise NotFound("no_such_post", "There is no such post")
    return found


async def reply(
    stores: Stores, *, caller: Caller, thread_id: str, body: str, quoted_post_id: str | None
) -> Post:
    member_id = member_of(caller)
    thread = await thread_or_404(stores, thread_id)
    thread.check_open()
    quoted = await post_or_404(stores, quoted_post_id) if quoted_post_id else None
    text, written = await _written(stores, body)
    await _may_post(stores, member_id)
    now = stores.clock.now()
    post = Post(
        id=stores.new_id(),
        thread_id=thread.id,
        author_member_id=member_id,
        source=text,
        html=written.html,
        created_at=now,
        quoted_post_id=quoted_post_id,
        mentions=written.mentions,
    )
    facts = thread.reply_facts(post, written.mentions, quoted)
    await stores.posts.add(post, thread, facts)
    await stores.threads.touched(thread.id, now)
    return post


async def edit(stores: Stores, *, caller: Caller, post_id: str, body: str) -> Post:
    member_of(caller)

    async def attempt() -> Post:
        post = await post_or_404(stores, post_id)
        thread = await thread_or_404(stores, post.thread_id)
        text, written = await _written(stores, body)
        newly = post.edit(
            caller,
            source=text,
            html=written.html,
            mentions=written.mentions,
            region=thread.region,
            now=stores.clock.now(),
        )
        post.facts.extend(thread.mention_facts(post, newly))
        if post.facts:
            await stores.posts.save(post)
        return post

    return await until_saved(attempt)


async def follow(stores: Stores, *, caller: Caller, thread_id: str, following: bool) -> bool:
    """Follow a thread (hear of its replies) or stop; False when it was so already."""
    member_id = member_of(caller)
    thread = await thread_or_404(stores, thread_id)
    fact = ThreadFollowed(
        thread_id=thread.id, member_id=member_id, following=following, region=thread.region
    )
    return await stores.readers.follow(member_id, thread.id, following, fact)


async def mark_helpful(stores: Stores, *, caller: Caller, post_id: str) -> bool:
    member_id = member_of(caller)
    post = await post_or_404(stores, post_id)
    if post.author_member_id == member_id:
        raise Conflict("own_post", "Others mark your posts helpful")
    return await stores.posts.mark_helpful(post_id, member_id)
