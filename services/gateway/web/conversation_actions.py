"""What a thread's page posts: a reply (quoting), helpful, a flag, the accepted answer,
follow or stop, and for the region's facilitators hide, restore, lock and move. Each calls
conversations once; what the member can mend is shown on the thread's page beside its field."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused
from services.gateway.domain.sessions import Session
from services.gateway.usecases import conversations as talk
from services.gateway.web.conversation_pages import render_thread
from services.gateway.web.forms import FormModel, Posted, posted
from services.gateway.web.pages import ClientsDep, Form, MemberSession, Problems, redirect

router = APIRouter(include_in_schema=False)


class ReplyForm(FormModel):
    body: str = ""
    quoted_post_id: str = ""
    action: str = ""
    mention: str = ""
    mention_name: str = ""


class ReasonForm(FormModel):
    reason: str = ""


class AnswerForm(FormModel):
    post_id: str = ""


class HideForm(FormModel):
    hidden: str = ""
    reason: str = ""


class LockForm(FormModel):
    locked: str = ""
    reason: str = ""


class FollowForm(FormModel):
    following: str = ""


class MoveForm(FormModel):
    subject_kind: str = ""
    subject_id: str = ""
    reason: str = ""


def _back(thread_id: str, done: str, *, at_post: str | None = None, anchor: str = "") -> Response:
    if at_post:  # the page the post is on, past the first in a long thread
        return redirect(
            f"/conversations/{thread_id}?from_post={at_post}&done={done}#post-{at_post}"
        )
    return redirect(f"/conversations/{thread_id}?done={done}{anchor}")


async def _refused(
    request: Request,
    session: Session,
    clients: Clients,
    thread_id: str,
    refused: ServiceRefused,
    field: str,
    form: dict[str, str] | None = None,
) -> Response:
    # Not theirs to do (403) is the error page; what they can mend is shown beside it.
    if refused.status_code not in (404, 409, 422, 429):
        raise refused
    problems = Problems()
    problems.refused(refused, (field,), field)
    return await render_thread(request, thread_id, session, clients, problems=problems, form=form)


@router.post("/conversations/{thread_id}/reply")
async def reply(
    request: Request,
    thread_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[ReplyForm] = posted(ReplyForm),
) -> Response:
    form = sent.form or ReplyForm()
    kept = {"body": form.body, "quoted_post_id": form.quoted_post_id}
    if form.action == "find_member" or form.mention:
        return await _mention(request, thread_id, form, session, clients)
    if not form.body:
        problems = Problems()
        problems.add("body", "Write your reply")
        return await render_thread(request, thread_id, session, clients, problems=problems)
    try:
        post_id = await talk.reply(
            clients,
            session.caller(),
            thread_id,
            body=form.body,
            quoted_post_id=form.quoted_post_id or None,
        )
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, "body", kept)
    # In a thread longer than a page the reply is not on its first: show the page it is on.
    return _back(thread_id, "replied", at_post=post_id)


async def _mention(
    request: Request, thread_id: str, form: ReplyForm, session: Session, clients: Clients
) -> Response:
    """The reply form's member picker, without JavaScript (usecases/conversations.py)."""
    kept = {
        "body": form.body,
        "quoted_post_id": form.quoted_post_id,
        "mention_name": form.mention_name,
    }
    problems = Problems()
    try:
        picked = await talk.pick_member(
            clients, session.caller(), body=form.body, chosen=form.mention, name=form.mention_name
        )
    except ServiceRefused as refused:
        if refused.status_code != 422:
            raise
        problems.refused(refused, ("mention_name",), "mention_name", {"name": "mention_name"})
        return await render_thread(
            request, thread_id, session, clients, problems=problems, form=kept
        )
    kept["body"] = picked.body
    if picked.problem:
        problems.add("mention_name", picked.problem)
    return await render_thread(
        request,
        thread_id,
        session,
        clients,
        problems=problems or None,
        form=kept,
        mentionable=picked.matches or None,
    )


@router.post("/conversations/{thread_id}/posts/{post_id}/helpful")
async def helpful(
    request: Request,
    thread_id: str,
    post_id: str,
    form: Form,
    session: MemberSession,
    clients: ClientsDep,
) -> Response:
    try:
        await talk.helpful(clients, session.caller(), post_id)
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, "body")
    return _back(thread_id, "helpful", at_post=post_id)


@router.post("/conversations/{thread_id}/posts/{post_id}/flag")
async def flag(
    request: Request,
    thread_id: str,
    post_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[ReasonForm] = posted(ReasonForm),
) -> Response:
    reason = sent.form.reason if sent.form is not None else ""
    try:
        await talk.flag(clients, session.caller(), post_id, reason)
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, f"reason-{post_id}")
    return _back(thread_id, "flagged", at_post=post_id)


@router.post("/conversations/{thread_id}/answer")
async def accept(
    request: Request,
    thread_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[AnswerForm] = posted(AnswerForm),
) -> Response:
    post_id = sent.form.post_id if sent.form is not None else ""
    try:
        await talk.accept(clients, session.caller(), thread_id, post_id)
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, "body")
    return _back(thread_id, "answered")


@router.post("/conversations/{thread_id}/posts/{post_id}/hidden")
async def hide(
    request: Request,
    thread_id: str,
    post_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[HideForm] = posted(HideForm),
) -> Response:
    form = sent.form or HideForm()
    try:
        await talk.hide(
            clients, session.caller(), post_id, hidden=form.hidden == "yes", reason=form.reason
        )
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, f"reason-{post_id}")
    return _back(thread_id, "moderated", at_post=post_id)


@router.post("/conversations/{thread_id}/lock")
async def lock(
    request: Request,
    thread_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[LockForm] = posted(LockForm),
) -> Response:
    form = sent.form or LockForm()
    try:
        await talk.lock(
            clients, session.caller(), thread_id, locked=form.locked == "yes", reason=form.reason
        )
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, "lock_reason")
    return _back(thread_id, "moderated")


@router.post("/conversations/{thread_id}/follow")
async def follow(
    request: Request,
    thread_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[FollowForm] = posted(FollowForm),
) -> Response:
    on = sent.form is not None and sent.form.following == "yes"
    try:
        await talk.follow(clients, session.caller(), thread_id, on=on)
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, "body")
    return _back(thread_id, "followed" if on else "unfollowed")


@router.post("/conversations/{thread_id}/move")
async def move(
    request: Request,
    thread_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[MoveForm] = posted(MoveForm),
) -> Response:
    form = sent.form or MoveForm()
    try:
        await talk.move(
            clients,
            session.caller(),
            thread_id,
            subject_kind=form.subject_kind,
            subject_id=form.subject_id or None,
            reason=form.reason,
        )
    except ServiceRefused as refused:
        return await _refused(request, session, clients, thread_id, refused, "move_reason")
    return _back(thread_id, "moderated")
