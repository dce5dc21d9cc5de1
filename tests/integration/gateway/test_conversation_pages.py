"""Conversations in the site, as the issue's journey goes (driven through the pages, as a
browser without JavaScript would; the browser tests walk the same pages in Chromium): a
member asks a question from a recommendation's page; it shows in "ask the network" on a
colleague's home page; another member replies mentioning a colleague, who finds it in their
inbox; the asker marks the answer; the answerer's contribution record counts it. Hostile
markup stays inert; a member who is not a facilitator cannot moderate."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD


async def known_to_conversations(platform: Platform, *member_ids: str) -> None:
    stores = platform.services["conversations"].state.stores

    async def known() -> bool:
        return len(await stores.members.get_many(list(member_ids))) == len(member_ids)

    await eventually(known, timeout=120, what="the members in conversations' read model")


async def test_a_question_is_asked_answered_mentioned_and_counted(platform: Platform) -> None:
    asker, _ = await platform.membership.member_with_roles("SW", ["member"])
    helper, _ = await platform.membership.member_with_roles("SW", ["member"])
    colleague, _ = await platform.membership.member_with_roles("SW", ["member"])
    facilitator, _ = await platform.membership.member_with_roles("SW", ["member", "facilitator"])
    await known_to_conversations(platform, asker["id"], helper["id"], colleague["id"])
    title = f"Who runs a clinical librarian service? {new_id()[-6:]}"

    async with platform.browser() as browser:
        await browser.sign_in(asker["email"], STRONG_PASSWORD)
        recommendation = await browser.get("/recommendations/R4")
        assert "Ask the network a question" in recommendation.text
        start = re.search(r'href="(/conversations/new\?[^"]+)"', recommendation.text)
        assert start
        form_path = start[1].replace("&amp;", "&")
        empty = await browser.submit(form_path, "/conversations/new", {"subject_kind": "topic"})
        assert empty.status_code == 422
        assert "Give your conversation a title" in empty.text
        asked = await browser.submit(
            form_path,
            "/conversations/new",
            {
                "subject_kind": "recommendation",
                "subject_id": "R4",
                "title": title,
                "question": "yes",
                "tags": "clinical librarians",
                "body": "We are **starting** one <script>alert('x')</script>. Who has done it?",
            },
        )
        assert asked.status_code == 303, asked.text
        thread_path = asked.headers["location"]
        page = await browser.get(thread_path)
        assert "<strong>starting</strong>" in page.text
        assert "<script>alert('x')</script>" not in page.text
        assert "&lt;script&gt;" in page.text

    async with platform.browser() as browser:
        await browser.sign_in(colleague["email"], STRONG_PASSWORD)
        home = await browser.get("/")
        assert title in home.text, "ask the network, on a colleague's home page"

    async with platform.browser() as browser:
        await browser.sign_in(helper["email"], STRONG_PASSWORD)
        mention = f"@[{colleague['name']}](member:{colleague['id']})"
        replied = await browser.submit(
            thread_path,
            thread_path + "/reply",
            {"body": f"We run one. {mention} set it up: ask them."},
        )
        assert replied.status_code == 303, replied.text
        page = await browser.get(thread_path)
        assert f'href="/people/{colleague["id"]}"' in page.text
        refused = await browser.submit(
            thread_path, thread_path + "/lock", {"locked": "yes", "reason": "Mine now"}
        )
        assert refused.status_code == 403
        assert "Lock the conversation" not in page.text, "members do not moderate"

    async with platform.browser() as browser:
        await browser.sign_in(colleague["email"], STRONG_PASSWORD)

        async def told() -> bool:
            inbox = await browser.get("/notifications")
            return f"You were mentioned: {title}" in inbox.text

        await eventually(told, timeout=120, what="the mention in the colleague's inbox")

    async with platform.browser() as browser:
        await browser.sign_in(asker["email"], STRONG_PASSWORD)
        page = await browser.get(thread_path)
        answer = re.search(r'name="post_id" value="([^"]+)"', page.text)
        assert answer, "the asker may mark the reply as the answer"
        marked = await browser.submit(thread_path, thread_path + "/answer", {"post_id": answer[1]})
        assert marked.headers["location"] == thread_path + "?done=answered"
        page = await browser.get(thread_path)
        assert "Accepted answer" in page.text

    async def counted() -> bool:
        record: dict[str, Any] = (
            await platform.membership.http.get(
                f"/v1/members/{helper['id']}/contributions",
                headers=await platform.membership.as_operator(),
            )
        ).json()
        return bool(record["answers_accepted"] == 1 and record["posts"] == 1)

    await eventually(counted, timeout=120, what="the answer in the helper's contribution record")

    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        page = await browser.get(thread_path)
        assert "Lock the conversation" in page.text
        locked = await browser.submit(
            thread_path, thread_path + "/lock", {"locked": "yes", "reason": "Answered, thank you"}
        )
        assert locked.headers["location"] == thread_path + "?done=moderated"
        page = await browser.get(thread_path)
        assert "This conversation is locked" in page.text
        moved = await browser.submit(
            thread_path,
            thread_path + "/move",
            {"subject_kind": "region", "subject_id": "SW", "reason": "A regional matter"},
        )
        assert moved.headers["location"] == thread_path + "?done=moderated"
        region_page = await browser.get("/conversations?region=SW")
        assert "Conversations in South West" in region_page.text
        assert title in region_page.text
        region = await browser.get("/regions/SW")
        assert "<h1>South West</h1>" in region.text
        assert f'<a href="/people/{facilitator["id"]}">' in region.text, "a key player"
        assert "Conversations in South West" in region.text
        assert title in region.text, "the region's conversations panel"
        assert "Ask the network a question or start a conversation" in region.text
        assert (await browser.get("/regions/XX")).status_code == 404

    async with platform.browser() as browser:
        await browser.sign_in(colleague["email"], STRONG_PASSWORD)
        followed = await browser.submit(thread_path, thread_path + "/follow", {"following": "yes"})
        assert followed.headers["location"] == thread_path + "?done=followed"
        page = await browser.get(thread_path)
        assert "Stop following" in page.text


async def test_a_post_past_the_first_page_is_edited_from_its_own_words(
    platform: Platform,
) -> None:
    author, _ = await platform.membership.member_with_roles("NW", ["member"])
    await known_to_conversations(platform, author["id"])
    stores = platform.services["conversations"].state.stores
    async with platform.browser() as browser:
        await browser.sign_in(author["email"], STRONG_PASSWORD)
        topic = {"subject_kind": "topic", "title": "Evidence summaries", "body": "Who writes?"}
        untagged = await browser.submit("/conversations/new", "/conversations/new", topic)
        assert untagged.status_code == 422
        assert "Give a free topic at least one tag" in untagged.text, "said whole, by its field"
        asked = await browser.submit(
            "/conversations/new", "/conversations/new", {**topic, "tags": "evidence summaries"}
        )
        assert asked.status_code == 303, asked.text
        thread_path = asked.headers["location"]
        thread = await stores.threads.get(thread_path.rsplit("/", 1)[1])
        assert thread is not None
        first = (await stores.posts.page(thread.id, with_hidden=False, cursor=None, limit=1))[0]
        for n in range(55):  # a long thread, written straight into the store
            earlier = await stores.posts.get(first[0].id)
            reply = replace(earlier, id=new_id(), author_member_id=f"other-{n}", facts=[])
            reply.created_at = earlier.created_at + timedelta(milliseconds=n + 1)
            await stores.posts.add(reply, thread, [])
        mine = "We do, **weekly**: [our list](https://example.nhs.uk/list)"
        replied = await browser.submit(thread_path, thread_path + "/reply", {"body": mine})
        assert replied.status_code == 303, replied.text
        posts, _ = await stores.posts.page(thread.id, with_hidden=False, cursor=None, limit=100)
        assert len(posts) == 57
        assert posts[-1].author_member_id == author["id"]
        landed = replied.headers["location"]
        assert landed.endswith(f"#post-{posts[-1].id}"), "to the reply, past the first page"
        shown = await browser.get(landed.split("#")[0])
        assert f'id="post-{posts[-1].id}"' in shown.text
        assert "Your reply is posted" in shown.text
        assert "Earlier posts, from the start of the conversation" in shown.text
        first_page = await browser.get(thread_path)
        assert f'id="post-{posts[-1].id}"' not in first_page.text
        assert "Earlier posts" not in first_page.text
        found = await browser.get("/conversations/search?q=weekly+list")
        hit = f"{thread_path}?from_post={posts[-1].id}#post-{posts[-1].id}"
        assert f'href="{hit}"' in found.text, "a search hit opens the page it is on"

        form = await browser.get(f"{thread_path}/posts/{posts[-1].id}/edit")
        assert form.status_code == 200
        assert "We do, **weekly**: [our list](https://example.nhs.uk/list)" in html.unescape(
            form.text
        ), "its Markdown, though it is not on the thread's first page"
        saved = await browser.submit(
            f"{thread_path}/posts/{posts[-1].id}/edit",
            f"{thread_path}/posts/{posts[-1].id}/edit",
            {"body": "We do, monthly."},
        )
        assert saved.status_code == 303, saved.text
        again = await browser.get(f"{thread_path}/posts/{posts[-1].id}/edit")
        assert "We do, monthly." in again.text


async def test_a_member_is_found_and_mentioned_from_the_reply_form(platform: Platform) -> None:
    """The picker works without JavaScript: Find lists the members whose name starts so, and
    choosing one adds their mention to the reply as written so far."""
    writer, _ = await platform.membership.member_with_roles("MID", ["member"])
    colleague, _ = await platform.membership.member_with_roles("MID", ["member"])
    await known_to_conversations(platform, writer["id"], colleague["id"])
    async with platform.browser() as browser:
        await browser.sign_in(writer["email"], STRONG_PASSWORD)
        asked = await browser.submit(
            "/conversations/new",
            "/conversations/new",
            {"subject_kind": "topic", "title": "Current awareness", "tags": "alerts", "body": "Hi"},
        )
        thread_path = asked.headers["location"]
        draft = {"body": "Thank you,", "mention_name": "", "action": "find_member"}
        empty = await browser.submit(thread_path, thread_path + "/reply", draft)
        assert empty.status_code == 422
        assert "Enter the start of their name" in empty.text
        nobody = await browser.submit(
            thread_path, thread_path + "/reply", {**draft, "mention_name": "Zzyzx Nobody"}
        )
        assert "No member&#39;s name starts with Zzyzx Nobody" in nobody.text
        found = await browser.submit(
            thread_path, thread_path + "/reply", {**draft, "mention_name": colleague["name"][:-2]}
        )
        assert found.status_code == 200
        assert f'name="mention" value="{colleague["id"]}"' in found.text
        assert "Thank you," in found.text, "the reply as written so far is kept"
        chosen = await browser.submit(
            thread_path, thread_path + "/reply", {"body": "Thank you,", "mention": colleague["id"]}
        )
        code = f"@[{colleague['name']}](member:{colleague['id']})"
        assert f"Thank you, {code}" in html.unescape(chosen.text)
        replied = await browser.submit(
            thread_path, thread_path + "/reply", {"body": f"Thank you, {code} knows"}
        )
        assert replied.status_code == 303, replied.text
        page = await browser.get(thread_path)
        assert f'href="/people/{colleague["id"]}"' in page.text
