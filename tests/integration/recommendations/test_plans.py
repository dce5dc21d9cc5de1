"""Plans over HTTP against real Kafka and store: a plan's life with every fact counted by
id and schema-checked; one plan per (recommendation, scope); bad input refused with a code
and nothing written; organisation plans checked against membership's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from shared import topics
from shared.clock import ManualClock, new_id
from shared.settings import PlatformSettings
from tests.integration.published import assert_valid, events_about
from tests.integration.recommendations.conftest import (
    Recs,
    approved,
    body,
    known,
    publish,
    running,
)


def plan_body(**change: Any) -> dict[str, Any]:
    return {
        "code": "R4",
        "scope": "region",
        "scope_id": "LDN",
        "goal": "A CoP in every trust",
        **change,
    }


async def create(recs: Recs, headers: dict[str, str], **change: Any) -> Any:
    return await recs.http.post("/v1/plans", json=plan_body(**change), headers=headers)


async def test_a_plans_life_and_its_facts(recs: Recs) -> None:
    owner, colead = f"o-{new_id()}", f"c-{new_id()}"
    facilitator = recs.member(f"f-{new_id()}", "facilitator")
    await recs.seat(owner)
    await recs.seat(colead)  # the region's plan is led from the region
    code = "R1"
    created = body(
        await create(
            recs, facilitator, code=code, owner_member_id=owner, co_lead_member_ids=[colead]
        ),
        201,
    )
    plan_id, as_owner, as_colead = (
        created["id"],
        recs.member(owner),
        recs.member(colead, region="NW"),
    )
    assert (created["status"], created["allowed_next"]) == ("proposed", ["active"])

    due = (recs.clock.now() + timedelta(days=30)).date().isoformat()
    with_action = body(
        await recs.http.post(
            f"/v1/plans/{plan_id}/actions",
            json={"title": "Map KM leads", "due_on": due},
            headers=as_colead,
        ),
        201,
    )
    action_id = with_action["actions"][0]["id"]
    body(
        await recs.http.post(
            f"/v1/plans/{plan_id}/milestones",
            json={"title": "Half the trusts", "target_on": due},
            headers=as_owner,
        ),
        201,
    )
    body(
        await recs.http.post(
            f"/v1/plans/{plan_id}/status", json={"status": "active"}, headers=as_owner
        ),
        200,
    )
    progress = {
        "summary": "Two of five trusts have a KM lead",
        "rag": "amber",
        "evidence_links": ["https://example.nhs.uk/km-leads"],
    }
    reported = body(
        await recs.http.post(f"/v1/plans/{plan_id}/progress", json=progress, headers=as_colead), 201
    )
    assert reported["rag"] == "amber"
    body(
        await recs.http.post(f"/v1/plans/{plan_id}/actions/{action_id}/done", headers=as_colead),
        200,
    )
    done = body(
        await recs.http.post(
            f"/v1/plans/{plan_id}/status",
            json={"status": "done", "note": "All in"},
            headers=facilitator,
        ),
        200,
    )
    assert done["allowed_next"] == []
    assert [h["what"] for h in done["history"]] == [
        "created",
        "action_added",
        "milestone_added",
        "status_changed",
        "progress_reported",
        "action_done",
        "status_changed",
    ]

    published = await events_about(recs.settings, topics.RECOMMENDATIONS, {plan_id}, expected=4)
    assert [e["type"].removeprefix("uk.nhs.knet.") for e in published] == [
        "plan.created.v1",
        "plan.status_changed.v1",
        "plan.progress_reported.v1",
        "plan.status_changed.v1",
    ]
    assert len({e["id"] for e in published}) == 4
    for event in published:
        assert_valid(event)
    assert published[0]["data"]["owner_member_id"] == owner
    for member in (owner, colead):
        led = await recs.http.get("/v1/plans", params={"lead": member}, headers=as_owner)
        assert [p["id"] for p in body(led, 200)["items"]] == [plan_id]


async def test_one_plan_per_recommendation_and_scope(recs: Recs) -> None:
    facilitator = recs.member(f"f-{new_id()}", "facilitator", region="EOE")
    first = body(await create(recs, facilitator, code="R2", scope_id="EOE"), 201)
    second = await create(recs, facilitator, code="R2", scope_id="EOE", goal="Another")
    error = body(second, 409)["error"]
    assert (error["code"], error["details"]["plan_id"]) == ("plan_exists", first["id"])
    listed = body(
        await recs.http.get(
            "/v1/plans", params={"code": "R2", "region": "EOE"}, headers=facilitator
        ),
        200,
    )
    assert [p["id"] for p in listed["items"]] == [first["id"]], "nothing half-written"


async def test_bad_input_is_refused_with_a_code_and_nothing_written(recs: Recs) -> None:
    facilitator = recs.member(f"f-{new_id()}", "facilitator", region="MID")
    member = recs.member(f"m-{new_id()}", region="MID")

    async def refused(response: Any, status: int, code: str) -> None:
        assert body(response, status)["error"]["code"] == code

    await refused(await create(recs, member, scope_id="MID"), 403, "scope_not_permitted")
    await refused(await create(recs, facilitator, scope_id="NW"), 403, "scope_not_permitted")
    await refused(await create(recs, facilitator, scope_id="XX"), 422, "unknown_region")
    await refused(
        await create(recs, facilitator, code="R99", scope_id="MID"), 404, "recommendation_not_found"
    )
    await refused(
        await create(recs, facilitator, scope_id="MID", goal="x" * 2001), 422, "invalid_request"
    )
    plan = body(await create(recs, facilitator, scope_id="MID", code="R3"), 201)
    plan_id = plan["id"]
    await refused(
        await recs.http.post(
            f"/v1/plans/{plan_id}/status", json={"status": "done"}, headers=facilitator
        ),
        409,
        "forbidden_transition",
    )
    await refused(
        await recs.http.post(
            f"/v1/plans/{plan_id}/progress",
            json={
                "summary": "s",
                "rag": "green",
                "evidence_links": ["https://ok.example", "file:///etc/passwd"],
            },
            headers=facilitator,
        ),
        422,
        "invalid_evidence_link",
    )
    await refused(
        await recs.http.post(
            f"/v1/plans/{plan_id}/status", json={"status": "active"}, headers=member
        ),
        403,
        "not_permitted",
    )
    await refused(
        await recs.http.post(
            f"/v1/plans/{plan_id}/case-studies", json={"case_study_id": "nope"}, headers=facilitator
        ),
        404,
        "case_study_not_found",
    )
    after = body(await recs.http.get(f"/v1/plans/{plan_id}", headers=member), 200)
    assert (after["status"], after["rag"], after["updates"]) == ("proposed", None, [])
    assert [h["what"] for h in after["history"]] == ["created"]
    stored = await recs.stores.plans.get(plan_id)
    assert stored is not None
    assert stored.version == 0


async def test_organisation_plans_follow_membership(
    recs: Recs, membership_topic: AIOKafkaProducer
) -> None:
    inside, outside = f"m-{new_id()}", f"m-{new_id()}"
    org = f"ORG{new_id()[-6:]}"
    await publish(membership_topic, approved(inside, "SE", organisation_id=org), member_id=inside)
    await publish(
        membership_topic, approved(outside, "SE", organisation_id="OTHER"), member_id=outside
    )
    await known(recs, inside, outside)
    plan = {"scope": "organisation", "scope_id": org, "region": "SE"}
    refused = await create(recs, recs.member(outside, region="SE"), **plan)
    assert body(refused, 403)["error"]["code"] == "scope_not_permitted"
    created = body(await create(recs, recs.member(inside, region="SE"), **plan), 201)
    assert (
        created["scope"],
        created["scope_id"],
        created["region"],
        created["owner_member_id"],
    ) == (
        "organisation",
        org,
        "SE",
        inside,
    )


async def test_adoption_by_region_with_a_national_roll_up(infra: PlatformSettings) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    async with running(infra, f"_adopt_{new_id()}", clock) as fresh:
        core = fresh.member("core1", "core")
        for region, rag in (("LDN", "green"), ("NW", "red")):
            lead = fresh.member(f"f-{region}", "facilitator", region=region)
            plan = body(await create(fresh, lead, scope_id=region), 201)
            await fresh.http.post(
                f"/v1/plans/{plan['id']}/status", json={"status": "active"}, headers=lead
            )
            progress = {"summary": "On track", "rag": rag}
            body(
                await fresh.http.post(
                    f"/v1/plans/{plan['id']}/progress", json=progress, headers=lead
                ),
                201,
            )
        sponsor = fresh.member(f"s-{new_id()}", "sponsor")
        body(await create(fresh, sponsor, scope="national", scope_id=None), 201)
        rows = body(await fresh.http.get("/v1/adoption", headers=core), 200)
    by_code = {row["code"]: row for row in rows}
    assert list(by_code) == ["R1", "R2", "R3", "R4", "R5"]
    r4 = by_code["R4"]
    assert r4["national"] == {
        "plans": 3,
        "by_status": {"active": 2, "proposed": 1},
        "by_rag": {"green": 1, "red": 1, "unrated": 1},
    }
    assert r4["regions"]["LDN"] == {"plans": 1, "by_status": {"active": 1}, "by_rag": {"green": 1}}
    assert set(r4["regions"]) == {"LDN", "NW"}
    assert by_code["R1"]["national"]["plans"] == 0


async def test_a_members_plans_page_by_page(recs: Recs) -> None:
    """The `lead` filter is an `$or` (owner or co-lead), as is the cursor: both must hold."""
    member = f"m-{new_id()}"
    core = recs.member(f"c-{new_id()}", "core")
    led = []
    org = f"ORG{new_id()[-8:]}"
    await recs.seat(member, organisation_id=org)
    for code in ("R1", "R2", "R3"):
        change: dict[str, Any] = {"scope": "organisation", "scope_id": org, "region": "LDN"}
        change |= {"owner_member_id": member} if code != "R2" else {"co_lead_member_ids": [member]}
        created = await create(recs, recs.operator(), code=code, **change)
        led.append(body(created, 201)["id"])
    sponsor = recs.member(f"s-{new_id()}", "sponsor")
    await create(recs, sponsor, code="R4", scope="national", scope_id=None)  # not theirs
    seen, cursor = [], None
    while True:
        params = {"lead": member, "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = body(await recs.http.get("/v1/plans", params=params, headers=core), 200)
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == led


async def test_leads_revise_a_plans_goal_and_co_leads(recs: Recs) -> None:
    owner, newcomer = f"o-{new_id()}", f"n-{new_id()}"
    operator = recs.operator()
    org = f"ORG{new_id()[-8:]}"
    await recs.seat(owner, "NW", org)
    await recs.seat(newcomer, "NW", org)
    plan = body(
        await create(
            recs,
            operator,
            code="R5",
            scope="organisation",
            scope_id=org,
            region="NW",
            owner_member_id=owner,
        ),
        201,
    )
    as_owner = recs.member(owner, region="NW")
    change = {"goal": "Every team on the shared platform", "co_lead_member_ids": [newcomer]}
    revised = body(
        await recs.http.patch(f"/v1/plans/{plan['id']}", json=change, headers=as_owner), 200
    )
    assert (revised["goal"], revised["co_lead_member_ids"]) == (change["goal"], [newcomer])
    assert revised["history"][-1]["what"] == "revised"
    # The new co-lead may now edit; someone else may not; an oversized goal is refused.
    as_newcomer = recs.member(newcomer, region="SW")
    body(
        await recs.http.patch(
            f"/v1/plans/{plan['id']}", json={"goal": "Two teams"}, headers=as_newcomer
        ),
        200,
    )
    refused = await recs.http.patch(
        f"/v1/plans/{plan['id']}", json={"goal": "x"}, headers=recs.member("m")
    )
    assert body(refused, 403)["error"]["code"] == "not_permitted"
    huge = await recs.http.patch(
        f"/v1/plans/{plan['id']}", json={"goal": "x" * 2001}, headers=as_owner
    )
    assert body(huge, 422)["error"]["code"] == "invalid_request"
    final = body(await recs.http.get(f"/v1/plans/{plan['id']}", headers=as_owner), 200)
    assert final["goal"] == "Two teams"
    assert [h["what"] for h in final["history"]] == ["created", "revised", "revised"]
