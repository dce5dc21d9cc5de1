"""What the conversations use cases need from storage, as protocols: MongoDB (repository.py)
and in memory (tests/fakes/conversations.py), held to one behaviour by
tests/integration/stores/test_conversations_stores.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.conversations.domain.threads import Post, PostShown, Thread
from shared.clock import Clock, new_id

# A thread page, a search page, a list of threads: at most this many at once.
MAX_PAGE = 50


@dataclass(frozen=True)
class MemberView:
    """What this service knows of a member, from knet.membership.v1."""

    member_id: str
    name: str
    region: str | None
    active: bool
    approved_at: datetime | None


@dataclass(frozen=True)
class ThreadQuery:
    """Threads of a subject, or open questions ("ask the network"), newest activity first."""

    subject_kind: str | None = None
    subject_id: str | None = None
    region: str | None = None
    tag: str | None = None
    open_questions: bool = False


@dataclass(frozen=True)
class PostSearch:
    """Every word, in a thread's title or a post's body; filtered."""

    words: tuple[str, ...]
    subject_kind: str | None = None
    subject_id: str | None = None
    region: str | None = None
    tag: str | None = None
    author_member_id: str | None = None


@dataclass(frozen=True)
class Flag:
    post_id: str
    thread_id: str
    member_id: str
    reason: str
    region: str | None
    at: datetime


class Members(Protocol):
    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> None:
        """Sets the fields if `as_of` is newer than what is recorded; creates when unknown."""

    async def get_many(self, member_ids: list[str]) -> dict[str, MemberView]: ...


class Threads(Protocol):
    async def add(self, thread: Thread, first: Post) -> None:
        """The thread and its first post; the thread's facts ride on the thread."""

    async def get(self, thread_id: str) -> Thread | None: ...

    async def save(self, thread: Thread) -> None:
        """At the version read (`Stale` otherwise), with its facts."""

    async def touched(self, thread_id: str, at: datetime) -> None:
        """A reply was added at `at` (its latest activity; never moves back)."""

    async def page(
        self, query: ThreadQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Thread], str | None]: ...


class Posts(Protocol):
    async def add(self, post: Post, thread: Thread, facts: list[Any]) -> None:
        """A reply with its facts (keyed by the thread)."""

    async def get(self, post_id: str) -> Post | None: ...

    async def shown(self, post_ids: list[str]) -> dict[str, PostShown]:
        """As a page shows them (quoted posts' previews)."""

    async def save(self, post: Post) -> None:
        """At the version read (`Stale` otherwise), with its facts (keyed by the thread)."""

    async def page(
        self,
        thread_id: str,
        *,
        with_hidden: bool,
        cursor: str | None,
        limit: int,
        since: datetime | None = None,
    ) -> tuple[list[PostShown], str | None]:
        """Oldest first; from `since` on, when given."""

    async def count_after(self, thread_id: str, after: datetime | None) -> int:
        """Visible posts newer than `after` (all when None): the unread count."""

    async def recent_by(self, member_id: str, since: datetime) -> list[datetime]:
        """When the member posted since then (the rate limit)."""

    async def mark_helpful(self, post_id: str, member_id: str) -> bool:
        """Once per member: False when they had."""

    async def moved(self, thread: Thread) -> None:
        """The thread's posts carry its new subject and region (search filters by them)."""

    async def search(
        self, search: PostSearch, *, cursor: str | None, limit: int
    ) -> tuple[list[PostShown], str | None]:
        """Visible posts with every word, newest first."""


@dataclass(frozen=True)
class Reading:
    """A member's place in a thread: how far they have read, and whether they follow it."""

    read_up_to: datetime | None = None
    following: bool = False


class Readers(Protocol):
    """One record per member and thread they opened or chose about, so that a thread's page
    reads the member's place in it at once."""

    async def get(self, member_id: str, thread_id: str) -> Reading: ...

    async def read_up_to(self, member_id: str, thread_ids: list[str]) -> dict[str, datetime]:
        """Where the member has read to, in those of the threads they opened."""

    async def mark(self, member_id: str, thread_id: str, at: datetime) -> None:
        """Read up to `at` (never moves back)."""

    async def follow(self, member_id: str, thread_id: str, following: bool, fact: Any) -> bool:
        """Records the choice with its fact; False (nothing written) when it was so already."""


class Flags(Protocol):
    async def add(self, flag: Flag) -> bool:
        """Once per member and post: False when they had."""

    async def open_in(self, region: str | None, *, limit: int) -> list[Flag]:
        """The moderation queue: flags of visible posts, oldest first (None: every region)."""

    async def close(self, post_id: str) -> None:
        """The post was moderated: its flags leave the queue."""


@dataclass
class Stores:
    members: Members
    threads: Threads
    posts: Posts
    readers: Readers
    flags: Flags
    clock: Clock
    new_id: Callable[[], str] = field(default=new_id)
