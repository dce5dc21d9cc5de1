"""What the conversations service publishes on knet.conversations.v1. The key and subject is
the thread, so one thread's facts keep their order. Notifications tells participants, the
mentioned and askers from them; membership counts posts and accepted answers."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict

from shared import topics
from shared.cloudevents import Fact

THREAD = {"thread_id": "t1", "subject_kind": "recommendation", "subject_id": "R4"}


class ConversationsFact(Fact):
    topic: ClassVar[str] = topics.CONVERSATIONS


class ThreadStarted(ConversationsFact):
    """A member started a thread (a question, or a discussion) on a subject."""

    event_type: ClassVar[str] = "uk.nhs.knet.thread.started.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **THREAD,
                    "post_id": "p1",
                    "title": "Who runs a clinical librarian service?",
                    "author_member_id": "m1",
                    "region": "LDN",
                    "tags": ["clinical librarians"],
                    "question": True,
                }
            ]
        }
    )
    thread_id: str
    post_id: str
    subject_kind: str
    subject_id: str | None
    title: str
    author_member_id: str
    region: str | None
    tags: list[str]
    question: bool


class PostAdded(ConversationsFact):
    """A reply in a thread (the first post comes with `thread.started`)."""

    event_type: ClassVar[str] = "uk.nhs.knet.post.added.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **THREAD,
                    "post_id": "p2",
                    "title": "Who runs a clinical librarian service?",
                    "author_member_id": "m2",
                    "region": "LDN",
                    "quoted_post_id": None,
                    "excerpt": "We do, at St Elsewhere's: ...",
                }
            ]
        }
    )
    thread_id: str
    post_id: str
    subject_kind: str
    subject_id: str | None
    title: str
    author_member_id: str
    region: str | None
    quoted_post_id: str | None
    excerpt: str


class PostEdited(ConversationsFact):
    """An author changed their post within the edit window (the history is kept)."""

    event_type: ClassVar[str] = "uk.nhs.knet.post.edited.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"thread_id": "t1", "post_id": "p2", "author_member_id": "m2", "region": "LDN"}
            ]
        }
    )
    thread_id: str
    post_id: str
    author_member_id: str
    # The thread's region (None: a national thread), carried as the event's `region` too.
    region: str | None = None


class PostHidden(ConversationsFact):
    """A moderator hid a post (or restored it: `hidden` false), with the reason recorded."""

    event_type: ClassVar[str] = "uk.nhs.knet.post.hidden.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "thread_id": "t1",
                    "post_id": "p2",
                    "author_member_id": "m2",
                    "hidden": True,
                    "reason": "Advertising",
                    "by_member_id": "f1",
                    "region": "LDN",
                }
            ]
        }
    )
    thread_id: str
    post_id: str
    author_member_id: str
    hidden: bool
    reason: str
    by_member_id: str
    # The thread's region (None: a national thread), carried as the event's `region` too.
    region: str | None = None


class AnswerAccepted(ConversationsFact):
    """The asker (or a facilitator) marked a reply as the answer to a question."""

    event_type: ClassVar[str] = "uk.nhs.knet.answer.accepted.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "thread_id": "t1",
                    "post_id": "p2",
                    "title": "Who runs a clinical librarian service?",
                    "answerer_member_id": "m2",
                    "asker_member_id": "m1",
                    "accepted_by": "m1",
                    "previous_post_id": None,
                    "previous_answerer_member_id": None,
                    "region": "LDN",
                }
            ]
        }
    )
    thread_id: str
    post_id: str
    title: str
    answerer_member_id: str
    asker_member_id: str
    accepted_by: str
    # When another reply was the answer before: membership takes its count back.
    previous_post_id: str | None
    previous_answerer_member_id: str | None
    # The thread's region (None: a national thread), carried as the event's `region` too.
    region: str | None = None


class ThreadFollowed(ConversationsFact):
    """A member follows a thread (hears of its replies), or stops (`following` false: also
    how one who took part mutes it)."""

    event_type: ClassVar[str] = "uk.nhs.knet.thread.followed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"thread_id": "t1", "member_id": "m3", "following": True, "region": "LDN"}]
        }
    )
    thread_id: str
    member_id: str
    following: bool
    # The thread's region (None: a national thread), carried as the event's `region` too.
    region: str | None = None


class MemberMentioned(ConversationsFact):
    """A post mentions a member (once per post and member, edits included)."""

    event_type: ClassVar[str] = "uk.nhs.knet.member.mentioned.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "thread_id": "t1",
                    "post_id": "p2",
                    "title": "Who runs a clinical librarian service?",
                    "member_id": "m3",
                    "by_member_id": "m2",
                    "excerpt": "@Ada might know",
                    "region": "LDN",
                }
            ]
        }
    )
    thread_id: str
    post_id: str
    title: str
    member_id: str
    by_member_id: str
    excerpt: str
    # The thread's region (None: a national thread), carried as the event's `region` too.
    region: str | None = None
