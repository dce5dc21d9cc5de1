"""Events in the site: organising one through its form, the calendar and its filters,
registering into a seat or onto the waitlist (with my place shown), cancelling, my events with
the private feed, the .ics file, and the organiser's tools, which others cannot open."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from shared.clock import new_id
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD


def _event_form(title: str, tag: str, day: str) -> dict[str, str]:
    return {
        "title": title,
        "summary": "Bring a question",
        "kind": "workshop",
        "mode": "online",
        "scope": "regional",
        "region": "SW",
        "date": day,
        "start_time": "14:00",
        "end_time": "15:30",
        "join_url": "https://meet.example.nhs.uk/peer-assist",
        "tags": f"{tag}, peer assist",
        "capacity": "1",
        "publish": "yes",
    }


async def test_organise_register_wait_cancel_and_record_attendance(platform: Platform) -> None:
    tag = f"t{new_id()[-8:]}"
    title = f"Peer assist clinic {tag}"
    day = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    organiser, _ = await platform.membership.member_with_roles("SW", ["member", "facilitator"])
    first, _ = await platform.membership.member_with_roles("SW", ["member"])
    second, _ = await platform.membership.member_with_roles("NW", ["member"])

    async with platform.browser() as browser:
        await browser.sign_in(organiser["email"], STRONG_PASSWORD)
        refused = await browser.submit(
            "/events/new", "/events/new", {**_event_form("", tag, "31-02-2027"), "capacity": "x"}
        )
        assert refused.status_code == 422
        for field in ("title", "date", "capacity"):
            assert f'href="#{field}"' in refused.text, field
        no_link = await browser.submit(
            "/events/new", "/events/new", {**_event_form(title, tag, day), "join_url": ""}
        )
        assert no_link.status_code == 422
        assert 'href="#join_url"' in no_link.text, "the service's problem is beside its field"

        created = await browser.submit("/events/new", "/events/new", _event_form(title, tag, day))
        assert created.status_code == 303, created.text
        event_path = created.headers["location"].split("?")[0]
        page = await browser.get(created.headers["location"])
        assert "Your event is published" in page.text
        assert "14:00 to 15:30 (UK time)" in page.text

    async with platform.browser() as browser:
        await browser.sign_in(first["email"], STRONG_PASSWORD)
        listed = await browser.get("/events", params={"tag": tag, "region": "SW"})
        assert title in listed.text
        elsewhere = await browser.get("/events", params={"tag": tag, "region": "NW"})
        assert title not in elsewhere.text
        too_late = await browser.get("/events", params={"tag": tag, "from": "2099-01-01"})
        assert title not in too_late.text
        bad_date = await browser.get("/events", params={"from": "soon"})
        assert bad_date.status_code == 422
        assert 'href="#from"' in bad_date.text

        registered = await browser.submit(event_path, f"{event_path}/register", {})
        assert registered.status_code == 303
        assert "You have a place" in (await browser.get(registered.headers["location"])).text
        ics = await browser.get(f"{event_path}/calendar.ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        assert title in ics.text
        organiser_tools = await browser.get(f"{event_path}/registrations")
        assert organiser_tools.status_code == 403, "only the organiser and the region's authorities"

    async with platform.browser() as browser:
        await browser.sign_in(second["email"], STRONG_PASSWORD)
        waiting = await browser.submit(event_path, f"{event_path}/register", {})
        assert (
            "You are number 1 on the waiting list"
            in (await browser.get(waiting.headers["location"])).text
        )
        mine = await browser.get("/events/mine")
        assert title in mine.text
        assert "Waiting list: number 1" in mine.text
        feed = re.search(
            r'<code class="knet-feed">https://gateway.test(/api[^<]+)</code>', mine.text
        )
        assert feed, mine.text
        async with platform.browser() as calendar_app:  # no session: the link is the credential
            subscribed = await calendar_app.get(feed[1].replace("&amp;", "&"))
            assert subscribed.status_code == 200, subscribed.text
            assert title in subscribed.text

    async with platform.browser() as browser:
        await browser.sign_in(first["email"], STRONG_PASSWORD)
        cancelled = await browser.submit(event_path, f"{event_path}/unregister", {})
        assert (
            "Your registration is cancelled"
            in (await browser.get(cancelled.headers["location"])).text
        )

    async with platform.browser() as browser:
        await browser.sign_in(second["email"], STRONG_PASSWORD)
        assert "Place confirmed" in (await browser.get("/events/mine")).text

    async with platform.browser() as browser:
        await browser.sign_in(organiser["email"], STRONG_PASSWORD)
        tools = await browser.get(f"{event_path}/registrations")
        assert tools.status_code == 200
        assert second["name"] in tools.text
        assert first["name"] not in tools.text
        early = await browser.submit(
            f"{event_path}/registrations", f"{event_path}/attendance", {"attended": second["id"]}
        )
        assert early.status_code == 409, "attendance is recorded once the event has started"
