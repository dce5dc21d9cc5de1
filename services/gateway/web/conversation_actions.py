"""What a thread's page posts: a reply (quoting), helpful, a flag, the accepted answer,
follow or stop, and for the region's facilitators hide, restore, lock and move. Each calls
conversations once; what the member can mend is shown on the thread's page beside its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused, Services
from services.gateway.domain.sessions import Session
from services.gateway.web.conversation_pages import SUBJECTS, render_thread
from services.gateway.web.pages import Form, MemberSession, Problems, ServicesDep, redirect

router = APIRouter(include_in_schema=False)


async def _act(
    request: Request,
    session: Session,
    services: Services,
    thread_id: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    *,
    field: str,
    done: str,
    anchor: str = "",
    at_post: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """Calls conversations; a refusal is shown on the thread's page beside `field`."""
    try:
        await services.call("conversations", method, path, caller=session.caller(), json=body)
    except ServiceRefused as refused:
        return await _refused(request, session, services, thread_id, refused, field, form)
    if at_post:  # the page the post is on, past the first in a long thread
        return redirect(
            f"/conversations/{thread_id}?from_post={at_post}&done={done}#post-{at_post}"
        )
    return redirect(f"/conversations/{thread_id}?done={done}{anchor}")


async def _refused(
    request: Request,
    session: Session,
    services: Services,
    thread_id: str,
    refused: ServiceRefused,
    field: str,
    form: dict[str, str] | None,
) -> Response:
    # Not theirs to do (403) is the error page; what they can mend is shown beside it.
    if refused.status_code not in (404, 409, 422, 429):
        raise refused
    problems = Problems()
    problems.refused(refused, (field,), field)
    return await render_thread(request, thread_id, session, services, problems=problems, form=form)


@router.post("/conversations/{thread_id}/reply")
async def reply(
    request: Request, thread_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    if form.get("action") == "find_member" or form.get("mention"):
        return await _mention(request, thread_id, form, session, services)
    text = form.get("body", "").strip()
    if not text:
        problems = Problems()
        problems.add("body", "Write your reply")
        return await render_thread(request, thread_id, session, services, problems=problems)
    body = {"body": text, "quoted_post_id": form.get("quoted_post_id") or None}
    try:
        posted = await services.call(
            "conversations",
            "POST",
            f"/v1/threads/{thread_id}/posts",
            caller=session.caller(),
            json=body,
        )
    except ServiceRefused as refused:
        kept = {"body": text, "quoted_post_id": form.get("quoted_post_id", "")}
        return await _refused(request, session, services, thread_id, refused, "body", kept)
    # In a thread longer than a page the reply is not on its first: show the page it is on.
    post_id = posted["id"]
    return redirect(f"/conversations/{thread_id}?from_post={post_id}&done=replied#post-{post_id}")


MENTION_MATCHES = 8


async def _mention(
    request: Request, thread_id: str, form: dict[str, str], session: Session, services: Services
) -> Response:
    """The reply form's member picker, without JavaScript: "Find" lists the members whose name
    starts so; choosing one adds their mention to the reply, kept as written so far."""
    kept = {k: form.get(k, "") for k in ("body", "quoted_post_id", "mention_name")}
    caller = session.caller()
    chosen = form.get("mention", "")
    problems = Problems()
    if chosen:
        member = await services.get("membership", f"/v1/members/{chosen}", caller=caller)
        # A mention's label is at most 100 characters and holds no square bracket.
        label = str(member["name"]).replace("[", "(").replace("]", ")")[:100]
        written = kept["body"].rstrip()
        kept["body"] = f"{written}{' ' if written else ''}@[{label}](member:{chosen}) "
        return await render_thread(request, thread_id, session, services, form=kept)
    name = " ".join(kept["mention_name"].split())
    matches: list[dict[str, Any]] = []
    if not name:
        problems.add("mention_name", "Enter the start of their name")
    else:
        try:
            found = await services.get(
                "membership", "/v1/members", caller=caller, name=name, limit=MENTION_MATCHES
            )
            matches = found["items"]
        except ServiceRefused as refused:
            if refused.status_code != 422:
                raise
            problems.refused(refused, ("mention_name",), "mention_name", {"name": "mention_name"})
        if not matches and not problems:
            problems.add("mention_name", f"No member's name starts with {name}")
    return await render_thread(
        request, thread_id, session, services, problems=problems, form=kept, mentionable=matches
    )


@router.post("/conversations/{thread_id}/posts/{post_id}/helpful")
async def helpful(
    request: Request,
    thread_id: str,
    post_id: str,
    form: Form,
    session: MemberSession,
    services: ServicesDep,
) -> Response:
    return await _act(
        request,
        session,
        services,
        thread_id,
        "PUT",
        f"/v1/posts/{post_id}/helpful",
        None,
        field="body",
        done="helpful",
        at_post=post_id,
    )


@router.post("/conversations/{thread_id}/posts/{post_id}/flag")
async def flag(
    request: Request,
    thread_id: str,
    post_id: str,
    form: Form,
    session: MemberSession,
    services: ServicesDep,
) -> Response:
    body = {"reason": form.get("reason", "").strip() or "-"}
    return await _act(
        request,
        session,
        services,
        thread_id,
        "POST",
        f"/v1/posts/{post_id}/flags",
        body,
        field=f"reason-{post_id}",
        done="flagged",
        at_post=post_id,
    )


@router.post("/conversations/{thread_id}/answer")
async def accept(
    request: Request, thread_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    body = {"post_id": form.get("post_id", "")}
    return await _act(
        request,
        session,
        services,
        thread_id,
        "POST",
        f"/v1/threads/{thread_id}/answer",
        body,
        field="body",
        done="answered",
    )


@router.post("/conversations/{thread_id}/posts/{post_id}/hidden")
async def hide(
    request: Request,
    thread_id: str,
    post_id: str,
    form: Form,
    session: MemberSession,
    services: ServicesDep,
) -> Response:
    body = {"hidden": form.get("hidden") == "yes", "reason": form.get("reason", "").strip() or "-"}
    return await _act(
        request,
        session,
        services,
        thread_id,
        "POST",
        f"/v1/posts/{post_id}/hidden",
        body,
        field=f"reason-{post_id}",
        done="moderated",
        at_post=post_id,
    )


@router.post("/conversations/{thread_id}/lock")
async def lock(
    request: Request, thread_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    body = {"locked": form.get("locked") == "yes", "reason": form.get("reason", "").strip() or "-"}
    return await _act(
        request,
        session,
        services,
        thread_id,
        "POST",
        f"/v1/threads/{thread_id}/lock",
        body,
        field="lock_reason",
        done="moderated",
    )


@router.post("/conversations/{thread_id}/follow")
async def follow(
    request: Request, thread_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    method = "PUT" if form.get("following") == "yes" else "DELETE"
    return await _act(
        request,
        session,
        services,
        thread_id,
        method,
        f"/v1/threads/{thread_id}/follow",
        None,
        field="body",
        done="followed" if method == "PUT" else "unfollowed",
    )


@router.post("/conversations/{thread_id}/move")
async def move(
    request: Request, thread_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    kind = form.get("subject_kind", "")
    body = {
        "subject_kind": kind if kind in SUBJECTS else "topic",
        "subject_id": form.get("subject_id", "").strip() or None,
        "reason": form.get("reason", "").strip() or "-",
    }
    return await _act(
        request,
        session,
        services,
        thread_id,
        "POST",
        f"/v1/threads/{thread_id}/move",
        body,
        field="move_reason",
        done="moderated",
    )
