"""Threads and posts: what a thread is about, who may write, edit, accept an answer, hide,
lock and move, and what each of those tells the network (facts). Pure.

A thread belongs to a subject (a recommendation, a plan, an event, a case study, a region, or
a free topic with tags) and to a region, whose facilitators moderate it (operators moderate
everywhere; a national thread, region None, is for operators)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.conversations import facts as fact
from services.conversations.domain.writing import excerpt
from shared.caller import Caller
from shared.errors import Conflict, Forbidden, Invalid
from shared.reference import region_codes

EDIT_WINDOW = timedelta(hours=1)
MAX_TAGS = 8
MAX_TAG_CHARS = 50
TITLE_CHARS = (5, 150)
REASON_CHARS = (3, 500)


class SubjectKind(StrEnum):
    RECOMMENDATION = "recommendation"
    PLAN = "plan"
    EVENT = "event"
    CASE_STUDY = "case_study"
    REGION = "region"
    TOPIC = "topic"


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    id: str | None  # None for a free topic

    @classmethod
    def of(cls, kind: str, subject_id: str | None) -> Subject:
        try:
            found = SubjectKind(kind)
        except ValueError as error:
            raise Invalid("unknown_subject", f"A thread is about one of {_kinds()}") from error
        if found == SubjectKind.TOPIC:
            if subject_id:
                raise Invalid("unknown_subject", "A free topic has tags, not an id")
            return cls(found, None)
        if not subject_id or len(subject_id) > 64:
            raise Invalid("unknown_subject", f"A thread about a {found.value} names which one")
        if found == SubjectKind.REGION and subject_id not in region_codes():
            raise Invalid("unknown_subject", f"{subject_id} is not a region")
        return cls(found, subject_id)


def _kinds() -> str:
    return ", ".join(k.value for k in SubjectKind)


def checked_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not REASON_CHARS[0] <= len(text) <= REASON_CHARS[1]:
        raise Invalid(
            "reason_required", f"Give a reason of {REASON_CHARS[0]} to {REASON_CHARS[1]} characters"
        )
    return text


def checked_title_and_tags(title: str, tags: list[str]) -> tuple[str, list[str]]:
    problems = []
    title = " ".join(title.split())
    if not TITLE_CHARS[0] <= len(title) <= TITLE_CHARS[1]:
        problems.append(f"title: Give a title of {TITLE_CHARS[0]} to {TITLE_CHARS[1]} characters")
    cleaned = list(dict.fromkeys(" ".join(t.split()).lower() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS or any(len(t) > MAX_TAG_CHARS for t in cleaned):
        problems.append(f"tags: Give at most {MAX_TAGS} tags of at most {MAX_TAG_CHARS} characters")
    if problems:
        raise Invalid("invalid_thread", "; ".join(problems), problems=problems)
    return title, cleaned


@dataclass(frozen=True)
class Hidden:
    reason: str
    by_member_id: str
    at: datetime


@dataclass(frozen=True)
class Revision:
    """A post as it was before an edit."""

    source: str
    html: str
    at: datetime


@dataclass
class Post:
    id: str
    thread_id: str
    author_member_id: str
    source: str
    html: str
    created_at: datetime
    quoted_post_id: str | None = None
    mentions: list[str] = field(default_factory=list)
    edited_at: datetime | None = None
    history: list[Revision] = field(default_factory=list)
    hidden: Hidden | None = None
    helpful: int = 0
    version: int = 0
    facts: list[Any] = field(default_factory=list)

    def edit(
        self,
        caller: Caller,
        *,
        source: str,
        html: str,
        mentions: list[str],
        region: str | None,
        now: datetime,
    ) -> list[str]:
        """The author's new words, within the window; the members newly mentioned."""
        if caller.member_id != self.author_member_id:
            raise Forbidden("not_your_post", "Only its author edits a post")
        if self.hidden is not None:
            raise Conflict("post_hidden", "A hidden post cannot be edited")
        if now - self.created_at > EDIT_WINDOW:
            minutes = int(EDIT_WINDOW.total_seconds() // 60)
            raise Conflict("edit_window_closed", f"Posts can be edited for {minutes} minutes")
        if source == self.source:
            return []
        self.history.append(Revision(self.source, self.html, self.edited_at or self.created_at))
        newly = [m for m in mentions if m not in self.mentions]
        self.source, self.html, self.edited_at = source, html, now
        self.mentions = list(dict.fromkeys([*self.mentions, *mentions]))
        self.facts.append(
            fact.PostEdited(
                thread_id=self.thread_id,
                post_id=self.id,
                author_member_id=self.author_member_id,
                region=region,
            )
        )
        return newly

    def set_hidden(
        self, caller: Caller, region: str | None, *, hide: bool, reason: str, now: datetime
    ) -> bool:
        """Hides or restores it, with the reason recorded; False when it already was so."""
        if not caller.governs(region):
            raise Forbidden(
                "outside_remit", "Only the region's facilitators or an operator moderate"
            )
        why = checked_reason(reason)
        if (self.hidden is not None) == hide:
            return False
        self.hidden = Hidden(why, caller.member_id, now) if hide else None
        self.facts.append(
            fact.PostHidden(
                thread_id=self.thread_id,
                post_id=self.id,
                author_member_id=self.author_member_id,
                hidden=hide,
                reason=why,
                by_member_id=caller.member_id,
                region=region,
            )
        )
        return True


@dataclass(frozen=True)
class PostShown:
    """A post as a thread's page or a search shows it: its HTML and counts, without its
    Markdown or earlier words (only its author's edit form and its history need those, and a
    page reads fifty posts)."""

    id: str
    thread_id: str
    author_member_id: str
    html: str
    created_at: datetime
    quoted_post_id: str | None
    mentions: list[str]
    edited_at: datetime | None
    edits: int
    helpful: int
    hidden: Hidden | None

    @classmethod
    def of(cls, p: Post) -> PostShown:
        return cls(
            id=p.id,
            thread_id=p.thread_id,
            author_member_id=p.author_member_id,
            html=p.html,
            created_at=p.created_at,
            quoted_post_id=p.quoted_post_id,
            mentions=list(p.mentions),
            edited_at=p.edited_at,
            edits=len(p.history),
            helpful=p.helpful,
            hidden=p.hidden,
        )


@dataclass
class Thread:
    id: str
    subject: Subject
    title: str
    tags: list[str]
    region: str | None
    author_member_id: str
    question: bool
    first_post_id: str
    created_at: datetime
    last_post_at: datetime
    answer_post_id: str | None = None
    answer_member_id: str | None = None
    locked: bool = False
    lock_reason: str | None = None
    moderation: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    facts: list[Any] = field(default_factory=list)

    def check_open(self) -> None:
        if self.locked:
            raise Conflict("thread_locked", "This thread is locked: no more replies")

    def reply_facts(self, post: Post, mentioned: list[str], quoted: Post | None) -> list[Any]:
        """A reply's facts (carried by the post's own write): added, and each mention."""
        self.check_open()
        if quoted is not None and (quoted.thread_id != self.id or quoted.hidden is not None):
            raise Invalid("cannot_quote", "Quote a visible post of this thread")
        found: list[Any] = [
            fact.PostAdded(
                thread_id=self.id,
                post_id=post.id,
                subject_kind=self.subject.kind.value,
                subject_id=self.subject.id,
                title=self.title,
                author_member_id=post.author_member_id,
                region=self.region,
                quoted_post_id=post.quoted_post_id,
                excerpt=excerpt(post.source),
            )
        ]
        return found + self.mention_facts(post, mentioned)

    def mention_facts(self, post: Post, member_ids: list[str]) -> list[Any]:
        return [
            fact.MemberMentioned(
                thread_id=self.id,
                post_id=post.id,
                title=self.title,
                member_id=member_id,
                by_member_id=post.author_member_id,
                excerpt=excerpt(post.source),
                region=self.region,
            )
            for member_id in member_ids
            if member_id != post.author_member_id
        ]

    def accept(self, caller: Caller, post: Post) -> bool:
        """Marks the reply as the answer; False when it already is."""
        if not self.question:
            raise Conflict("not_a_question", "Only a question has an accepted answer")
        if caller.member_id != self.author_member_id and not caller.governs(self.region):
            raise Forbidden("not_the_asker", "The asker or a facilitator accepts an answer")
        if post.thread_id != self.id or post.hidden is not None or post.id == self.first_post_id:
            raise Invalid("cannot_accept", "Accept a visible reply of this thread")
        if post.id == self.answer_post_id:
            return False
        self.facts.append(
            fact.AnswerAccepted(
                thread_id=self.id,
                post_id=post.id,
                title=self.title,
                answerer_member_id=post.author_member_id,
                asker_member_id=self.author_member_id,
                accepted_by=caller.member_id,
                previous_post_id=self.answer_post_id,
                previous_answerer_member_id=self.answer_member_id,
                region=self.region,
            )
        )
        self.answer_post_id, self.answer_member_id = post.id, post.author_member_id
        return True

    def _moderated(self, caller: Caller, action: str, reason: str, now: datetime) -> str:
        if not caller.governs(self.region):
            raise Forbidden(
                "outside_remit", "Only the region's facilitators or an operator moderate"
            )
        why = checked_reason(reason)
        self.moderation.append(
            {"action": action, "reason": why, "by_member_id": caller.member_id, "at": now}
        )
        return why

    def set_locked(self, caller: Caller, *, locked: bool, reason: str, now: datetime) -> bool:
        if self.locked == locked:
            if not caller.governs(self.region):
                raise Forbidden(
                    "outside_remit", "Only the region's facilitators or an operator moderate"
                )
            return False
        why = self._moderated(caller, "lock" if locked else "unlock", reason, now)
        self.locked, self.lock_reason = locked, why if locked else None
        return True

    def move(self, caller: Caller, subject: Subject, *, reason: str, now: datetime) -> bool:
        if subject == self.subject:
            return False
        self._moderated(
            caller, f"move from {self.subject.kind.value}:{self.subject.id}", reason, now
        )
        self.subject = subject
        if subject.kind == SubjectKind.REGION:
            self.region = subject.id
        return True


def start(
    *,
    thread_id: str,
    post: Post,
    subject: Subject,
    title: str,
    tags: list[str],
    question: bool,
    region: str | None,
    mentioned: list[str],
    now: datetime,
) -> Thread:
    """A new thread with its first post; the facts (started, mentions) ride on the thread."""
    title, tags = checked_title_and_tags(title, tags)
    if subject.kind == SubjectKind.TOPIC and not tags:
        raise Invalid(
            "invalid_thread",
            "tags: Give a free topic at least one tag",
            problems=["tags: Give a free topic at least one tag"],
        )
    thread = Thread(
        id=thread_id,
        subject=subject,
        title=title,
        tags=tags,
        region=subject.id if subject.kind == SubjectKind.REGION else region,
        author_member_id=post.author_member_id,
        question=question,
        first_post_id=post.id,
        created_at=now,
        last_post_at=now,
    )
    thread.facts.append(
        fact.ThreadStarted(
            thread_id=thread.id,
            post_id=post.id,
            subject_kind=subject.kind.value,
            subject_id=subject.id,
            title=thread.title,
            author_member_id=post.author_member_id,
            region=thread.region,
            tags=thread.tags,
            question=question,
        )
    )
    thread.facts.extend(thread.mention_facts(post, mentioned))
    return thread
