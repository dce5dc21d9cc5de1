"""Conversations in the site: the panel a subject's page shows, "ask the network" and the latest
threads, search, a thread's page (with names, and whether the caller moderates it or asked
it), starting a thread, editing one's post, the moderation queue, and what a thread's page
posts (reply, with a member picker for mentions; helpful; flag; the accepted answer; follow;
and for a region's facilitators hide, restore, lock and move)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlencode

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused, ServiceUnavailable
from services.gateway.clients.models import conversations as c
from services.gateway.clients.models import membership as m
from services.gateway.clients.operations import request
from services.gateway.usecases.names import member_names
from shared.caller import Caller

PANEL_THREADS = 5
QUESTIONS_SHOWN = 10
THREADS_PAGE = 20
SEARCH_PAGE = 20
POSTS_PAGE = 50
FLAGS_SHOWN = 50
MENTION_MATCHES = 8
SUBJECTS = ("recommendation", "plan", "event", "case_study", "region", "topic")


@dataclass(frozen=True)
class Panel:
    threads: list[c.ThreadView]
    away: bool  # conversations did not answer: the page shows without its panel
    start: str  # where to start a thread on the subject


async def panel(
    clients: Clients,
    caller: Caller,
    kind: str,
    subject_id: str,
    *,
    region: str | None = None,
) -> Panel:
    """The latest threads about a subject (or, with `region`, every thread in the region),
    for its page."""
    start = "/conversations/new?" + urlencode({"subject_kind": kind, "subject_id": subject_id})
    try:
        if region:
            page = await clients.conversations.threads(caller, region=region, limit=PANEL_THREADS)
        else:
            page = await clients.conversations.threads(
                caller, subject_kind=kind, subject_id=subject_id, limit=PANEL_THREADS
            )
    except ServiceRefused:
        return Panel([], False, start)
    except ServiceUnavailable:  # conversations away
        return Panel([], True, start)
    return Panel(page.items, False, start)


async def open_questions(
    clients: Clients, caller: Caller, region: str | None
) -> list[c.ThreadView]:
    """Ask the network: the unanswered questions of a region (the home page)."""
    try:
        page = await clients.conversations.threads(
            caller, open_questions=True, region=region, limit=PANEL_THREADS
        )
    except (ServiceUnavailable, ServiceRefused):  # the home page shows without them
        return []
    return page.items


@dataclass(frozen=True)
class Listing:
    questions: list[c.ThreadView]
    latest: c.PageThreadView
    names: dict[str, str]


async def listing(
    clients: Clients, caller: Caller, *, region: str, tag: str, cursor: str | None
) -> Listing:
    where, about = region or None, tag or None
    questions, latest = await asyncio.gather(
        clients.conversations.threads(
            caller, open_questions=True, region=where, tag=about, limit=QUESTIONS_SHOWN
        ),
        clients.conversations.threads(
            caller, region=where, tag=about, cursor=cursor, limit=THREADS_PAGE
        ),
    )
    authors = [t.author_member_id for t in [*latest.items, *questions.items]]
    return Listing(questions.items, latest, await member_names(clients, caller, authors))


@dataclass(frozen=True)
class Found:
    page: c.PageShownPostView
    names: dict[str, str]


async def search(
    clients: Clients, caller: Caller, filters: dict[str, str], cursor: str | None
) -> Found:
    """Posts with every word of `q`; nothing is asked until there are words."""
    if not filters.get("q"):
        return Found(c.PageShownPostView(items=[]), {})
    page = await clients.conversations.search(
        caller, cursor=cursor, limit=SEARCH_PAGE, **{k: v for k, v in filters.items() if v}
    )
    names = await member_names(clients, caller, [p.author_member_id for p in page.items])
    return Found(page, names)


async def start(
    clients: Clients,
    caller: Caller,
    *,
    subject_kind: str,
    subject_id: str | None,
    title: str,
    tags: list[str],
    question: bool,
    body: str,
) -> str:
    """The new thread's id."""
    thread = request(
        c.ThreadIn,
        subject_kind=subject_kind if subject_kind in SUBJECTS else "topic",
        subject_id=subject_id,
        title=title,
        tags=tags,
        question=question,
        body=body,
    )
    return (await clients.conversations.start(caller, thread)).thread.id


@dataclass(frozen=True)
class Flags:
    flags: list[c.FlagView]
    names: dict[str, str]


async def flags(clients: Clients, caller: Caller) -> Flags:
    """The moderation queue: flags in the caller's region (every region for operators)."""
    found = await clients.conversations.flags(caller, limit=FLAGS_SHOWN)
    return Flags(found, await member_names(clients, caller, [f.member_id for f in found]))


@dataclass(frozen=True)
class ThreadPage:
    page: c.ThreadPageView
    names: dict[str, str]
    moderator: bool  # a facilitator of its region, or an operator
    asker: bool  # who started it: they accept the answer


async def thread_page(
    clients: Clients,
    caller: Caller,
    thread_id: str,
    *,
    cursor: str | None = None,
    from_post: str | None = None,
    unread: bool = False,
) -> ThreadPage:
    page = await clients.conversations.thread(
        caller,
        thread_id,
        cursor=cursor,
        from_post=from_post,
        from_unread=unread,
        limit=POSTS_PAGE,
    )
    t = page.thread
    authors = [
        t.author_member_id,
        *(p.author_member_id for p in page.posts),
        *(q.author_member_id for q in page.quoted.values()),
    ]
    return ThreadPage(
        page=page,
        names=await member_names(clients, caller, authors),
        moderator=caller.governs(t.region),
        asker=t.author_member_id == caller.member_id,
    )


@dataclass(frozen=True)
class Editing:
    thread: c.ThreadView
    post: c.PostView


async def editing(clients: Clients, caller: Caller, thread_id: str, post_id: str) -> Editing:
    """The post itself, wherever it is in the thread (a page carries no Markdown), and its
    thread for the heading and the way back."""
    post, page = await asyncio.gather(
        clients.conversations.post(caller, post_id),
        clients.conversations.thread(caller, thread_id, limit=1),
    )
    return Editing(page.thread, post)


async def thread_of(clients: Clients, caller: Caller, thread_id: str) -> c.ThreadView:
    return (await clients.conversations.thread(caller, thread_id, limit=1)).thread


async def edit(clients: Clients, caller: Caller, post_id: str, body: str) -> None:
    await clients.conversations.edit(caller, post_id, body)


async def reply(
    clients: Clients, caller: Caller, thread_id: str, *, body: str, quoted_post_id: str | None
) -> str:
    """The new post's id."""
    post = await clients.conversations.reply(
        caller, thread_id, body=body, quoted_post_id=quoted_post_id
    )
    return post.id


def mention(name: str, member_id: str) -> str:
    """A mention in a post's Markdown: its label at most 100 characters, no square bracket."""
    label = name.replace("[", "(").replace("]", ")")[:100]
    return f"@[{label}](member:{member_id})"


@dataclass(frozen=True)
class Picked:
    """The reply form's member picker, without JavaScript."""

    body: str  # the reply as written so far, with the chosen member's mention added
    matches: list[m.MemberView] = field(default_factory=list)
    problem: str | None = None


async def pick_member(
    clients: Clients, caller: Caller, *, body: str, chosen: str, name: str
) -> Picked:
    """ "Find" lists the members whose name starts so; choosing one adds their mention."""
    if chosen:
        member = await clients.membership.member(caller, chosen)
        written = body.rstrip()
        return Picked(f"{written}{' ' if written else ''}{mention(member.name, chosen)} ")
    name = " ".join(name.split())
    if not name:
        return Picked(body, problem="Enter the start of their name")
    found = await clients.membership.directory(
        caller, cursor=None, limit=MENTION_MATCHES, name=name
    )
    if not found.items:
        return Picked(body, problem=f"No member's name starts with {name}")
    return Picked(body, found.items)


async def helpful(clients: Clients, caller: Caller, post_id: str) -> None:
    await clients.conversations.helpful(caller, post_id)


async def flag(clients: Clients, caller: Caller, post_id: str, reason: str) -> None:
    await clients.conversations.flag(caller, post_id, reason or "-")


async def accept(clients: Clients, caller: Caller, thread_id: str, post_id: str) -> None:
    await clients.conversations.accept(caller, thread_id, post_id)


async def hide(
    clients: Clients, caller: Caller, post_id: str, *, hidden: bool, reason: str
) -> None:
    await clients.conversations.hide(caller, post_id, hidden=hidden, reason=reason or "-")


async def lock(
    clients: Clients, caller: Caller, thread_id: str, *, locked: bool, reason: str
) -> None:
    await clients.conversations.lock(caller, thread_id, locked=locked, reason=reason or "-")


async def follow(clients: Clients, caller: Caller, thread_id: str, *, on: bool) -> None:
    await clients.conversations.follow(caller, thread_id, on=on)


async def move(
    clients: Clients,
    caller: Caller,
    thread_id: str,
    *,
    subject_kind: str,
    subject_id: str | None,
    reason: str,
) -> None:
    await clients.conversations.move(
        caller,
        thread_id,
        subject_kind=subject_kind if subject_kind in SUBJECTS else "topic",
        subject_id=subject_id,
        reason=reason or "-",
    )
