"""Events over HTTP against real Kafka and store: the last seat goes to exactly one of two
simultaneous requests, a cancellation promotes the waitlist, and each change publishes one
schema-valid fact, in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared import topics
from shared.clock import new_id
from shared.settings import PlatformSettings
from tests.integration.events.conftest import SOON, as_member, event_body
from tests.integration.published import assert_valid, events_about


async def test_last_seat_race_waitlist_promotion_and_facts(
    events_http: httpx.AsyncClient, infra: PlatformSettings
) -> None:
    organiser = as_member(infra, "organiser")
    created = await events_http.post("/v1/events", json=event_body(), headers=organiser)
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]

    first, second = f"m-{new_id()}", f"m-{new_id()}"
    answers = await asyncio.gather(
        events_http.post(f"/v1/events/{event_id}/registrations", headers=as_member(infra, first)),
        events_http.post(f"/v1/events/{event_id}/registrations", headers=as_member(infra, second)),
    )
    assert [a.status_code for a in answers] == [201, 201]
    seats = {a.json()["member_id"]: a.json()["seat"] for a in answers}
    assert sorted(seats.values()) == ["confirmed", "waitlisted"], "exactly one gets the last seat"
    seated = next(m for m, s in seats.items() if s == "confirmed")
    waiting = next(m for m, s in seats.items() if s == "waitlisted")

    view = (await events_http.get(f"/v1/events/{event_id}", headers=organiser)).json()
    assert (view["seats_left"], view["waitlisted"]) == (0, 1)

    gone = await events_http.delete(
        f"/v1/events/{event_id}/registrations/me", headers=as_member(infra, seated)
    )
    assert gone.status_code == 204
    view = (await events_http.get(f"/v1/events/{event_id}", headers=organiser)).json()
    assert (view["seats_left"], view["waitlisted"]) == (0, 0)

    published = await events_about(infra, topics.EVENTS, {event_id}, expected=5)
    types = [e["type"].removeprefix("uk.nhs.knet.").removesuffix(".v1") for e in published]
    assert types[0] == "event.published"
    assert sorted(types[1:3]) == ["registration.confirmed", "registration.waitlisted"]
    assert types[3:] == ["registration.cancelled", "registration.promoted"]
    assert published[-1]["data"]["member_id"] == waiting
    for event in published:
        assert_valid(event)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"ends_at": (SOON - timedelta(hours=1)).isoformat()}, 422, "invalid_event"),
        (
            {"starts_at": "2020-01-01T10:00:00Z", "ends_at": "2020-01-01T11:00:00Z"},
            422,
            "invalid_event",
        ),
        ({"region": "ATLANTIS"}, 422, "unknown_region"),
        ({"capacity": 0}, 422, "invalid_request"),
        ({"kind": "party"}, 422, "invalid_request"),
        ({"scope": "national", "region": None}, 403, "not_permitted"),
    ],
)
async def test_bad_events_get_a_code(
    events_http: httpx.AsyncClient,
    infra: PlatformSettings,
    change: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = await events_http.post(
        "/v1/events", json=event_body(**change), headers=as_member(infra, "o")
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_registration_for_a_cancelled_event_is_refused(
    events_http: httpx.AsyncClient, infra: PlatformSettings
) -> None:
    organiser = as_member(infra, "organiser-2")
    event_id = (
        await events_http.post("/v1/events", json=event_body(capacity=5), headers=organiser)
    ).json()["id"]
    stranger = await events_http.post(
        f"/v1/events/{event_id}/cancel", json={"reason": "x"}, headers=as_member(infra, "other")
    )
    assert stranger.status_code == 403
    cancelled = await events_http.post(
        f"/v1/events/{event_id}/cancel", json={"reason": "Speaker unwell"}, headers=organiser
    )
    assert cancelled.json()["status"] == "cancelled"
    late = await events_http.post(
        f"/v1/events/{event_id}/registrations", headers=as_member(infra, "late")
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "not_open"


async def test_upcoming_listing_pages_in_start_order(
    events_http: httpx.AsyncClient, infra: PlatformSettings
) -> None:
    tag = f"tag-{new_id()[-8:]}"
    made = []
    for days in (12, 11, 13):
        start = datetime.now(UTC) + timedelta(days=days)
        body = event_body(
            tags=[tag],
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(hours=1)).isoformat(),
        )
        made.append(
            (
                days,
                (
                    await events_http.post("/v1/events", json=body, headers=as_member(infra, "o"))
                ).json()["id"],
            )
        )
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"tag": tag, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (
            await events_http.get("/v1/events", params=params, headers=as_member(infra, "v"))
        ).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [event_id for _, event_id in sorted(made)]


async def test_many_simultaneous_registrations_never_overbook(
    events_http: httpx.AsyncClient, infra: PlatformSettings
) -> None:
    organiser = as_member(infra, "organiser-3")
    event_id = (
        await events_http.post("/v1/events", json=event_body(capacity=3), headers=organiser)
    ).json()["id"]
    members = [f"crowd-{i}-{new_id()}" for i in range(12)]
    answers = await asyncio.gather(
        *(
            events_http.post(f"/v1/events/{event_id}/registrations", headers=as_member(infra, m))
            for m in members
        )
    )
    assert all(a.status_code == 201 for a in answers), [
        a.text for a in answers if a.status_code != 201
    ]
    seats = [a.json()["seat"] for a in answers]
    assert seats.count("confirmed") == 3
    assert seats.count("waitlisted") == 9
    view = (await events_http.get(f"/v1/events/{event_id}", headers=organiser)).json()
    assert (view["seats_left"], view["waitlisted"]) == (0, 9)
    published = await events_about(infra, topics.EVENTS, {event_id}, expected=13)
    confirmed = [e for e in published if e["type"] == "uk.nhs.knet.registration.confirmed.v1"]
    assert len(confirmed) == 3, "one fact per seat, none doubled"
