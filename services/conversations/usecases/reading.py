"""Reading: a thread's page (by cursor; hidden posts only for its moderators; reading it moves
the member's unread marker), threads of a subject and "ask the network" with unread counts,
and search by every word."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.conversations.domain.search import query_words
from services.conversations.domain.threads import Post, Thread
from services.conversations.stores import PostSearch, Stores, ThreadQuery
from services.conversations.usecases.writing import member_of, thread_or_404
from shared.caller import Caller
from shared.errors import Invalid


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    posts: list[Post]
    next_cursor: str | None
    quoted: dict[str, Post]  # the visible posts these quote, for their previews
    following: bool  # the reader follows the thread


async def thread_page(
    stores: Stores, *, caller: Caller, thread_id: str, cursor: str | None, limit: int
) -> ThreadPage:
    member_id = member_of(caller)
    # Everything read at once: whether the caller moderates this thread is known only with
    # the thread, so a facilitator's page is read with hidden posts and trimmed after.
    may_moderate = caller.has("operator") or caller.has("facilitator")
    thread, (posts, next_cursor), marks, following = await asyncio.gather(
        thread_or_404(stores, thread_id),
        stores.posts.page(thread_id, with_hidden=may_moderate, cursor=cursor, limit=limit),
        stores.reads.get_many(member_id, [thread_id]),
        stores.follows.following(member_id, thread_id),
    )
    if may_moderate and not caller.governs(thread.region):
        posts = [p for p in posts if p.hidden is None]
    seen = marks.get(thread.id)
    if posts and (seen is None or posts[-1].created_at > seen):
        # Only when the marker moves: reading a page again writes nothing.
        await stores.reads.mark(member_id, thread.id, posts[-1].created_at)
    wanted = sorted({p.quoted_post_id for p in posts if p.quoted_post_id})
    found = await stores.posts.get_many(wanted) if wanted else {}
    quoted = {k: v for k, v in found.items() if v.hidden is None}
    return ThreadPage(thread, posts, next_cursor, quoted, following)


async def threads(
    stores: Stores, *, caller: Caller, query: ThreadQuery, cursor: str | None, limit: int
) -> tuple[list[tuple[Thread, int]], str | None]:
    """The threads, each with how many posts the member has not read."""
    member_id = member_of(caller)
    found, next_cursor = await stores.threads.page(query, cursor=cursor, limit=limit)
    marks = await stores.reads.get_many(member_id, [t.id for t in found])
    counted = [(t, await stores.posts.count_after(t.id, marks.get(t.id))) for t in found]
    return counted, next_cursor


async def search(
    stores: Stores,
    *,
    caller: Caller,
    text: str,
    filters: PostSearch,
    cursor: str | None,
    limit: int,
) -> tuple[list[Post], str | None]:
    member_of(caller)
    words = query_words(text)
    if not words:
        raise Invalid("empty_search", "Search for at least one word")
    return await stores.posts.search(
        PostSearch(
            words=words,
            subject_kind=filters.subject_kind,
            subject_id=filters.subject_id,
            region=filters.region,
            tag=filters.tag,
            author_member_id=filters.author_member_id,
        ),
        cursor=cursor,
        limit=limit,
    )
