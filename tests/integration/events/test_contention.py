"""Contention is not a rejection: forty members booking the last ten seats at once all get an
answer, ten confirmed and thirty waitlisted; and the calendar reads date-times one way."""

from __future__ import annotations

import asyncio

import httpx

from tests.integration.events.conftest import as_member, event_body


async def test_forty_members_for_ten_seats_get_ten_seats_and_thirty_waitlist_places(
    events_http: httpx.AsyncClient,
) -> None:
    settings = events_http.app_settings  # type: ignore[attr-defined]
    organiser = as_member(settings, "org")
    created = await events_http.post(
        "/v1/events", json=event_body(capacity=10, publish=True), headers=organiser
    )
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]

    async def book(i: int) -> httpx.Response:
        return await events_http.post(
            f"/v1/events/{event_id}/registrations", headers=as_member(settings, f"rush-{i}")
        )

    answers = await asyncio.gather(*(book(i) for i in range(40)))
    assert [r.status_code for r in answers] == [201] * 40, [
        r.text for r in answers if r.status_code != 201
    ]
    seats = [r.json()["seat"] for r in answers]
    assert (seats.count("confirmed"), seats.count("waitlisted")) == (10, 30)
    event = (await events_http.get(f"/v1/events/{event_id}", headers=organiser)).json()
    assert (event["seats_left"], event["waitlisted"]) == (0, 30)


async def test_query_parameters_are_read_one_way(
    events_http: httpx.AsyncClient,
) -> None:
    anyone = as_member(events_http.app_settings, "reader")  # type: ignore[attr-defined]
    naive = await events_http.get(
        "/v1/events", params={"starts_after": "2030-01-01T00:00:00"}, headers=anyone
    )
    assert naive.status_code == 200, naive.text
    for bad in ("1893456000", "0.5", "-1", "", "next tuesday"):
        refused = await events_http.get("/v1/events", params={"starts_after": bad}, headers=anyone)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["error"]["code"] == "invalid_request"
    empty_cursor = await events_http.get("/v1/events", params={"cursor": ""}, headers=anyone)
    assert empty_cursor.status_code == 422
    assert empty_cursor.json()["error"]["code"] == "invalid_request"
    empty_region = await events_http.get("/v1/events", params={"region": ""}, headers=anyone)
    assert empty_region.status_code == 422
    assert empty_region.json()["error"]["details"][0]["field"] == "region"
    for unknown in ("null", "ATLANTIS", "ldn"):
        refused = await events_http.get("/v1/events", params={"region": unknown}, headers=anyone)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "unknown_region"
