"""In-memory stores with the same protocols and behaviour as repository.py (for use-case
tests); threads and posts kept as the repository's documents, so both read them alike."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from services.conversations.domain.threads import Post, PostShown, Thread
from services.conversations.repository import (
    post_document,
    post_of,
    shown_of,
    thread_document,
    thread_of,
)
from services.conversations.stores import Flag, MemberView, PostSearch, Reading, ThreadQuery
from shared.errors import Stale
from shared.pagination import page_in_memory


class InMemoryMembers:
    def __init__(self) -> None:
        self.members: dict[str, dict[str, Any]] = {}

    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> None:
        found = self.members.setdefault(member_id, {})
        if found.get("as_of") is not None and found["as_of"] >= as_of:
            return
        found.update(changes, as_of=as_of)

    async def get_many(self, member_ids: list[str]) -> dict[str, MemberView]:
        return {
            m: MemberView(
                member_id=m,
                name=d.get("name", ""),
                region=d.get("region"),
                active=d.get("status") == "active",
                approved_at=d.get("approved_at"),
            )
            for m in member_ids
            if (d := self.members.get(m)) is not None
        }


class InMemoryThreads:
    def __init__(self, posts: InMemoryPosts) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.posts = posts
        self.published: list[Any] = []

    async def add(self, thread: Thread, first: Post) -> None:
        self.posts.documents[first.id] = post_document(first, thread)
        self.documents[thread.id] = thread_document(thread)
        self.published.extend(thread.facts)
        thread.facts.clear()

    async def get(self, thread_id: str) -> Thread | None:
        found = self.documents.get(thread_id)
        return thread_of(copy.deepcopy(found)) if found else None

    async def save(self, thread: Thread) -> None:
        found = self.documents.get(thread.id)
        if found is None or found["version"] != thread.version:
            raise Stale(f"thread {thread.id} changed since version {thread.version}")
        self.documents[thread.id] = {**thread_document(thread), "version": thread.version + 1}
        self.published.extend(thread.facts)
        thread.version += 1
        thread.facts.clear()

    async def touched(self, thread_id: str, at: datetime) -> None:
        found = self.documents[thread_id]
        found["last_post_at"] = max(found["last_post_at"], at)

    async def page(
        self, query: ThreadQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Thread], str | None]:
        def matches(d: dict[str, Any]) -> bool:
            return (
                (not query.open_questions or d["open_question"])
                and (
                    not query.subject_kind
                    or (d["subject_kind"], d["subject_id"])
                    == (query.subject_kind, query.subject_id)
                )
                and (not query.region or d["region"] == query.region)
                and (not query.tag or query.tag in d["tags"])
            )

        found = [d for d in self.documents.values() if matches(d)]
        page, next_cursor = page_in_memory(
            found,
            key=lambda d: [d["last_post_at"], d["_id"]],
            fields=2,
            cursor=cursor,
            limit=limit,
            descending=True,
        )
        return [thread_of(copy.deepcopy(d)) for d in page], next_cursor


class InMemoryPosts:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.helpful_by: dict[str, set[str]] = {}
        self.published: list[Any] = []
        self.threads: InMemoryThreads | None = None

    async def add(self, post: Post, thread: Thread, facts: list[Any]) -> None:
        self.documents[post.id] = post_document(post, thread)
        self.published.extend(facts)

    async def get(self, post_id: str) -> Post | None:
        found = self.documents.get(post_id)
        return post_of(copy.deepcopy(found)) if found else None

    async def shown(self, post_ids: list[str]) -> dict[str, PostShown]:
        return {
            p: shown_of(copy.deepcopy(self.documents[p])) for p in post_ids if p in self.documents
        }

    async def save(self, post: Post) -> None:
        found = self.documents.get(post.id)
        if found is None or found["version"] != post.version:
            raise Stale(f"post {post.id} changed since version {post.version}")
        assert self.threads is not None
        thread = await self.threads.get(post.thread_id)
        if thread is None:
            raise Stale(f"post {post.id}'s thread is gone")
        kept = {k: found[k] for k in ("helpful", "created_at", "thread_id")}
        self.documents[post.id] = {
            **post_document(post, thread),
            **kept,
            "version": post.version + 1,
        }
        self.published.extend(post.facts)
        post.version += 1
        post.facts.clear()

    async def page(
        self,
        thread_id: str,
        *,
        with_hidden: bool,
        cursor: str | None,
        limit: int,
        since: datetime | None = None,
    ) -> tuple[list[PostShown], str | None]:
        found = [
            d
            for d in self.documents.values()
            if d["thread_id"] == thread_id
            and (with_hidden or d["visible"])
            and (since is None or d["created_at"] >= since)
        ]
        page, next_cursor = page_in_memory(
            found, key=lambda d: [d["created_at"], d["_id"]], fields=2, cursor=cursor, limit=limit
        )
        return [shown_of(copy.deepcopy(d)) for d in page], next_cursor

    async def count_after(self, thread_id: str, after: datetime | None) -> int:
        return sum(
            d["thread_id"] == thread_id
            and d["visible"]
            and (after is None or d["created_at"] > after)
            for d in self.documents.values()
        )

    async def recent_by(self, member_id: str, since: datetime) -> list[datetime]:
        return [
            d["created_at"]
            for d in self.documents.values()
            if d["author_member_id"] == member_id and d["created_at"] >= since
        ]

    async def mark_helpful(self, post_id: str, member_id: str) -> bool:
        if post_id not in self.documents:
            return False
        voters = self.helpful_by.setdefault(post_id, set())
        if member_id in voters:
            return False
        voters.add(member_id)
        self.documents[post_id]["helpful"] += 1
        return True

    async def moved(self, thread: Thread) -> None:
        for d in self.documents.values():
            if d["thread_id"] == thread.id:
                d.update(
                    subject_kind=thread.subject.kind.value,
                    subject_id=thread.subject.id,
                    region=thread.region,
                )

    async def search(
        self, search: PostSearch, *, cursor: str | None, limit: int
    ) -> tuple[list[PostShown], str | None]:
        def matches(d: dict[str, Any]) -> bool:
            return (
                d["visible"]
                and set(search.words) <= set(d["words"])
                and (
                    not search.subject_kind
                    or (d["subject_kind"], d["subject_id"])
                    == (search.subject_kind, search.subject_id)
                )
                and (not search.region or d["region"] == search.region)
                and (not search.tag or search.tag in d["tags"])
                and (
                    not search.author_member_id or d["author_member_id"] == search.author_member_id
                )
            )

        found = [d for d in self.documents.values() if matches(d)]
        page, next_cursor = page_in_memory(
            found,
            key=lambda d: [d["created_at"], d["_id"]],
            fields=2,
            cursor=cursor,
            limit=limit,
            descending=True,
        )
        return [shown_of(copy.deepcopy(d)) for d in page], next_cursor


class InMemoryReaders:
    def __init__(self) -> None:
        self.marks: dict[tuple[str, str], datetime] = {}
        self.choices: dict[tuple[str, str], bool] = {}  # none: a reader who never chose
        self.published: list[Any] = []

    async def get(self, member_id: str, thread_id: str) -> Reading:
        key = (member_id, thread_id)
        return Reading(self.marks.get(key), self.choices.get(key, False))

    async def read_up_to(self, member_id: str, thread_ids: list[str]) -> dict[str, datetime]:
        return {t: self.marks[(member_id, t)] for t in thread_ids if (member_id, t) in self.marks}

    async def mark(self, member_id: str, thread_id: str, at: datetime) -> None:
        key = (member_id, thread_id)
        self.marks[key] = max(self.marks.get(key, at), at)

    async def follow(self, member_id: str, thread_id: str, following: bool, fact: Any) -> bool:
        if self.choices.get((member_id, thread_id)) == following:
            return False
        self.choices[(member_id, thread_id)] = following
        self.published.append(fact)
        return True


class InMemoryFlags:
    def __init__(self) -> None:
        self.flags: dict[tuple[str, str], tuple[Flag, bool]] = {}

    async def add(self, flag: Flag) -> bool:
        key = (flag.post_id, flag.member_id)
        if key in self.flags:
            return False
        self.flags[key] = (flag, True)
        return True

    async def open_in(self, region: str | None, *, limit: int) -> list[Flag]:
        found = [f for f, is_open in self.flags.values() if is_open]
        if region is not None:
            found = [f for f in found if f.region == region]
        return sorted(found, key=lambda f: f.at)[:limit]

    async def close(self, post_id: str) -> None:
        for key, (flag, _) in list(self.flags.items()):
            if flag.post_id == post_id:
                self.flags[key] = (flag, False)


def in_memory_stores() -> tuple[
    InMemoryMembers, InMemoryThreads, InMemoryPosts, InMemoryReaders, InMemoryFlags
]:
    posts = InMemoryPosts()
    threads = InMemoryThreads(posts)
    posts.threads = threads
    return InMemoryMembers(), threads, posts, InMemoryReaders(), InMemoryFlags()
