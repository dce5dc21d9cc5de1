"""The rules that govern creating an event govern every other way to it: revising, publishing,
the node API; a draft and a meeting link are seen only by those they are for."""

from __future__ import annotations

import httpx
import pytest

from shared.clock import new_id
from tests.integration.events.conftest import as_member, event_body
from tests.integration.events.test_node_api import issue, submission

ANONYMOUS = {"authorization": ""}


def settings_of(http: httpx.AsyncClient) -> object:
    return http.app_settings  # type: ignore[attr-defined]


async def draft(http: httpx.AsyncClient, headers: dict[str, str], **change: object) -> str:
    body = event_body(scope="local", publish=False, **change)
    made = await http.post("/v1/events", json=body, headers=headers)
    assert made.status_code == 201, made.text
    event_id: str = made.json()["id"]
    return event_id


@pytest.mark.parametrize(
    "change",
    [
        {"scope": "national", "region": None},  # what only the core group may organise
        {"region": "NW"},  # another region
    ],
)
async def test_a_draft_cannot_be_revised_into_what_its_organiser_could_not_make(
    events_http: httpx.AsyncClient, change: dict[str, object]
) -> None:
    member = as_member(settings_of(events_http), f"m-{new_id()}")  # type: ignore[arg-type]
    refused = await events_http.post("/v1/events", json=event_body(**change), headers=member)
    assert refused.status_code == 403, refused.text
    event_id = await draft(events_http, member)
    revised = await events_http.put(
        f"/v1/events/{event_id}", json=event_body(**change), headers=member
    )
    assert revised.status_code == 403, revised.text
    kept = await events_http.get(f"/v1/events/{event_id}", headers=member)
    assert (kept.json()["scope"], kept.json()["region"]) == ("local", "LDN")


async def test_organiser_rights_go_with_the_role_that_gave_them(
    events_http: httpx.AsyncClient,
) -> None:
    settings = settings_of(events_http)
    organiser = f"core-{new_id()}"
    as_core = as_member(settings, organiser, "core")  # type: ignore[arg-type]
    national = event_body(scope="national", region=None, publish=False)
    made = await events_http.post("/v1/events", json=national, headers=as_core)
    assert made.status_code == 201, made.text
    event_id = made.json()["id"]
    no_longer_core = as_member(settings, organiser)  # type: ignore[arg-type]
    publish = await events_http.post(f"/v1/events/{event_id}/publish", headers=no_longer_core)
    assert publish.status_code == 403, publish.text
    assert (await events_http.post(f"/v1/events/{event_id}/publish", headers=as_core)).is_success


async def test_a_draft_and_a_meeting_link_are_seen_only_by_those_they_are_for(
    events_http: httpx.AsyncClient,
) -> None:
    settings = settings_of(events_http)
    organiser = as_member(settings, f"o-{new_id()}")  # type: ignore[arg-type]
    event_id = await draft(events_http, organiser)
    path = f"/v1/events/{event_id}"
    stranger = as_member(settings, f"s-{new_id()}")  # type: ignore[arg-type]
    for who in (ANONYMOUS, stranger):
        assert (await events_http.get(path, headers=who)).status_code in (401, 404)
        assert (await events_http.get(f"{path}.ics", headers=who)).status_code in (401, 404)
    facilitator = as_member(settings, f"f-{new_id()}", "facilitator")  # type: ignore[arg-type]
    assert (await events_http.get(path, headers=facilitator)).json()["join_url"]

    await events_http.post(f"{path}/publish", headers=organiser)
    seen = await events_http.get(path, headers=stranger)
    assert seen.status_code == 200
    assert seen.json()["join_url"] is None
    assert b"meet.example" not in (await events_http.get(f"{path}.ics", headers=stranger)).content
    listed = await events_http.get("/v1/events?region=LDN&limit=100", headers=stranger)
    assert all(e["join_url"] is None for e in listed.json()["items"])
    await events_http.post(f"{path}/registrations", headers=stranger)
    assert (await events_http.get(path, headers=stranger)).json()["join_url"]
    assert b"meet.example" in (await events_http.get(f"{path}.ics", headers=stranger)).content


async def test_a_node_cannot_submit_a_national_event(events_http: httpx.AsyncClient) -> None:
    facilitator = as_member(settings_of(events_http), f"f-{new_id()}", "facilitator")  # type: ignore[arg-type]
    key = (await issue(events_http, "LDN", facilitator)).json()["key"]
    sent = await events_http.post(
        "/v1/node/submissions",
        json=submission(f"national-{new_id()}", scope="national"),
        headers={"x-node-key": key},
    )
    assert sent.status_code == 422, sent.text
    reasons = sent.json()["error"]["details"]["reasons"]
    assert reasons == ["scope: a regional node submits local or regional events, not national"]
