"""The regional-node API: keys scoped to a region, shown once, revocable; a node's submission
over HTTP becomes event.published once, however often it is retried."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from services.events.domain.submission import event_id_for
from shared import topics
from shared.clock import new_id
from tests.integration.events.conftest import SOON, as_member
from tests.integration.published import assert_valid, events_about


def submission(external_id: str, **change: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "title": "Regional KM café",
        "kind": "meetup",
        "mode": "in_person",
        "scope": "regional",
        "region": "LDN",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=2)).isoformat(),
        "venue": "Skipton House, London",
        "capacity": 40,
        **change,
    }


async def issue(http: httpx.AsyncClient, region: str, headers: dict[str, str]) -> httpx.Response:
    return await http.post(
        f"/v1/regions/{region}/node-keys", json={"label": "node"}, headers=headers
    )


async def test_a_node_key_submits_for_its_region_once(events_http: httpx.AsyncClient) -> None:
    settings = events_http.app_settings  # type: ignore[attr-defined]
    facilitator = as_member(settings, f"f-{new_id()}", "facilitator", region="LDN")
    issued = await issue(events_http, "LDN", facilitator)
    assert issued.status_code == 201, issued.text
    key = issued.json()["key"]
    external_id = f"cafe-{new_id()}"
    node = {"x-node-key": key, "idempotency-key": external_id}

    first = await events_http.post(
        "/v1/node/submissions", json=submission(external_id), headers=node
    )
    again = await events_http.post(
        "/v1/node/submissions", json=submission(external_id), headers=node
    )

    event_id = event_id_for("LDN", external_id)
    assert first.status_code == 200, first.text
    assert first.json() == {"outcome": "published", "event_id": event_id}
    assert again.json()["event_id"] == event_id
    published = await events_about(settings, topics.EVENTS, {event_id}, expected=1)
    assert [e["type"] for e in published] == ["uk.nhs.knet.event.published.v1"]
    assert published[0]["data"]["organiser_node"] == "LDN"
    assert_valid(published[0])
    listed = await events_http.get("/v1/regions/LDN/node-keys", headers=facilitator)
    assert issued.json()["id"] in [k["id"] for k in listed.json()["items"]]
    assert all("key" not in k and "secret_hash" not in k for k in listed.json()["items"])


async def test_a_node_cannot_submit_for_another_region(events_http: httpx.AsyncClient) -> None:
    settings = events_http.app_settings  # type: ignore[attr-defined]
    key = (await issue(events_http, "LDN", as_member(settings, "op", "operator"))).json()["key"]
    response = await events_http.post(
        "/v1/node/submissions",
        json=submission(f"nw-{new_id()}", region="NW", capacity=0),
        headers={"x-node-key": key},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "submission_rejected"
    assert sorted(error["details"]["reasons"]) == [
        "capacity: between 1 and 10,000 for a regional node's event",
        "region: the LDN node can only submit events for LDN",
    ]


async def test_keys_are_checked_and_revocable(events_http: httpx.AsyncClient) -> None:
    settings = events_http.app_settings  # type: ignore[attr-defined]
    operator = as_member(settings, "op", "operator")
    issued = (await issue(events_http, "LDN", operator)).json()

    async def submit(key: str | None) -> httpx.Response:
        headers = {"x-node-key": key} if key is not None else {}
        return await events_http.post(
            "/v1/node/submissions", json=submission(f"k-{new_id()}"), headers=headers
        )

    assert (await submit(issued["key"])).status_code == 200
    forged = issued["key"][:-4] + "AAAA"
    assert (await submit(forged)).json()["error"]["code"] == "node_key_invalid"
    assert (await submit("not-a-key")).status_code == 401
    assert (await submit(None)).json()["error"]["code"] == "node_key_missing"

    revoked = await events_http.delete(
        f"/v1/regions/LDN/node-keys/{issued['id']}", headers=operator
    )
    assert revoked.status_code == 204
    after = await submit(issued["key"])
    assert (after.status_code, after.json()["error"]["code"]) == (401, "node_key_invalid")


async def test_who_may_issue_node_keys(events_http: httpx.AsyncClient) -> None:
    settings = events_http.app_settings  # type: ignore[attr-defined]
    cases = [
        (as_member(settings, "f1", "facilitator", region="LDN"), "LDN", 201),
        (as_member(settings, "f2", "facilitator", region="NW"), "LDN", 403),
        (as_member(settings, "m1", region="LDN"), "LDN", 403),
        (as_member(settings, "op", "operator"), "NW", 201),
        (as_member(settings, "op", "operator"), "ATLANTIS", 422),
    ]
    for headers, region, expected in cases:
        response = await issue(events_http, region, headers)
        assert response.status_code == expected, (headers, region, response.text)
