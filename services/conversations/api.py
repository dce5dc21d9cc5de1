"""HTTP routes (called by the gateway with an internal token): threads and posts, reading
with unread markers, following, helpful marks and search; answers and moderation are in
moderation_api.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from services.conversations.domain.threads import Post, PostShown, Thread
from services.conversations.domain.writing import MAX_SOURCE_CHARS
from services.conversations.stores import PostSearch, Stores, ThreadQuery
from services.conversations.usecases import reading, writing
from shared.auth import MEMBERS, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import (
    Cursor,
    IdFilter,
    Label,
    Paragraphs,
    RegionFilter,
    RequestModel,
    WordFilter,
)
from shared.service import stores_of
from shared.text import WITHOUT_CONTROL_CHARACTERS

router = APIRouter(prefix="/v1")
StoresDep = Annotated[Stores, Depends(stores_of(Stores))]

SubjectKindName = Literal["recommendation", "plan", "event", "case_study", "region", "topic"]
SubjectId = Annotated[str | None, Field(None, min_length=1, max_length=64)]
Body = Annotated[
    Paragraphs,
    Field(
        min_length=1,
        # The request's own bound; the domain's limit (post_too_long) is the one members meet.
        max_length=5 * MAX_SOURCE_CHARS,
        description=f"Markdown, at most {MAX_SOURCE_CHARS:,} characters (post_too_long); "
        "mention a member as @[Name](member:<id>)",
    ),
]
Tag = Annotated[str, Field(min_length=1, max_length=50)]


class ThreadIn(RequestModel):
    subject_kind: SubjectKindName
    subject_id: SubjectId = Field(None, description="Which one; none for a free topic")
    title: Label = Field(min_length=1, max_length=150, description="5 to 150 characters")
    tags: list[Tag] = Field(default_factory=list, max_length=8)
    question: bool = False
    body: Body


class ReplyIn(RequestModel):
    body: Body
    quoted_post_id: str | None = Field(None, min_length=1, max_length=64)


class EditIn(RequestModel):
    body: Body


class ShownPostView(BaseModel):
    """A post as a thread's page and search show it."""

    id: str
    thread_id: str
    author_member_id: str
    html: str = Field(description="Rendered and sanitised: safe to show as it is")
    quoted_post_id: str | None
    mentions: list[str]
    created_at: datetime
    edited_at: datetime | None
    edits: int
    helpful: int
    hidden: bool = Field(description="Only moderators are ever served a hidden post")
    hidden_reason: str | None

    @classmethod
    def of(cls, p: PostShown) -> ShownPostView:
        return cls(
            id=p.id,
            thread_id=p.thread_id,
            author_member_id=p.author_member_id,
            html=p.html,
            quoted_post_id=p.quoted_post_id,
            mentions=p.mentions,
            created_at=p.created_at,
            edited_at=p.edited_at,
            edits=p.edits,
            helpful=p.helpful,
            hidden=p.hidden is not None,
            hidden_reason=p.hidden.reason if p.hidden else None,
        )


class RevisionView(BaseModel):
    source: str
    written_at: datetime = Field(description="When these words were written")


class PostView(ShownPostView):
    """A post whole: with its Markdown (for its author's edit form) and its earlier words."""

    source: str = Field(description="The Markdown as written")
    history: list[RevisionView] = Field(description="Earlier words, oldest first")

    @classmethod
    def whole(cls, p: Post) -> PostView:
        return cls(
            **ShownPostView.of(PostShown.of(p)).model_dump(),
            source=p.source,
            history=[RevisionView(source=r.source, written_at=r.at) for r in p.history],
        )


class ThreadView(BaseModel):
    id: str
    subject_kind: str
    subject_id: str | None
    title: str
    tags: list[str]
    region: str | None
    author_member_id: str
    question: bool
    answer_post_id: str | None
    locked: bool
    lock_reason: str | None
    created_at: datetime
    last_post_at: datetime
    unread: int | None = Field(None, description="Posts the caller has not read")

    @classmethod
    def of(cls, t: Thread, unread: int | None = None) -> ThreadView:
        return cls(
            id=t.id,
            subject_kind=t.subject.kind.value,
            subject_id=t.subject.id,
            title=t.title,
            tags=t.tags,
            region=t.region,
            author_member_id=t.author_member_id,
            question=t.question,
            answer_post_id=t.answer_post_id,
            locked=t.locked,
            lock_reason=t.lock_reason,
            created_at=t.created_at,
            last_post_at=t.last_post_at,
            unread=unread,
        )


class StartedView(BaseModel):
    thread: ThreadView
    post: PostView


class ThreadPageView(BaseModel):
    thread: ThreadView
    following: bool = Field(description="The caller follows it: hears of its replies")
    from_start: bool = Field(description="The page begins at the thread's first post")
    posts: list[ShownPostView]
    quoted: dict[str, ShownPostView] = Field(description="The posts these quote, by id")
    next_cursor: str | None


class Marked(BaseModel):
    marked: bool


@router.post("/threads", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED)
async def start_thread(body: ThreadIn, stores: StoresDep, caller: CurrentCaller) -> StartedView:
    thread, post = await writing.start_thread(stores, caller=caller, **body.model_dump())
    return StartedView(thread=ThreadView.of(thread), post=PostView.whole(post))


@router.get("/threads", dependencies=[MEMBERS])
async def threads(
    stores: StoresDep,
    caller: CurrentCaller,
    subject_kind: Annotated[SubjectKindName | None, Query()] = None,
    subject_id: IdFilter = None,
    region: RegionFilter = None,
    tag: WordFilter = None,
    open_questions: Annotated[bool, Query(description="Ask the network: unanswered")] = False,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ThreadView]:
    """Newest activity first, each with the caller's unread count."""
    query = ThreadQuery(subject_kind, subject_id, region, tag, open_questions)
    found, next_cursor = await reading.threads(
        stores, caller=caller, query=query, cursor=cursor, limit=limit
    )
    return Page(items=[ThreadView.of(t, n) for t, n in found], next_cursor=next_cursor)


@router.get("/threads/{thread_id}", dependencies=[MEMBERS])
async def thread_page(
    thread_id: str,
    stores: StoresDep,
    caller: CurrentCaller,
    limit: Limit = 50,
    cursor: Cursor = None,
    from_post: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=WITHOUT_CONTROL_CHARACTERS,
            description="Start at this post (one just written) rather than the first",
        ),
    ] = None,
    from_unread: Annotated[
        bool, Query(description="Start at the last post the caller read (without from_post)")
    ] = False,
) -> ThreadPageView:
    """Oldest first; reading a page moves the caller's unread marker past it."""
    page = await reading.thread_page(
        stores,
        caller=caller,
        thread_id=thread_id,
        cursor=cursor,
        limit=limit,
        from_post=from_post,
        from_unread=from_unread,
    )
    return ThreadPageView(
        thread=ThreadView.of(page.thread),
        following=page.following,
        from_start=page.from_start,
        posts=[ShownPostView.of(p) for p in page.posts],
        quoted={k: ShownPostView.of(v) for k, v in page.quoted.items()},
        next_cursor=page.next_cursor,
    )


@router.post(
    "/threads/{thread_id}/posts", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED
)
async def reply(
    thread_id: str, body: ReplyIn, stores: StoresDep, caller: CurrentCaller
) -> PostView:
    post = await writing.reply(
        stores,
        caller=caller,
        thread_id=thread_id,
        body=body.body,
        quoted_post_id=body.quoted_post_id,
    )
    return PostView.whole(post)


@router.get("/posts/{post_id}", dependencies=[MEMBERS])
async def post(post_id: str, stores: StoresDep, caller: CurrentCaller) -> PostView:
    """With its Markdown and earlier words: what its author's edit form starts from."""
    return PostView.whole(await reading.post(stores, caller=caller, post_id=post_id))


@router.put("/posts/{post_id}", dependencies=[MEMBERS])
async def edit(post_id: str, body: EditIn, stores: StoresDep, caller: CurrentCaller) -> PostView:
    """The author, within an hour of posting; the earlier words are kept."""
    return PostView.whole(
        await writing.edit(stores, caller=caller, post_id=post_id, body=body.body)
    )


@router.put("/threads/{thread_id}/follow", dependencies=[MEMBERS])
async def follow(thread_id: str, stores: StoresDep, caller: CurrentCaller) -> Marked:
    """Hear of its replies (those who write in a thread follow it already)."""
    return Marked(
        marked=await writing.follow(stores, caller=caller, thread_id=thread_id, following=True)
    )


@router.delete("/threads/{thread_id}/follow", dependencies=[MEMBERS])
async def unfollow(thread_id: str, stores: StoresDep, caller: CurrentCaller) -> Marked:
    """No more of its replies, even for one who took part."""
    return Marked(
        marked=await writing.follow(stores, caller=caller, thread_id=thread_id, following=False)
    )


@router.put("/posts/{post_id}/helpful", dependencies=[MEMBERS])
async def helpful(post_id: str, stores: StoresDep, caller: CurrentCaller) -> Marked:
    """Once per member; not one's own post."""
    return Marked(marked=await writing.mark_helpful(stores, caller=caller, post_id=post_id))


@router.get("/search", dependencies=[MEMBERS])
async def search(
    stores: StoresDep,
    caller: CurrentCaller,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=WITHOUT_CONTROL_CHARACTERS,
            description="Every word must match",
        ),
    ],
    subject_kind: Annotated[SubjectKindName | None, Query()] = None,
    subject_id: IdFilter = None,
    region: RegionFilter = None,
    tag: WordFilter = None,
    author: IdFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ShownPostView]:
    """Posts whose thread's title and own words hold every word of `q`, newest first."""
    found, next_cursor = await reading.search(
        stores,
        caller=caller,
        text=q,
        filters=PostSearch((), subject_kind, subject_id, region, tag, author),
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[ShownPostView.of(p) for p in found], next_cursor=next_cursor)
