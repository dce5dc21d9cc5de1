"""MongoDB persistence (knet_conversations): the members read model, threads (their facts in
their outbox), posts (theirs too, keyed by the thread), readers (a member's read marker and follow
choice per thread, the follows' facts in their outbox) and flags."""

from __future__ import annotations

from pymongo import IndexModel

from services.conversations.repository.members import Flags, Members, Readers
from services.conversations.repository.threads import (
    POST_FIELDS,
    SHOWN_FIELDS,
    Posts,
    Threads,
    post_document,
    post_of,
    shown_of,
    thread_criteria,
    thread_document,
    thread_of,
)

INDEXES: dict[str, list[IndexModel]] = {
    "members": [],
    "threads": [
        # The latest conversations anywhere, in a region, on a tag.
        IndexModel([("last_post_at", -1), ("_id", -1)], name="by_activity"),
        IndexModel([("region", 1), ("last_post_at", -1), ("_id", -1)], name="by_region"),
        IndexModel([("tags", 1), ("last_post_at", -1), ("_id", -1)], name="by_tag"),
        IndexModel(
            [("subject_kind", 1), ("subject_id", 1), ("last_post_at", -1), ("_id", -1)],
            name="by_subject",
        ),
        # Ask the network: open questions, by region or by tag, newest activity first.
        IndexModel(
            [("open_question", 1), ("region", 1), ("last_post_at", -1), ("_id", -1)],
            name="open_by_region",
        ),
        IndexModel(
            [("open_question", 1), ("tags", 1), ("last_post_at", -1), ("_id", -1)],
            name="open_by_tag",
        ),
    ],
    "posts": [
        IndexModel([("thread_id", 1), ("created_at", 1), ("_id", 1)], name="by_thread"),
        IndexModel([("author_member_id", 1), ("created_at", -1)], name="by_author"),
        # Search: the candidates come from one word (the longest asked), newest first.
        IndexModel([("words", 1), ("created_at", -1), ("_id", -1)], name="by_word"),
    ],
    "readers": [],
    "flags": [
        IndexModel([("open", 1), ("region", 1), ("at", 1)], name="queue"),
        IndexModel([("post_id", 1)], name="by_post"),
    ],
}

__all__ = [
    "INDEXES",
    "POST_FIELDS",
    "SHOWN_FIELDS",
    "Flags",
    "Members",
    "Posts",
    "Readers",
    "Threads",
    "post_document",
    "post_of",
    "shown_of",
    "thread_criteria",
    "thread_document",
    "thread_of",
]
