"""Reading: a thread's page (by cursor; hidden posts only for its moderators; reading it moves
the member's unread marker), one post with its Markdown and history (for its edit form),
threads of a subject and "ask the network" with unread counts, and search by every word."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.conversations.domain.search import query_words
from services.conversations.domain.threads import Post, PostShown, Thread
from services.conversations.stores import PostSearch, Stores, ThreadQuery
from services.conversations.usecases.writing import member_of, post_or_404, thread_or_404
from shared.caller import Caller
from shared.errors import Invalid, NotFound


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    posts: list[PostShown]
    next_cursor: str | None
    quoted: dict[str, PostShown]  # the visible posts these quote, for their previews
    following: bool  # the reader follows the thread
    from_start: bool  # the page begins at the thread's first post


async def thread_page(
    stores: Stores,
    *,
    caller: Caller,
    thread_id: str,
    cursor: str | None,
    limit: int,
    from_post: str | None = None,
    from_unread: bool = False,
) -> ThreadPage:
    """The page after `cursor`; or the one starting at `from_post` (a reply just written, a
    search hit, a flagged post: past the first page in a long thread); or, `from_unread`, at
    the last post the member read (the first page if they never opened it); or the first."""
    member_id = member_of(caller)
    # Everything read at once: whether the caller moderates this thread is known only with
    # the thread, so a facilitator's page is read with hidden posts and trimmed after.
    may_moderate = caller.has("operator") or caller.has("facilitator")
    since = None
    if cursor is None and from_post is not None:
        start = await post_or_404(stores, from_post, visible=not may_moderate)
        if start.thread_id != thread_id:
            raise NotFound("no_such_post", "There is no such post in this thread")
        since = start.created_at
    elif cursor is None and from_unread:
        since = (await stores.readers.get(member_id, thread_id)).read_up_to
    thread, (posts, next_cursor), place = await asyncio.gather(
        thread_or_404(stores, thread_id),
        stores.posts.page(
            thread_id, with_hidden=may_moderate, cursor=cursor, limit=limit, since=since
        ),
        stores.readers.get(member_id, thread_id),
    )
    if may_moderate and not caller.governs(thread.region):
        posts = [p for p in posts if p.hidden is None]
    seen = place.read_up_to
    if posts and (seen is None or posts[-1].created_at > seen):
        # Only when the marker moves: reading a page again writes nothing.
        await stores.readers.mark(member_id, thread.id, posts[-1].created_at)
    wanted = sorted({p.quoted_post_id for p in posts if p.quoted_post_id})
    found = await stores.posts.shown(wanted) if wanted else {}
    quoted = {k: v for k, v in found.items() if v.hidden is None}
    from_start = cursor is None and since is None
    return ThreadPage(thread, posts, next_cursor, quoted, place.following, from_start)


async def post(stores: Stores, *, caller: Caller, post_id: str) -> Post:
    """A hidden post only for those who moderate its thread, as on its page."""
    member_of(caller)
    found = await post_or_404(stores, post_id, visible=False)
    if found.hidden is not None:
        thread = await thread_or_404(stores, found.thread_id)
        if not caller.governs(thread.region):
            raise NotFound("no_such_post", "There is no such post")  # as for no post at all
    return found


async def threads(
    stores: Stores, *, caller: Caller, query: ThreadQuery, cursor: str | None, limit: int
) -> tuple[list[tuple[Thread, int]], str | None]:
    """The threads, each with how many posts the member has not read."""
    member_id = member_of(caller)
    found, next_cursor = await stores.threads.page(query, cursor=cursor, limit=limit)
    if not found:
        return [], next_cursor
    marks = await stores.readers.read_up_to(member_id, [t.id for t in found])
    counts = await asyncio.gather(*(stores.posts.count_after(t.id, marks.get(t.id)) for t in found))
    return list(zip(found, counts, strict=True)), next_cursor


async def search(
    stores: Stores,
    *,
    caller: Caller,
    text: str,
    filters: PostSearch,
    cursor: str | None,
    limit: int,
) -> tuple[list[PostShown], str | None]:
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
