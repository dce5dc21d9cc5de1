"""Webhooks and digests end to end, through Kafka, the store, HTTP and SMTP: a facilitator's
regional node receives their notifications at a real local HTTP receiver that verifies each
call's signature (a call refused with a 503 is tried again and arrives once); a member in
digest mode gets their held news as one email at their hour, from the real mail server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notifications.usecases import digests
from shared.clock import ManualClock, new_id
from tests.conftest import eventually
from tests.integration.callers import as_member
from tests.integration.notifications.conftest import Notifications, headers_of
from tests.integration.notifications.test_notifications import applied, approved
from tools.infra.processes import free_port


@dataclass
class Receiver:
    """A regional node's endpoint: keeps the calls whose signature verifies, refuses the
    others with 401, and answers 503 to the first `unavailable` calls."""

    url: str
    secret: str = ""
    unavailable: int = 0
    verified: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    found = Receiver(url=f"http://127.0.0.1:{port}/knet")
    app = FastAPI()

    @app.post("/knet")
    async def receive(request: Request) -> Response:
        body = await request.body()
        if found.unavailable:
            found.unavailable -= 1
            return Response(status_code=503)
        # A stock Standard Webhooks verifier, as a node would use.
        try:
            Webhook(found.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            found.refused += 1
            return Response(status_code=401)
        found.verified.append(json.loads(body))
        return Response(status_code=204)

    # log_config=None: uvicorn would otherwise reconfigure the process's logging (its access
    # logger silenced for every test after this one).
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, timeout=10, what="the webhook receiver")
    yield found
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)


async def welcomed(n: Notifications, member_id: str, region: str) -> dict[str, str]:
    """Waits for the new member's welcome to be delivered (so it is not the call or email the
    test then waits for); their headers, as a facilitator."""
    headers = as_member(n.settings, member_id, "facilitator", region=region)

    async def there() -> bool:
        inbox = await n.http.get("/v1/members/me/notifications", headers=headers)
        return inbox.status_code == 200 and any(
            i["kind"] == "welcome" for i in inbox.json()["items"]
        )

    await eventually(there, timeout=60, what=f"{member_id}'s welcome")
    return headers


async def test_a_regional_node_receives_signed_calls_retried_through_an_outage(
    notifications: Notifications, receiver: Receiver
) -> None:
    n = notifications
    facilitator = f"f-{new_id()}"
    await n.publish(
        approved(facilitator, "NEY", "Fay", f"{facilitator}@nhs.net", ["member", "facilitator"]),
        subject=facilitator,
    )
    keeper = await welcomed(n, facilitator, "NEY")
    me = n.member(facilitator, "NEY")
    refused = await n.http.put("/v1/members/me/webhook", headers=me, json={"url": receiver.url})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_a_node_keeper"
    hooked = await n.http.put("/v1/members/me/webhook", headers=keeper, json={"url": receiver.url})
    assert hooked.status_code == 200, hooked.text
    receiver.secret = hooked.json()["secret"]
    chosen = await n.http.put(
        "/v1/members/me/preferences",
        headers=keeper,
        json={"channels": {"membership": ["in_app", "webhook"]}},
    )
    assert chosen.json()["webhook_url"] == receiver.url
    assert "webhook_secret" not in chosen.json(), "the secret is shown once, never again"

    receiver.unavailable = 1
    applicant = f"a-{new_id()}"
    await n.publish(applied(applicant, "NEY", "Ada", f"{applicant}@nhs.net"), subject=applicant)

    async def waiting() -> bool:
        log = await n.http.get("/v1/members/me/deliveries?channel=webhook", headers=keeper)
        return any(d["attempts"] == 1 and d["status"] == "pending" for d in log.json()["items"])

    await eventually(waiting, timeout=60, what="the webhook call refused with a 503, waiting")

    async def arrived() -> bool:
        return len(receiver.verified) >= 1

    # The first retry comes after the backoff's 30 s.
    await eventually(arrived, timeout=90, what="the webhook call, tried again")
    (call,) = receiver.verified
    assert call["type"] == "notification.application_received"
    assert call["member_id"] == facilitator
    assert call["link"].startswith("https://knet.example.nhs.uk/")
    assert receiver.refused == 0

    # The receiver answers before the call is marked sent: wait for the mark.
    async def marked() -> bool:
        log = (await n.http.get("/v1/members/me/deliveries", headers=keeper)).json()["items"]
        return [d["status"] for d in log if d["channel"] == "webhook"] == ["sent"]

    await eventually(marked, timeout=10, what="the webhook call marked sent")
    log = (await n.http.get("/v1/members/me/deliveries", headers=keeper)).json()["items"]
    (sent,) = [d for d in log if d["channel"] == "webhook"]
    assert (sent["status"], sent["attempts"]) == ("sent", 1)
    assert "503" in sent["last_error"]
    await asyncio.sleep(1)
    assert len(receiver.verified) == 1, "once"


async def test_a_digest_gathers_held_news_into_one_email_at_the_members_hour(
    notifications: Notifications,
) -> None:
    n = notifications
    facilitator = f"f-{new_id()}"
    address = f"{facilitator}@nhs.net"
    await n.publish(
        approved(facilitator, "SE", "Dee", address, ["member", "facilitator"]), subject=facilitator
    )
    me = await welcomed(n, facilitator, "SE")
    chosen = await n.http.put(
        "/v1/members/me/preferences", headers=me, json={"digest": "daily", "digest_hour": 6}
    )
    assert chosen.status_code == 200, chosen.text
    names = ["Ada <b>Lovelace</b>", "Grace Hopper"]
    for name in names:
        applicant = f"a-{new_id()}"
        await n.publish(applied(applicant, "SE", name, f"{applicant}@nhs.net"), subject=applicant)

    async def held() -> list[dict[str, Any]]:
        log = await n.http.get("/v1/members/me/deliveries?channel=email", headers=me)
        return [d for d in log.json()["items"] if d["status"] == "held"]

    async def both_held() -> bool:
        return len(await held()) == 2

    await eventually(both_held, timeout=60, what="two applications held for the digest")
    welcome_only = n.emails_to(address)
    assert [str(m["Subject"]) for m in welcome_only] == ["Welcome to the KM Network"]
    due = min(datetime.fromisoformat(d["next_attempt_at"]) for d in await held())
    later = replace(n.stores, clock=ManualClock(due))
    assert await digests.send_due(later) == 1
    assert await digests.send_due(later) == 0, "once"

    async def emailed() -> bool:
        return len(n.emails_to(address)) == 2

    await eventually(emailed, timeout=30, what="the digest email")
    email = n.emails_to(address)[-1]
    headers = headers_of(email)
    assert headers["Subject"] == "KM Network: 2 updates for you today"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = email.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in content
    assert "Grace Hopper" in content
    log = (await n.http.get("/v1/members/me/deliveries?channel=email", headers=me)).json()
    statuses = sorted((d["status"], d["digest_items"], d["subject"]) for d in log["items"])
    assert [s[:2] for s in statuses] == [("digested", 0), ("digested", 0), ("sent", 0), ("sent", 2)]
