"""The organiser's side: the registrations list (paged), revising the event (event.updated),
and attendance once the event has started (attendance.recorded, once per member)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.events.app import create_app
from shared import topics
from shared.clock import ManualClock, new_id
from shared.settings import PlatformSettings
from tests.integration.events.conftest import as_member, event_body
from tests.integration.published import assert_valid, events_about


async def test_registrations_revision_and_attendance(infra: PlatformSettings) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(infra.model_copy(update={"database_suffix": f"_org_{new_id()}"}), clock=clock)
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://events")
        organiser = as_member(infra, "org")
        start = clock.now() + timedelta(days=2)
        body: dict[str, Any] = event_body(
            capacity=1,
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(hours=2)).isoformat(),
        )
        event_id = (await http.post("/v1/events", json=body, headers=organiser)).json()["id"]
        for member in ("seated", "waiting"):
            await http.post(
                f"/v1/events/{event_id}/registrations", headers=as_member(infra, member)
            )

        first = (
            await http.get(
                f"/v1/events/{event_id}/registrations", params={"limit": 1}, headers=organiser
            )
        ).json()
        second = (
            await http.get(
                f"/v1/events/{event_id}/registrations",
                params={"limit": 1, "cursor": first["next_cursor"]},
                headers=organiser,
            )
        ).json()
        assert [(r["member_id"], r["seat"]) for r in first["items"] + second["items"]] == [
            ("seated", "confirmed"),
            ("waiting", "waitlisted"),
        ]
        assert second["next_cursor"] is None
        nosy = await http.get(
            f"/v1/events/{event_id}/registrations", headers=as_member(infra, "seated")
        )
        assert nosy.status_code == 403

        revised = await http.put(
            f"/v1/events/{event_id}",
            json={**body, "title": "Peer assist clinic, room 2"},
            headers=organiser,
        )
        assert revised.json()["title"] == "Peer assist clinic, room 2"

        early = await http.post(
            f"/v1/events/{event_id}/attendance", json={"member_ids": ["seated"]}, headers=organiser
        )
        assert early.json()["error"]["code"] == "not_started"
        clock.set(start + timedelta(minutes=30))
        wrong = await http.post(
            f"/v1/events/{event_id}/attendance", json={"member_ids": ["waiting"]}, headers=organiser
        )
        assert wrong.json()["error"]["code"] == "not_registered"
        for _ in range(2):
            done = await http.post(
                f"/v1/events/{event_id}/attendance",
                json={"member_ids": ["seated"]},
                headers=organiser,
            )
            assert done.status_code == 200
        rows = (await http.get(f"/v1/events/{event_id}/registrations", headers=organiser)).json()[
            "items"
        ]
        assert [r["attended"] for r in rows] == [True, False]
        await http.aclose()

        # Still inside the app's lifetime: its outbox relay publishes the last facts.
        published = await events_about(infra, topics.EVENTS, {event_id}, expected=5)
        kinds = [e["type"].removeprefix("uk.nhs.knet.").removesuffix(".v1") for e in published]
        assert kinds[-2:] == ["event.updated", "attendance.recorded"], kinds
        assert kinds.count("attendance.recorded") == 1
        assert published[-2]["data"]["changed"] == ["title"]
        for event in published:
            assert_valid(event)
