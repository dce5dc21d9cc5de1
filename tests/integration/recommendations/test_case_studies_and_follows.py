"""What works: case studies shared (case_study.shared, counted by id), searched, marked useful
once per member even when marked at the same moment, attached to plans; follows."""

from __future__ import annotations

import asyncio
from typing import Any

from shared import topics
from shared.clock import new_id
from tests.integration.published import assert_valid, events_where
from tests.integration.recommendations.conftest import Recs, body

SHARED = "uk.nhs.knet.case_study.shared.v1"


def study(marker: str, **change: Any) -> dict[str, Any]:
    return {
        "title": f"Peer assists before procurement {marker}",
        "context": "Big purchases kept repeating old mistakes",
        "what_was_done": "A peer assist with another trust before each tender",
        "outcome": "Fewer failed tenders in a year",
        "evidence_links": ["https://example.nhs.uk/peer-assist-report"],
        "contact": "km.lead@example.nhs.uk",
        "region": "NW",
        "recommendation_codes": ["R3", "R4"],
        "techniques": ["Peer assist"],
        **change,
    }


async def share(recs: Recs, author: str, **fields: Any) -> Any:
    response = await recs.http.post(
        "/v1/case-studies", json=fields, headers=recs.member(author, region="NW")
    )
    return body(response, 201)


async def test_shared_searched_and_marked_useful(recs: Recs) -> None:
    marker, author = new_id()[-8:], f"a-{new_id()}"
    first = await share(recs, author, **study(marker))
    second = await share(
        recs,
        author,
        **study(
            marker,
            title=f"Wiki for policies {marker}",
            region="SW",
            recommendation_codes=["R5"],
            techniques=["wiki"],
        ),
    )
    reader = recs.member("reader")

    async def search(**params: str) -> list[str]:
        page = body(await recs.http.get("/v1/case-studies", params=params, headers=reader), 200)
        return [s["id"] for s in page["items"]]

    assert await search(q=marker) == [second["id"], first["id"]], "newest first"
    assert await search(q=f"PROCUREMENT {marker}") == [first["id"]]
    assert await search(q=f"{marker} tenders", code="R5") == [second["id"]]
    assert await search(q=marker, region="NW") == [first["id"]]
    assert await search(q=marker, technique="Wiki") == [second["id"]]
    assert await search(q=f"{marker} .*") == [], "a search is words, not a pattern"
    paged = body(
        await recs.http.get("/v1/case-studies", params={"q": marker, "limit": "1"}, headers=reader),
        200,
    )
    rest = await recs.http.get(
        "/v1/case-studies", params={"q": marker, "cursor": paged["next_cursor"]}, headers=reader
    )
    assert [s["id"] for s in body(rest, 200)["items"]] == [first["id"]]

    members = [f"u-{i}-{new_id()}" for i in range(6)]
    await asyncio.gather(
        *(
            recs.http.put(f"/v1/case-studies/{first['id']}/useful", headers=recs.member(m))
            for m in members + members[:2]
        )
    )
    seen = body(
        await recs.http.get(f"/v1/case-studies/{first['id']}", headers=recs.member(members[0])), 200
    )
    assert (seen["useful_count"], seen["useful_to_me"]) == (6, True)
    unmarked = await recs.http.delete(
        f"/v1/case-studies/{first['id']}/useful", headers=recs.member(members[0])
    )
    assert body(unmarked, 200)["useful_count"] == 5

    shared = await events_where(
        recs.settings,
        topics.RECOMMENDATIONS,
        lambda e: e["type"] == SHARED and e["subject"] in {first["id"], second["id"]},
        expected=2,
    )
    assert sorted(e["subject"] for e in shared) == sorted([first["id"], second["id"]])
    assert {e["data"]["author_member_id"] for e in shared} == {author}
    for event in shared:
        assert_valid(event)


async def test_a_bad_case_study_is_refused_whole(recs: Recs) -> None:
    marker = new_id()[-8:]
    bad = study(marker, evidence_links=["javascript:alert(1)"], recommendation_codes=["R42"])
    response = await recs.http.post("/v1/case-studies", json=bad, headers=recs.member("m"))
    error = body(response, 422)["error"]
    assert error["code"] == "invalid_case_study"
    assert len(error["details"]["problems"]) == 2
    huge = await recs.http.post(
        "/v1/case-studies", json=study(marker, outcome="x" * 5001), headers=recs.member("m")
    )
    assert body(huge, 422)["error"]["code"] == "invalid_request"
    found = body(
        await recs.http.get("/v1/case-studies", params={"q": marker}, headers=recs.member("m")), 200
    )
    assert found["items"] == [], "nothing written"


async def test_a_case_study_is_evidence_for_a_plan(recs: Recs) -> None:
    lead = recs.member(f"f-{new_id()}", "facilitator", region="NI")
    shared = await share(recs, "author", **study(new_id()[-8:], region="NI"))
    plan = body(
        await recs.http.post(
            "/v1/plans",
            json={"code": "R3", "scope": "region", "scope_id": "NI", "goal": "g"},
            headers=lead,
        ),
        201,
    )
    attached = await recs.http.post(
        f"/v1/plans/{plan['id']}/case-studies", json={"case_study_id": shared["id"]}, headers=lead
    )
    assert body(attached, 200)["case_study_ids"] == [shared["id"]]


async def test_members_follow_recommendations_and_plans(recs: Recs) -> None:
    member_id = f"m-{new_id()}"
    member = recs.member(member_id)
    lead = recs.member(f"f-{new_id()}", "facilitator", region="SCO")
    plan = body(
        await recs.http.post(
            "/v1/plans",
            json={"code": "R2", "scope": "region", "scope_id": "SCO", "goal": "g"},
            headers=lead,
        ),
        201,
    )
    for path in (
        "/v1/follows/recommendation/R4",
        f"/v1/follows/plan/{plan['id']}",
        "/v1/follows/recommendation/R4",
    ):
        assert (await recs.http.put(path, headers=member)).status_code == 204
    missing = await recs.http.put("/v1/follows/plan/nope", headers=member)
    assert body(missing, 404)["error"]["code"] == "plan_not_found"
    wrong_kind = await recs.http.put("/v1/follows/member/x", headers=member)
    assert body(wrong_kind, 422)["error"]["code"] == "not_followable"
    follows = body(await recs.http.get("/v1/members/me/follows", headers=member), 200)["items"]
    assert sorted((f["kind"], f["target"]) for f in follows) == sorted(
        [("recommendation", "R4"), ("plan", plan["id"])]
    )
    assert (
        await recs.http.delete("/v1/follows/recommendation/R4", headers=member)
    ).status_code == 204
    follows = body(await recs.http.get("/v1/members/me/follows", headers=member), 200)["items"]
    assert [(f["kind"], f["target"]) for f in follows] == [("plan", plan["id"])]

    published = await events_where(
        recs.settings,
        topics.RECOMMENDATIONS,
        lambda e: (
            e["type"].startswith("uk.nhs.knet.follow.") and e["data"]["member_id"] == member_id
        ),
        expected=3,
    )
    assert sorted((e["type"], e["data"]["target"]) for e in published) == sorted(
        [
            ("uk.nhs.knet.follow.started.v1", "R4"),
            ("uk.nhs.knet.follow.started.v1", plan["id"]),
            ("uk.nhs.knet.follow.stopped.v1", "R4"),
        ]
    ), "one fact per change: following twice is one start"
    for event in published:
        assert_valid(event)


async def test_its_author_corrects_a_case_study(recs: Recs) -> None:
    marker, author = new_id()[-8:], f"a-{new_id()}"
    shared = await share(recs, author, **study(marker))
    corrected = study(marker, title=f"Peer assists before every tender {marker}")
    as_author = recs.member(author, region="NW")
    revised = await recs.http.put(
        f"/v1/case-studies/{shared['id']}", json=corrected, headers=as_author
    )
    assert body(revised, 200)["title"] == corrected["title"]
    found = body(
        await recs.http.get(
            "/v1/case-studies", params={"q": f"tender {marker}"}, headers=as_author
        ),
        200,
    )
    assert [s["id"] for s in found["items"]] == [shared["id"]], "searchable by its new words"

    other = await recs.http.put(
        f"/v1/case-studies/{shared['id']}",
        json=study(marker, title="Mine now"),
        headers=recs.member("x"),
    )
    assert body(other, 403)["error"]["code"] == "not_permitted"
    bad = await recs.http.put(
        f"/v1/case-studies/{shared['id']}",
        json=study(marker, evidence_links=["ftp://nope"]),
        headers=as_author,
    )
    assert body(bad, 422)["error"]["code"] == "invalid_case_study"
    after = body(await recs.http.get(f"/v1/case-studies/{shared['id']}", headers=as_author), 200)
    assert (after["title"], after["evidence_links"]) == (
        corrected["title"],
        corrected["evidence_links"],
    ), "nothing half-written"
