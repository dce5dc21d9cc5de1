"""The conversations service, as the gateway calls it, typed with the models generated from
its OpenAPI document (clients/models/conversations.py)."""

from __future__ import annotations

from services.gateway.clients.http import Services
from services.gateway.clients.models import conversations as c
from services.gateway.clients.operations import get, request, send
from shared.caller import Caller

SERVICE = "conversations"

THREADS = get(
    SERVICE,
    "/v1/threads",
    c.PageThreadView,
    *("subject_kind", "subject_id", "region", "tag", "open_questions", "cursor", "limit"),
)
THREAD = get(
    SERVICE,
    "/v1/threads/{thread_id}",
    c.ThreadPageView,
    *("cursor", "limit", "from_post", "from_unread"),
)
START = send(SERVICE, "POST", "/v1/threads", c.StartedView, c.ThreadIn)
SEARCH = get(SERVICE, "/v1/search", c.PageShownPostView, *("q", "region", "tag", "cursor", "limit"))
FLAGS = get(SERVICE, "/v1/flags", list[c.FlagView], "limit")
POST = get(SERVICE, "/v1/posts/{post_id}", c.PostView)
EDIT = send(SERVICE, "PUT", "/v1/posts/{post_id}", c.PostView, c.EditIn)
REPLY = send(SERVICE, "POST", "/v1/threads/{thread_id}/posts", c.PostView, c.ReplyIn)
HELPFUL = send(SERVICE, "PUT", "/v1/posts/{post_id}/helpful", c.Marked)
FLAG = send(SERVICE, "POST", "/v1/posts/{post_id}/flags", c.Marked, c.FlagIn)
ACCEPT = send(SERVICE, "POST", "/v1/threads/{thread_id}/answer", c.ThreadView, c.AnswerIn)
HIDE = send(SERVICE, "POST", "/v1/posts/{post_id}/hidden", c.PostView, c.HiddenIn)
LOCK = send(SERVICE, "POST", "/v1/threads/{thread_id}/lock", c.ThreadView, c.LockIn)
MOVE = send(SERVICE, "POST", "/v1/threads/{thread_id}/move", c.ThreadView, c.MoveIn)
FOLLOW = send(SERVICE, "PUT", "/v1/threads/{thread_id}/follow", c.Marked)
UNFOLLOW = send(SERVICE, "DELETE", "/v1/threads/{thread_id}/follow", c.Marked)


class Conversations:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def threads(
        self,
        caller: Caller,
        *,
        subject_kind: str | None = None,
        subject_id: str | None = None,
        region: str | None = None,
        tag: str | None = None,
        open_questions: bool = False,
        cursor: str | None = None,
        limit: int,
    ) -> c.PageThreadView:
        query = {
            "subject_kind": subject_kind,
            "subject_id": subject_id,
            "region": region,
            "tag": tag,
            "open_questions": "true" if open_questions else None,
            "cursor": cursor,
            "limit": limit,
        }
        return await THREADS(self._services, caller, query=query)

    async def thread(
        self,
        caller: Caller,
        thread_id: str,
        *,
        cursor: str | None = None,
        from_post: str | None = None,
        from_unread: bool = False,
        limit: int,
    ) -> c.ThreadPageView:
        query = {
            "cursor": cursor,
            "from_post": from_post,
            "from_unread": "true" if from_unread else None,
            "limit": limit,
        }
        return await THREAD(self._services, caller, thread_id=thread_id, query=query)

    async def start(self, caller: Caller, thread: c.ThreadIn) -> c.StartedView:
        return await START(self._services, caller, body=thread)

    async def search(
        self, caller: Caller, *, cursor: str | None, limit: int, **filters: str
    ) -> c.PageShownPostView:
        query = {**filters, "cursor": cursor, "limit": limit}
        return await SEARCH(self._services, caller, query=query)

    async def flags(self, caller: Caller, *, limit: int) -> list[c.FlagView]:
        return await FLAGS(self._services, caller, query={"limit": limit})

    async def post(self, caller: Caller, post_id: str) -> c.PostView:
        return await POST(self._services, caller, post_id=post_id)

    async def edit(self, caller: Caller, post_id: str, body: str) -> c.PostView:
        return await EDIT(
            self._services, caller, post_id=post_id, body=request(c.EditIn, body=body)
        )

    async def reply(
        self, caller: Caller, thread_id: str, *, body: str, quoted_post_id: str | None
    ) -> c.PostView:
        reply = request(c.ReplyIn, body=body, quoted_post_id=quoted_post_id)
        return await REPLY(self._services, caller, thread_id=thread_id, body=reply)

    async def helpful(self, caller: Caller, post_id: str) -> None:
        await HELPFUL(self._services, caller, post_id=post_id)

    async def flag(self, caller: Caller, post_id: str, reason: str) -> None:
        await FLAG(self._services, caller, post_id=post_id, body=request(c.FlagIn, reason=reason))

    async def accept(self, caller: Caller, thread_id: str, post_id: str) -> None:
        body = request(c.AnswerIn, post_id=post_id)
        await ACCEPT(self._services, caller, thread_id=thread_id, body=body)

    async def hide(self, caller: Caller, post_id: str, *, hidden: bool, reason: str) -> None:
        body = request(c.HiddenIn, hidden=hidden, reason=reason)
        await HIDE(self._services, caller, post_id=post_id, body=body)

    async def lock(self, caller: Caller, thread_id: str, *, locked: bool, reason: str) -> None:
        body = request(c.LockIn, locked=locked, reason=reason)
        await LOCK(self._services, caller, thread_id=thread_id, body=body)

    async def move(
        self,
        caller: Caller,
        thread_id: str,
        *,
        subject_kind: str,
        subject_id: str | None,
        reason: str,
    ) -> None:
        body = request(c.MoveIn, subject_kind=subject_kind, subject_id=subject_id, reason=reason)
        await MOVE(self._services, caller, thread_id=thread_id, body=body)

    async def follow(self, caller: Caller, thread_id: str, *, on: bool) -> None:
        operation = FOLLOW if on else UNFOLLOW
        await operation(self._services, caller, thread_id=thread_id)
