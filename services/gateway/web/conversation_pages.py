"""Conversations in the site, the pages: "ask the network" and the latest threads (by region
and tag), search, a thread's page, starting a thread on a subject, editing one's post, and the
moderation queue. `panel` gives the recommendation, plan and event pages their latest threads.
What a thread's page posts (reply, helpful, flag, answer, follow, moderation) is in
conversation_actions.py."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import conversations as c
from services.gateway.clients.models import membership as m
from services.gateway.domain.sessions import Session
from services.gateway.usecases import conversations as talk
from services.gateway.web.forms import FormModel, Posted, Tags, given, posted
from services.gateway.web.pages import (
    ClientsDep,
    MemberSession,
    Problems,
    redirect,
    render,
)

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


class ThreadForm(FormModel):
    subject_kind: str = "topic"
    subject_id: str = ""
    title: Annotated[str, given("Give your conversation a title")]
    tags: Tags = Field(default_factory=list)
    question: str = "no"
    body: Annotated[str, given("Write the first post")]


class EditForm(FormModel):
    body: str = ""


def subject_link(kind: str, subject_id: str | None) -> str:
    return SUBJECTS[kind][1].format(subject_id) if subject_id and SUBJECTS[kind][1] else ""


@router.get("/conversations")
async def conversations(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    region: str = "",
    tag: str = "",
    cursor: str | None = None,
    asked: str = "",
) -> Response:
    caller = session.caller()
    problems = Problems()
    found = talk.Listing([], c.PageThreadView(items=[]), {})
    try:
        found = await talk.listing(clients, caller, region=region, tag=tag, cursor=cursor)
    except ServiceRefused as refused:
        problems.refused(refused, ("region", "tag"), "tag")
    return render(
        request,
        "conversations.jinja",
        title="Conversations",
        questions=found.questions,
        latest=found.latest,
        names=found.names,
        filters={"region": region, "tag": tag},
        query=urlencode({k: v for k, v in (("region", region), ("tag", tag)) if v}),
        problems=problems,
        status=422 if problems else 200,
    )


@router.get("/conversations/search")
async def search(
    request: Request, session: MemberSession, clients: ClientsDep, cursor: str | None = None
) -> Response:
    filters = {k: request.query_params.get(k, "").strip() for k in SEARCH_FILTERS}
    problems = Problems()
    found = talk.Found(c.PageShownPostView(items=[]), {})
    try:
        found = await talk.search(clients, session.caller(), filters, cursor)
    except ServiceRefused as refused:
        problems.refused(refused, SEARCH_FILTERS, "q", renames={"words": "q"})
    return render(
        request,
        "conversation_search.jinja",
        title="Search conversations",
        page=found.page,
        names=found.names,
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
    request: Request, form: dict[str, Any], problems: Problems | None = None
) -> Response:
    kind = form.get("subject_kind", "topic")
    return render(
        request,
        "conversation_form.jinja",
        title="Start a conversation",
        form=form,
        subject=SUBJECTS.get(kind, SUBJECTS["topic"])[0],
        subject_href=subject_link(kind, form.get("subject_id") or None) if kind in SUBJECTS else "",
        problems=problems,
        status=422 if problems else 200,
    )


@router.post("/conversations/new")
async def start(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[ThreadForm] = posted(ThreadForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None:
        form = sent.form
        try:
            thread_id = await talk.start(
                clients,
                session.caller(),
                subject_kind=form.subject_kind,
                subject_id=form.subject_id or None,
                title=form.title,
                tags=form.tags,
                question=form.question == "yes",
                body=form.body,
            )
            return redirect(f"/conversations/{thread_id}")
        except ServiceRefused as refused:
            if refused.status_code not in (422, 429):
                raise
            problems.refused(
                refused, ("title", "tags", "body"), "body", renames={"subject_id": "body"}
            )
    shown = {**sent.typed, "question": "yes" if sent.typed.get("question") == "yes" else "no"}
    return _thread_form(request, shown, problems)


@router.get("/conversations/flags")
async def flags(request: Request, session: MemberSession, clients: ClientsDep) -> Response:
    """The moderation queue: flags in the caller's region (every region for operators)."""
    found = await talk.flags(clients, session.caller())
    return render(
        request,
        "conversation_flags.jinja",
        title="Flagged posts",
        flags=found.flags,
        names=found.names,
    )


@router.get("/conversations/{thread_id}")
async def thread(
    request: Request,
    thread_id: str,
    session: MemberSession,
    clients: ClientsDep,
    cursor: str | None = None,
    from_post: str | None = None,
    unread: bool = False,
) -> Response:
    return await render_thread(
        request, thread_id, session, clients, cursor=cursor, from_post=from_post, unread=unread
    )


async def render_thread(
    request: Request,
    thread_id: str,
    session: Session,
    clients: Clients,
    *,
    cursor: str | None = None,
    from_post: str | None = None,
    unread: bool = False,
    problems: Problems | None = None,
    form: dict[str, Any] | None = None,
    mentionable: list[m.MemberView] | None = None,
) -> Response:
    caller = session.caller()
    found = await talk.thread_page(
        clients, caller, thread_id, cursor=cursor, from_post=from_post, unread=unread
    )
    page, t = found.page, found.page.thread
    return render(
        request,
        "conversation.jinja",
        title=t.title,
        thread=t,
        following=page.following,
        subjects={k: v[0] for k, v in SUBJECTS.items()},
        posts=page.posts,
        quoted=page.quoted,
        next_cursor=page.next_cursor,
        from_start=page.from_start,
        names=found.names,
        subject=SUBJECTS[t.subject_kind][0],
        subject_href=subject_link(t.subject_kind, t.subject_id),
        moderator=found.moderator,
        asker=found.asker,
        me=caller.member_id,
        done=request.query_params.get("done"),
        problems=problems,
        form=form or {},
        mentionable=mentionable,
        status=422 if problems else 200,
    )


@router.get("/conversations/{thread_id}/posts/{post_id}/edit")
async def edit_form(
    request: Request, thread_id: str, post_id: str, session: MemberSession, clients: ClientsDep
) -> Response:
    found = await talk.editing(clients, session.caller(), thread_id, post_id)
    if found.post.thread_id != thread_id:
        return redirect(f"/conversations/{found.post.thread_id}/posts/{post_id}/edit")
    return render(
        request,
        "conversation_edit.jinja",
        title="Edit your post",
        thread=found.thread,
        post_id=post_id,
        form={"body": found.post.source},
    )


@router.post("/conversations/{thread_id}/posts/{post_id}/edit")
async def edit(
    request: Request,
    thread_id: str,
    post_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[EditForm] = posted(EditForm),
) -> Response:
    text = sent.form.body if sent.form is not None else ""
    try:
        await talk.edit(clients, session.caller(), post_id, text)
    except ServiceRefused as refused:
        if refused.status_code not in (403, 404, 409, 422):
            raise
        problems = Problems()
        problems.refused(refused, ("body",), "body")
        return render(
            request,
            "conversation_edit.jinja",
            title="Edit your post",
            thread=await talk.thread_of(clients, session.caller(), thread_id),
            post_id=post_id,
            form={"body": text},
            problems=problems,
            status=422,
        )
    return redirect(f"/conversations/{thread_id}?from_post={post_id}&done=edited#post-{post_id}")
