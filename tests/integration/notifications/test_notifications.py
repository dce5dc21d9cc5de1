"""Notifications end to end, through Kafka, the store and a real SMTP server: an application
reaches the region's facilitators; the approval welcomes the applicant by email with a
one-click unsubscribe, member-supplied text escaped; the same fact delivered twice notifies
once; a refused address is marked failing; the inbox pages, counts and marks read."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from services.membership import facts as membership
from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.notifications.conftest import Notifications, headers_of


def applied(member_id: str, region: str, name: str, email: str) -> membership.MemberApplied:
    return membership.MemberApplied(
        member_id=member_id,
        region=region,
        name=name,
        email=email,
        organisation_id=None,
        job_title="Librarian",
        interests=["evidence search"],
        skills=[],
        applied_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )


def approved(
    member_id: str, region: str, name: str, email: str, roles: list[str]
) -> membership.MemberApproved:
    return membership.MemberApproved(
        member_id=member_id,
        region=region,
        name=name,
        email=email,
        organisation_id=None,
        roles=roles,
        interests=["evidence search"],
        approved_by="op",
    )


async def test_application_approval_and_email_with_unsubscribe(
    notifications: Notifications,
) -> None:
    n = notifications
    facilitator, applicant = f"f-{new_id()}", f"a-{new_id()}"
    name = 'Ada <script>alert("x")</script>'
    await n.publish(
        approved(facilitator, "SW", "Fay", f"{facilitator}@nhs.net", ["member", "facilitator"]),
        subject=facilitator,
    )
    await n.publish(applied(applicant, "SW", name, f"{applicant}@nhs.net"), subject=applicant)

    async def facilitator_told() -> bool:
        page = await n.http.get("/v1/members/me/notifications", headers=n.member(facilitator, "SW"))
        return any(i["kind"] == "application_received" for i in page.json()["items"])

    await eventually(facilitator_told, timeout=60, what="the facilitator's inbox")

    once = await n.publish(
        approved(applicant, "SW", name, f"{applicant}@nhs.net", ["member"]), subject=applicant
    )
    await n.producer.send_and_wait("knet.membership.v1", once, key=applicant.encode())  # again

    async def welcomed() -> bool:
        return len(n.emails_to(f"{applicant}@nhs.net")) >= 1

    await eventually(welcomed, timeout=30, what="the welcome email")
    (welcome,) = n.emails_to(f"{applicant}@nhs.net")
    headers = headers_of(welcome)
    assert headers["Subject"] == "Welcome to the KM Network"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(
        r"<(https://knet\.example\.nhs\.uk/unsubscribe\?token=([^>]+))>",
        headers["List-Unsubscribe"],
    )
    assert link, headers["List-Unsubscribe"]
    html = welcome.get_body(preferencelist=("html",))
    assert html is not None
    assert "&lt;script&gt;" in html.get_content()
    assert "<script>" not in html.get_content()
    text = welcome.get_body(preferencelist=("plain",))
    assert text is not None
    assert link[1] in text.get_content()

    inbox = await n.http.get("/v1/members/me/notifications", headers=n.member(applicant, "SW"))
    assert [i["kind"] for i in inbox.json()["items"]] == ["welcome"], "delivered twice: one"

    unsubscribed = await n.http.post(
        "/v1/unsubscribe", json={"token": link[2]}, headers=n.member("anonymous")
    )
    assert unsubscribed.json() == {"categories": ["membership"]}
    prefs = await n.http.get("/v1/members/me/preferences", headers=n.member(applicant, "SW"))
    assert "email" not in prefs.json()["channels"]["membership"]
    bad = await n.http.post(
        "/v1/unsubscribe", json={"token": "forged"}, headers=n.member("anonymous")
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "bad_unsubscribe_token"


async def test_a_refused_address_is_marked_failing_and_not_retried(
    notifications: Notifications,
) -> None:
    n = notifications
    member = f"r-{new_id()}"
    address = f"{member}@nhs.net"
    n.mail.refuse.add(address)
    await n.publish(approved(member, "NW", "Rae", address, ["member"]), subject=member)

    async def failing() -> bool:
        prefs = await n.http.get("/v1/members/me/preferences", headers=n.member(member, "NW"))
        return prefs.status_code == 200 and prefs.json()["email_failing"] is True

    await eventually(failing, timeout=30, what="the email channel marked failing")
    assert n.emails_to(address) == []
    unread = await n.http.get("/v1/members/me/notifications/unread", headers=n.member(member, "NW"))
    assert unread.json() == {"unread": 1}, "the inbox still has it"


async def test_the_inbox_counts_and_marks_read(notifications: Notifications) -> None:
    n = notifications
    member = f"i-{new_id()}"
    headers = n.member(member, "MID")
    await n.publish(approved(member, "MID", "Ivy", f"{member}@nhs.net", ["member"]), subject=member)
    for position in (1, 2):
        await n.publish(membership_role(member, position), subject=member)

    async def three() -> bool:
        unread = await n.http.get("/v1/members/me/notifications/unread", headers=headers)
        return bool(unread.json()["unread"] == 3)

    await eventually(three, timeout=30, what="three notifications")
    page = (
        await n.http.get("/v1/members/me/notifications", params={"limit": 2}, headers=headers)
    ).json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    first = page["items"][0]["id"]
    assert (
        await n.http.post(f"/v1/members/me/notifications/{first}/read", headers=headers)
    ).status_code == 204
    assert (await n.http.get("/v1/members/me/notifications/unread", headers=headers)).json() == {
        "unread": 2
    }
    other = n.member(f"x-{new_id()}")
    assert (
        await n.http.post(f"/v1/members/me/notifications/{first}/read", headers=other)
    ).status_code == 404
    assert (await n.http.post("/v1/members/me/notifications/read", headers=headers)).json() == {
        "marked": 2
    }


def membership_role(member: str, n: int) -> membership.MemberRoleChanged:
    role = ("core", "sponsor")[n - 1]
    return membership.MemberRoleChanged(
        member_id=member,
        region="MID",
        roles=["member", role],
        added=[role],
        removed=[],
        changed_by="op",
    )
