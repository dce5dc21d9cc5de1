"""iCalendar: one event and a member's private feed, parsed back by the icalendar library."""

from __future__ import annotations

from datetime import datetime

import httpx
from icalendar import Calendar

from shared.clock import new_id
from shared.settings import PlatformSettings
from tests.integration.events.conftest import as_member, event_body


async def test_event_ics_and_private_feed(
    events_http: httpx.AsyncClient, infra: PlatformSettings
) -> None:
    organiser = as_member(infra, "cal-org")
    seated = (
        await events_http.post("/v1/events", json=event_body(capacity=1), headers=organiser)
    ).json()
    full = (
        await events_http.post(
            "/v1/events", json=event_body(capacity=1, title="Full session"), headers=organiser
        )
    ).json()
    me_id = f"cal-me-{new_id()}"  # a fresh member: a reused store keeps earlier runs
    me = as_member(infra, me_id)
    await events_http.post(f"/v1/events/{seated['id']}/registrations", headers=me)
    await events_http.post(
        f"/v1/events/{full['id']}/registrations", headers=as_member(infra, "someone")
    )
    await events_http.post(f"/v1/events/{full['id']}/registrations", headers=me)  # waitlisted

    one = await events_http.get(f"/v1/events/{seated['id']}.ics", headers=me)
    assert one.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(one.content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Peer assist clinic"
    starts = vevent.decoded("dtstart")
    assert starts == datetime.fromisoformat(seated["starts_at"].replace("Z", "+00:00"))
    # In the time zone it was entered in, with that zone's definition beside it.
    assert vevent["dtstart"].params["TZID"] == "Europe/London"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(vevent["uid"]) == f"{seated['id']}@knet.nhs.uk"

    link = (await events_http.get(f"/v1/members/{me_id}/calendar-link", headers=me)).json()["path"]
    feed = await events_http.get(link)
    assert feed.status_code == 200
    statuses = {
        str(e["uid"]).split("@")[0]: str(e["status"])
        for e in Calendar.from_ical(feed.content).walk("VEVENT")
    }
    assert statuses == {seated["id"]: "CONFIRMED", full["id"]: "TENTATIVE"}

    for token in ("0" * 32, "é" * 32, ""):
        forged = await events_http.get(f"/v1/members/{me_id}/calendar.ics", params={"token": token})
        assert forged.status_code == 403, (token, forged.text)
        assert forged.json()["error"]["code"] == "bad_feed_token"
    others = await events_http.get("/v1/members/someone/calendar-link", headers=me)
    assert others.status_code == 403
