"""Answers and moderation: the asker (or a facilitator) accepts an answer; members flag a
post with a reason; a region's facilitators (operators everywhere) hide and restore posts,
lock threads and move them to another subject, each with a recorded reason."""

from __future__ import annotations

from services.conversations.domain.threads import Post, Subject, Thread, checked_reason
from services.conversations.stores import Flag, Stores
from services.conversations.usecases.writing import member_of, post_or_404, thread_or_404
from shared.caller import Caller
from shared.errors import Forbidden
from shared.retry import until_saved


async def accept_answer(stores: Stores, *, caller: Caller, thread_id: str, post_id: str) -> Thread:
    member_of(caller)

    async def attempt() -> Thread:
        thread = await thread_or_404(stores, thread_id)
        post = await post_or_404(stores, post_id)
        if thread.accept(caller, post):
            await stores.threads.save(thread)
        return thread

    return await until_saved(attempt)


async def flag(stores: Stores, *, caller: Caller, post_id: str, reason: str) -> bool:
    member_id = member_of(caller)
    post = await post_or_404(stores, post_id)
    thread = await thread_or_404(stores, post.thread_id)
    return await stores.flags.add(
        Flag(
            post.id, thread.id, member_id, checked_reason(reason), thread.region, stores.clock.now()
        )
    )


async def set_hidden(
    stores: Stores, *, caller: Caller, post_id: str, hide: bool, reason: str
) -> Post:
    async def attempt() -> Post:
        post = await post_or_404(stores, post_id, visible=False)
        thread = await thread_or_404(stores, post.thread_id)
        if post.set_hidden(caller, thread.region, hide=hide, reason=reason, now=stores.clock.now()):
            await stores.posts.save(post)
        return post

    post = await until_saved(attempt)
    await stores.flags.close(post_id)
    return post


async def set_locked(
    stores: Stores, *, caller: Caller, thread_id: str, locked: bool, reason: str
) -> Thread:
    async def attempt() -> Thread:
        thread = await thread_or_404(stores, thread_id)
        if thread.set_locked(caller, locked=locked, reason=reason, now=stores.clock.now()):
            await stores.threads.save(thread)
        return thread

    return await until_saved(attempt)


async def move(
    stores: Stores,
    *,
    caller: Caller,
    thread_id: str,
    subject_kind: str,
    subject_id: str | None,
    reason: str,
) -> Thread:
    subject = Subject.of(subject_kind, subject_id)

    async def attempt() -> Thread:
        thread = await thread_or_404(stores, thread_id)
        if thread.move(caller, subject, reason=reason, now=stores.clock.now()):
            await stores.threads.save(thread)
        return thread

    thread = await until_saved(attempt)
    await stores.posts.moved(thread)
    return thread


async def flagged(stores: Stores, *, caller: Caller, limit: int) -> list[Flag]:
    """The moderation queue of the caller's region (every region for operators)."""
    if caller.has("operator"):
        return await stores.flags.open_in(None, limit=limit)
    if not caller.governs(caller.region):
        raise Forbidden("outside_remit", "Only facilitators and operators moderate")
    return await stores.flags.open_in(caller.region, limit=limit)
