"""Conversations in the site, the pages: "ask the network" and the latest threads (by region
and tag), search, a thread's page, starting a thread on a subject, editing one's post, and the
moderation queue. `panel` gives the recommendation, plan and event pages their latest threads.
What a thread's page posts (reply, helpful, flag, answer, follow, moderation) is in
conversation_actions.py."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused, Services
from services.gateway.domain.sessions import Session
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    member_names,
    redirect,
    render,
)
from shared.caller import Caller

router = APIRouter(include_in_schema=False)

SUBJECTS = {
    "recommendation": ("Recommendation", "/recommendations/{}"),
    "plan": ("Plan", "/plans/{}"),
    "event": ("Event", "/events/{}"),
    "case_study": ("Case study", "/case-studies/{}"),
    "region": ("Region", "/regions/{}"),
    "topic": ("Topic", ""),
}
SEARCH_FILTERS = ("q", "region", "tag")


def subject_link(kind: str, subject_id: str | None) -> str:
    return SUBJECTS[kind][1].format(subject_id) if subject_id and SUBJECTS[kind][1] else ""


async def panel(
    services: Services,
    caller: Caller,
    kind: str,
    subject_id: str,
    *,
    listed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The latest threads about a subject (or those `listed` by other filters: a region's
    page lists every thread in the region), for its page; empty when conversations is away."""
    filters = listed or {"subject_kind": kind, "subject_id": subject_id}
    try:
        page = await services.get("conversations", "/v1/threads", caller=caller, limit=5, **filters)
    except ServiceRefused:
        page = {"items": []}
    except Exception:  # conversations away: the page shows without its panel
        page = {"items": [], "away": True}
    return {
        "threads": page["items"],
        "away": page.get("away", False),
        "start": "/conversations/new?"
        + urlencode({"subject_kind": kind, "subject_id": subject_id}),
    }


async def open_questions(services: Services, caller: Caller, region: str | None) -> list[Any]:
    """Ask the network: the unanswered questions of a region (the home page)."""
    try:
        page = await services.get(
            "conversations",
            "/v1/threads",
            caller=caller,
            open_questions="true",
            region=region,
            limit=5,
        )
    except Exception:  # conversations away or refusing: the home page shows without them
        return []
    items: list[Any] = page["items"]
    return items


@router.get("/conversations")
async def conversations(
    request: Request,
    session: MemberSession,
    services: ServicesDep,
    region: str = "",
    tag: str = "",
    cursor: str | None = None,
    asked: str = "",
) -> Response:
    caller = session.caller()
    filters = {"region": region or None, "tag": tag or None}
    problems = Problems()
    questions: dict[str, Any] = {"items": []}
    latest: dict[str, Any] = {"items": [], "next_cursor": None}
    try:
        questions = await services.get(
            "conversations",
            "/v1/threads",
            caller=caller,
            open_questions="true",
            limit=10,
            **filters,
        )
        latest = await services.get(
            "conversations", "/v1/threads", caller=caller, cursor=cursor, limit=20, **filters
        )
    except ServiceRefused as refused:
        problems.refused(refused, ("region", "tag"), "tag")
    names = await member_names(
        services, caller, [t["author_member_id"] for t in latest["items"] + questions["items"]]
    )
    return render(
        request,
        "conversations.jinja",
        title="Conversations",
        questions=questions["items"],
        latest=latest,
        names=names,
        filters={"region": region, "tag": tag},
        query=urlencode({k: v for k, v in (("region", region), ("tag", tag)) if v}),
        problems=problems,
        status=422 if problems else 200,
    )


@router.get("/conversations/search")
async def search(
    request: Request, session: MemberSession, services: ServicesDep, cursor: str | None = None
) -> Response:
    caller = session.caller()
    filters = {k: request.query_params.get(k, "").strip() for k in SEARCH_FILTERS}
    problems = Problems()
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    if filters["q"]:
        try:
            page = await services.get(
                "conversations",
                "/v1/search",
                caller=caller,
                cursor=cursor,
                limit=20,
                **{k: v for k, v in filters.items() if v},
            )
        except ServiceRefused as refused:
            problems.refused(refused, SEARCH_FILTERS, "q", renames={"words": "q"})
    names = await member_names(services, caller, [p["author_member_id"] for p in page["items"]])
    return render(
        request,
        "conversation_search.jinja",
        title="Search conversations",
        page=page,
        names=names,
        filters=filters,
        query=urlencode({k: v for k, v in filters.items() if v}),
        problems=problems,
        status=422 if problems else 200,
    )


@router.get("/conversations/new")
async def new_thread(
    request: Request, session: MemberSession, subject_kind: str = "topic", subject_id: str = ""
) -> Response:
    kind = subject_kind if subject_kind in SUBJECTS else "topic"
    return _thread_form(
        request,
        {"subject_kind": kind, "subject_id": subject_id, "question": "yes"},
    )


def _thread_form(
    request: Request, form: dict[str, str], problems: Problems | None = None
) -> Response:
    return render(
        request,
        "conversation_form.jinja",
        title="Start a conversation",
        form=form,
        subject=SUBJECTS.get(form["subject_kind"], SUBJECTS["topic"])[0],
        subject_href=subject_link(form["subject_kind"], form.get("subject_id") or None),
        problems=problems,
        status=422 if problems else 200,
    )


@router.post("/conversations/new")
async def start(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    fields = {
        k: form.get(k, "").strip() for k in ("subject_kind", "subject_id", "title", "tags", "body")
    }
    fields["question"] = "yes" if form.get("question") == "yes" else "no"
    body = {
        "subject_kind": fields["subject_kind"] if fields["subject_kind"] in SUBJECTS else "topic",
        "subject_id": fields["subject_id"] or None,
        "title": fields["title"],
        "tags": [t.strip() for t in fields["tags"].split(",") if t.strip()],
        "question": fields["question"] == "yes",
        "body": fields["body"],
    }
    problems = Problems()
    if not fields["title"]:
        problems.add("title", "Give your conversation a title")
    if not fields["body"]:
        problems.add("body", "Write the first post")
    if not problems:
        try:
            started = await services.call(
                "conversations", "POST", "/v1/threads", caller=session.caller(), json=body
            )
            return redirect(f"/conversations/{started['thread']['id']}")
        except ServiceRefused as refused:
            if refused.status_code not in (422, 429):
                raise
            problems.refused(
                refused, ("title", "tags", "body"), "body", renames={"subject_id": "body"}
            )
    return _thread_form(request, fields, problems)


def _may_moderate(session: Session, region: str | None) -> bool:
    return bool(session.caller().governs(region))


@router.get("/conversations/flags")
async def flags(request: Request, session: MemberSession, services: ServicesDep) -> Response:
    """The moderation queue: flags in the caller's region (every region for operators)."""
    caller = session.caller()
    found = await services.get("conversations", "/v1/flags", caller=caller, limit=50)
    names = await member_names(services, caller, [f["member_id"] for f in found])
    return render(
        request, "conversation_flags.jinja", title="Flagged posts", flags=found, names=names
    )


@router.get("/conversations/{thread_id}")
async def thread(
    request: Request,
    thread_id: str,
    session: MemberSession,
    services: ServicesDep,
    cursor: str | None = None,
    from_post: str | None = None,
    unread: bool = False,
) -> Response:
    return await render_thread(
        request, thread_id, session, services, cursor=cursor, from_post=from_post, unread=unread
    )


async def render_thread(
    request: Request,
    thread_id: str,
    session: Session,
    services: Services,
    *,
    cursor: str | None = None,
    from_post: str | None = None,
    unread: bool = False,
    problems: Problems | None = None,
    form: dict[str, str] | None = None,
    mentionable: list[dict[str, Any]] | None = None,
) -> Response:
    caller = session.caller()
    page = await services.get(
        "conversations",
        f"/v1/threads/{thread_id}",
        caller=caller,
        cursor=cursor,
        from_post=from_post,
        from_unread="true" if unread else None,
        limit=50,
    )
    t = page["thread"]
    posts = page["posts"]
    names = await member_names(
        services,
        caller,
        [
            t["author_member_id"],
            *(p["author_member_id"] for p in posts),
            *(q["author_member_id"] for q in page["quoted"].values()),
        ],
    )
    return render(
        request,
        "conversation.jinja",
        title=t["title"],
        thread=t,
        following=page["following"],
        subjects={k: v[0] for k, v in SUBJECTS.items()},
        posts=posts,
        quoted=page["quoted"],
        next_cursor=page["next_cursor"],
        from_start=page["from_start"],
        names=names,
        subject=SUBJECTS[t["subject_kind"]][0],
        subject_href=subject_link(t["subject_kind"], t["subject_id"]),
        moderator=_may_moderate(session, t["region"]),
        asker=t["author_member_id"] == caller.member_id,
        me=caller.member_id,
        done=request.query_params.get("done"),
        problems=problems,
        form=form or {},
        mentionable=mentionable,
        status=422 if problems else 200,
    )


@router.get("/conversations/{thread_id}/posts/{post_id}/edit")
async def edit_form(
    request: Request, thread_id: str, post_id: str, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    # The post itself, wherever it is in the thread (a page carries no Markdown); the thread
    # for the heading and the way back.
    post, page = await asyncio.gather(
        services.get("conversations", f"/v1/posts/{post_id}", caller=caller),
        services.get("conversations", f"/v1/threads/{thread_id}", caller=caller, limit=1),
    )
    if post["thread_id"] != thread_id:
        return redirect(f"/conversations/{post['thread_id']}/posts/{post_id}/edit")
    return render(
        request,
        "conversation_edit.jinja",
        title="Edit your post",
        thread=page["thread"],
        post_id=post_id,
        form={"body": post["source"]},
    )


@router.post("/conversations/{thread_id}/posts/{post_id}/edit")
async def edit(
    request: Request,
    thread_id: str,
    post_id: str,
    form: Form,
    session: MemberSession,
    services: ServicesDep,
) -> Response:
    text = form.get("body", "").strip()
    try:
        await services.call(
            "conversations",
            "PUT",
            f"/v1/posts/{post_id}",
            caller=session.caller(),
            json={"body": text},
        )
    except ServiceRefused as refused:
        if refused.status_code not in (403, 404, 409, 422):
            raise
        problems = Problems()
        problems.refused(refused, ("body",), "body")
        page = await services.get(
            "conversations", f"/v1/threads/{thread_id}", caller=session.caller(), limit=1
        )
        return render(
            request,
            "conversation_edit.jinja",
            title="Edit your post",
            thread=page["thread"],
            post_id=post_id,
            form={"body": text},
            problems=problems,
            status=422,
        )
    return redirect(f"/conversations/{thread_id}?from_post={post_id}&done=edited#post-{post_id}")
