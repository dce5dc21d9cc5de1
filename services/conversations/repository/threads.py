"""Threads and their posts in MongoDB: the documents (what tests/fakes/conversations.py keeps
too), the queries for lists, pages and search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.conversations.domain.search import words_of
from services.conversations.domain.threads import (
    Hidden,
    Post,
    PostShown,
    Revision,
    Subject,
    Thread,
)
from services.conversations.repository.common import outbox_for
from services.conversations.stores import PostSearch, ThreadQuery
from shared.clock import Clock
from shared.errors import Stale
from shared.mongo import Db
from shared.outbox import OUTBOX_FIELD, push_to_outbox
from shared.pagination import fetch_page


def thread_document(t: Thread) -> dict[str, Any]:
    return {
        "_id": t.id,
        "subject_kind": t.subject.kind.value,
        "subject_id": t.subject.id,
        "title": t.title,
        "tags": t.tags,
        "region": t.region,
        "author_member_id": t.author_member_id,
        "question": t.question,
        # One indexed equality for "ask the network": a question with no accepted answer.
        "open_question": t.question and t.answer_post_id is None,
        "first_post_id": t.first_post_id,
        "created_at": t.created_at,
        "last_post_at": t.last_post_at,
        "answer_post_id": t.answer_post_id,
        "answer_member_id": t.answer_member_id,
        "locked": t.locked,
        "lock_reason": t.lock_reason,
        "moderation": t.moderation,
        "version": t.version,
    }


def thread_of(d: dict[str, Any]) -> Thread:
    return Thread(
        id=d["_id"],
        subject=Subject.of(d["subject_kind"], d.get("subject_id")),
        title=d["title"],
        tags=list(d.get("tags", [])),
        region=d.get("region"),
        author_member_id=d["author_member_id"],
        question=d["question"],
        first_post_id=d["first_post_id"],
        created_at=d["created_at"],
        last_post_at=d["last_post_at"],
        answer_post_id=d.get("answer_post_id"),
        answer_member_id=d.get("answer_member_id"),
        locked=d.get("locked", False),
        lock_reason=d.get("lock_reason"),
        moderation=list(d.get("moderation", [])),
        version=d.get("version", 0),
    )


def thread_criteria(query: ThreadQuery) -> dict[str, Any]:
    criteria: dict[str, Any] = {}
    if query.open_questions:
        criteria["open_question"] = True
    if query.subject_kind:
        criteria["subject_kind"] = query.subject_kind
        criteria["subject_id"] = query.subject_id
    if query.region:
        criteria["region"] = query.region
    if query.tag:
        criteria["tags"] = query.tag
    return criteria


class Threads:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["threads"]
        self.posts = db["posts"]
        self.clock = clock

    async def add(self, thread: Thread, first: Post) -> None:
        # The post first: a thread is never shown without its first post. A crash between
        # leaves a post no thread names, which nothing lists.
        await self.posts.insert_one(post_document(first, thread))
        await self.collection.insert_one(
            {
                **thread_document(thread),
                OUTBOX_FIELD: outbox_for(thread.facts, thread.id, self.clock),
            }
        )
        thread.facts.clear()

    async def get(self, thread_id: str) -> Thread | None:
        found = await self.collection.find_one({"_id": thread_id}, {OUTBOX_FIELD: 0})
        return thread_of(found) if found else None

    async def save(self, thread: Thread) -> None:
        state = {k: v for k, v in thread_document(thread).items() if k not in ("_id", "version")}
        update: dict[str, Any] = {"$set": state, "$inc": {"version": 1}}
        if thread.facts:
            update["$push"] = push_to_outbox(outbox_for(thread.facts, thread.id, self.clock))
        result = await self.collection.update_one(
            {"_id": thread.id, "version": thread.version}, update
        )
        if not result.matched_count:
            raise Stale(f"thread {thread.id} changed since version {thread.version}")
        thread.version += 1
        thread.facts.clear()

    async def touched(self, thread_id: str, at: datetime) -> None:
        await self.collection.update_one({"_id": thread_id}, {"$max": {"last_post_at": at}})

    async def page(
        self, query: ThreadQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Thread], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection,
            thread_criteria(query),
            sort=["last_post_at", "_id"],
            cursor=cursor,
            limit=limit,
            projection={OUTBOX_FIELD: 0},
            descending=True,
        )
        return [thread_of(d) for d in documents], next_cursor


def post_document(p: Post, thread: Thread) -> dict[str, Any]:
    return {
        "_id": p.id,
        "thread_id": p.thread_id,
        "author_member_id": p.author_member_id,
        "source": p.source,
        "html": p.html,
        "created_at": p.created_at,
        "quoted_post_id": p.quoted_post_id,
        "mentions": p.mentions,
        "edited_at": p.edited_at,
        "history": [{"source": r.source, "html": r.html, "at": r.at} for r in p.history],
        "edits": len(p.history),  # what a page shows of the history, without reading it
        "hidden": (
            {"reason": p.hidden.reason, "by_member_id": p.hidden.by_member_id, "at": p.hidden.at}
            if p.hidden
            else None
        ),
        "visible": p.hidden is None,
        "helpful": p.helpful,
        "version": p.version,
        # What search filters and finds it by, copied from its thread (kept by `moved`).
        "subject_kind": thread.subject.kind.value,
        "subject_id": thread.subject.id,
        "region": thread.region,
        "tags": thread.tags,
        "words": words_of(thread.title, p.source),
    }


def _read_alike(d: dict[str, Any]) -> dict[str, Any]:
    """What a post and a post as a page shows it read alike from a document."""
    hidden = d.get("hidden")
    return {
        "id": d["_id"],
        "thread_id": d["thread_id"],
        "author_member_id": d["author_member_id"],
        "html": d["html"],
        "created_at": d["created_at"],
        "quoted_post_id": d.get("quoted_post_id"),
        "mentions": list(d.get("mentions", [])),
        "edited_at": d.get("edited_at"),
        "helpful": d.get("helpful", 0),
        "hidden": Hidden(hidden["reason"], hidden["by_member_id"], hidden["at"])
        if hidden
        else None,
    }


def post_of(d: dict[str, Any]) -> Post:
    return Post(
        **_read_alike(d),
        source=d["source"],
        history=[Revision(r["source"], r["html"], r["at"]) for r in d.get("history", [])],
        version=d.get("version", 0),
    )


POST_FIELDS = {OUTBOX_FIELD: 0, "words": 0, "helpful_by": 0}
# Named rather than excluded: a page reads fifty posts, and the store builds an inclusion's
# documents afresh where it copies each whole for an exclusion (1.6x the pages a second).
SHOWN_FIELDS = dict.fromkeys(
    (
        "thread_id",
        "author_member_id",
        "html",
        "created_at",
        "quoted_post_id",
        "mentions",
        "edited_at",
        "edits",
        "helpful",
        "hidden",
    ),
    1,
)


def shown_of(d: dict[str, Any]) -> PostShown:
    return PostShown(**_read_alike(d), edits=d.get("edits", 0))


class Posts:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["posts"]
        self.threads = db["threads"]
        self.clock = clock

    async def add(self, post: Post, thread: Thread, facts: list[Any]) -> None:
        await self.collection.insert_one(
            {**post_document(post, thread), OUTBOX_FIELD: outbox_for(facts, thread.id, self.clock)}
        )

    async def get(self, post_id: str) -> Post | None:
        found = await self.collection.find_one({"_id": post_id}, POST_FIELDS)
        return post_of(found) if found else None

    async def shown(self, post_ids: list[str]) -> dict[str, PostShown]:
        found = self.collection.find({"_id": {"$in": post_ids}}, SHOWN_FIELDS)
        return {d["_id"]: shown_of(d) async for d in found}

    async def save(self, post: Post) -> None:
        thread = await self.threads.find_one({"_id": post.thread_id}, {OUTBOX_FIELD: 0})
        if thread is None:
            raise Stale(f"post {post.id}'s thread is gone")
        document = post_document(post, thread_of(thread))
        state = {
            k: v
            for k, v in document.items()
            if k not in ("_id", "version", "helpful", "created_at", "thread_id")
        }
        update: dict[str, Any] = {"$set": state, "$inc": {"version": 1}}
        if post.facts:
            update["$push"] = push_to_outbox(outbox_for(post.facts, post.thread_id, self.clock))
        result = await self.collection.update_one({"_id": post.id, "version": post.version}, update)
        if not result.matched_count:
            raise Stale(f"post {post.id} changed since version {post.version}")
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
        criteria: dict[str, Any] = {"thread_id": thread_id}
        if not with_hidden:
            criteria["visible"] = True
        if since is not None:
            criteria["created_at"] = {"$gte": since}
        documents, next_cursor = await fetch_page(
            self.collection,
            criteria,
            sort=["created_at", "_id"],
            cursor=cursor,
            limit=limit,
            projection=SHOWN_FIELDS,
        )
        return [shown_of(d) for d in documents], next_cursor

    async def count_after(self, thread_id: str, after: datetime | None) -> int:
        criteria: dict[str, Any] = {"thread_id": thread_id, "visible": True}
        if after is not None:
            criteria["created_at"] = {"$gt": after}
        return await self.collection.count_documents(criteria)

    async def recent_by(self, member_id: str, since: datetime) -> list[datetime]:
        found = self.collection.find(
            {"author_member_id": member_id, "created_at": {"$gte": since}}, {"created_at": 1}
        )
        return [d["created_at"] async for d in found]

    async def mark_helpful(self, post_id: str, member_id: str) -> bool:
        result = await self.collection.update_one(
            {"_id": post_id, "helpful_by": {"$ne": member_id}},
            {"$addToSet": {"helpful_by": member_id}, "$inc": {"helpful": 1}},
        )
        return bool(result.modified_count)

    async def moved(self, thread: Thread) -> None:
        await self.collection.update_many(
            {"thread_id": thread.id},
            {
                "$set": {
                    "subject_kind": thread.subject.kind.value,
                    "subject_id": thread.subject.id,
                    "region": thread.region,
                }
            },
        )

    async def search(
        self, search: PostSearch, *, cursor: str | None, limit: int
    ) -> tuple[list[PostShown], str | None]:
        first, *rest = search.words
        criteria: dict[str, Any] = {"words": first, "visible": True}
        if rest:
            criteria["$and"] = [{"words": w} for w in rest]
        if search.subject_kind:
            criteria["subject_kind"] = search.subject_kind
            criteria["subject_id"] = search.subject_id
        for name in ("region", "author_member_id"):
            if value := getattr(search, name):
                criteria[name] = value
        if search.tag:
            criteria["tags"] = search.tag
        documents, next_cursor = await fetch_page(
            self.collection,
            criteria,
            sort=["created_at", "_id"],
            cursor=cursor,
            limit=limit,
            projection=SHOWN_FIELDS,
            descending=True,
        )
        return [shown_of(d) for d in documents], next_cursor
