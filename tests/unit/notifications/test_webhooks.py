"""Webhooks for regional nodes: set by facilitators and operators only, at an https address
(http too where allowed), each call a JSON POST signed with HMAC-SHA256 over `timestamp.body`
that a receiver can verify; retried with backoff while the receiver is away, stopped by a 410;
every call in the delivery log."""

from __future__ import annotations

import base64
import ipaddress
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notifications.domain import webhooks
from services.notifications.stores import Stores
from services.notifications.usecases import deliver, inbox, sending
from shared.caller import Caller
from shared.errors import Forbidden, Invalid
from tests.unit.notifications.support import (
    NOW,
    P,
    clock,
    in_memory_stores,
    jobs_of,
    join,
    member_fact,
    published,
)
from tests.unit.notifications.support import webhooks as receiver

FACILITATOR = Caller("f", "LDN", frozenset({"member", "facilitator"}))
URL = "https://node.ldn.example.nhs.uk/knet"


def test_calls_are_signed_as_standard_webhooks_say_and_a_stock_verifier_accepts_them() -> None:
    body = b'{"id":"x"}'
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    now = datetime.now(UTC)
    headers = webhooks.signed_headers(secret, "d1", now, body)
    assert headers["webhook-id"] == "d1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert Webhook(secret).verify(body, headers) == {"id": "x"}
    stale = webhooks.signed_headers(secret, "d1", now - timedelta(minutes=6), body)
    for key, payload, sent in (
        (webhooks.new_secret(), body, headers),
        (secret, b'{"id":"y"}', headers),
        (secret, body, stale),
    ):
        with pytest.raises(WebhookVerificationError):
            Webhook(key).verify(payload, sent)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("0.0.0.0", "an unspecified address"),
        ("169.254.169.254", "a link-local address"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.1", "a private address"),
        ("fd00::1", "a private address"),
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_only_public_addresses_receive_webhooks(address: str, refused: str | None) -> None:
    assert webhooks.why_not_public(ipaddress.ip_address(address)) == refused


async def node_keeper(stores: Stores) -> str:
    await join(stores, "f", roles=["facilitator"], interests=["peer assist"])
    _, secret = await inbox.set_webhook(stores, caller=FACILITATOR, url=URL)
    await inbox.change_preferences(
        stores,
        caller=FACILITATOR,
        channels={"events": ["in_app", "webhook"]},
        digest=None,
        digest_hour=None,
    )
    return secret


async def test_only_node_keepers_set_a_webhook_at_an_https_address() -> None:
    stores = in_memory_stores()
    await join(stores, "m")
    await join(stores, "f", roles=["facilitator"])
    with pytest.raises(Forbidden):
        await inbox.set_webhook(stores, caller=Caller("m", "LDN", frozenset({"member"})), url=URL)
    for bad in (
        "http://node.example/x",
        "ftp://node.example/x",
        "https://user:pw@node/x",
        "/x",
        "https://[not-ipv6]/x",
        "https://node.example:99999/x",
    ):
        with pytest.raises(Invalid):
            await inbox.set_webhook(stores, caller=FACILITATOR, url=bad)
    url, secret = await inbox.set_webhook(stores, caller=FACILITATOR, url=URL)
    assert (url, secret.startswith("whsec_")) == (URL, True)
    _, again = await inbox.set_webhook(stores, caller=FACILITATOR, url=URL)
    assert again != secret, "setting it again issues a new secret"
    allowed = replace(stores, allow_http_webhooks=True)
    await inbox.set_webhook(allowed, caller=FACILITATOR, url="http://127.0.0.1:9/hook")


async def test_a_notification_reaches_the_webhook_signed_once() -> None:
    stores = in_memory_stores()
    secret = await node_keeper(stores)
    await published(stores, "s1")
    counts = await deliver.deliver(stores, jobs_of(stores))
    again = await deliver.deliver(stores, jobs_of(stores))
    assert (counts["webhook"], again["webhook"]) == (1, 0)
    ((url, body, headers),) = receiver(stores).calls
    assert url == URL
    # Signed at the stores' clock (a fixed day here): what a stock verifier recomputes.
    when = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    assert headers["webhook-signature"] == Webhook(secret).sign("s1|f|webhook", when, body.decode())
    document = json.loads(body)
    assert document["type"] == "notification.event_published"
    assert document["link"].startswith("https://knet.example.nhs.uk/events/")
    assert headers["webhook-id"] == document["id"] == "s1|f|webhook"


async def test_a_receiver_away_is_retried_with_backoff_and_a_410_stops_the_calls() -> None:
    stores = in_memory_stores()
    await node_keeper(stores)
    receiver(stores).down = True
    await published(stores, "s1")
    assert (await deliver.deliver(stores, jobs_of(stores)))["webhook"] == 0
    assert await sending.send_due(stores) == 0, "backing off"
    receiver(stores).down = False
    clock(stores).advance(timedelta(seconds=31))
    assert await sending.send_due(stores) == 1
    (log, _) = await inbox.delivery_log(
        stores, caller=FACILITATOR, channel="webhook", cursor=None, limit=10
    )
    assert [(d.status, d.attempts) for d in log] == [("sent", 1)]
    assert log[0].last_error == "could not connect", "in words, not an exception's text"

    receiver(stores).gone.add(URL)
    await published(stores, "s2", event_id="e2")
    await deliver.deliver(stores, [j for j in jobs_of(stores) if j.source_id == "s2"])
    member = await stores.directory.get("f")
    assert member is not None
    assert member.preferences.webhook_failing
    await published(stores, "s3", event_id="e3")
    assert (await deliver.deliver(stores, [j for j in jobs_of(stores) if j.source_id == "s3"]))[
        "inbox"
    ] == 1
    (log, _) = await inbox.delivery_log(
        stores, caller=FACILITATOR, channel="webhook", cursor=None, limit=10
    )
    assert [d.status for d in log] == ["failed", "sent"], "no call after the 410"
    await inbox.set_webhook(stores, caller=FACILITATOR, url=URL)
    member = await stores.directory.get("f")
    assert member is not None
    assert not member.preferences.webhook_failing, "set again: resumed"


@pytest.mark.parametrize(
    ("fact", "data"),
    [
        ("member.role_changed", {"roles": ["member"], "added": [], "removed": ["facilitator"]}),
        ("member.left", {"erased": False}),
    ],
)
async def test_a_webhook_goes_with_the_role_that_set_it(fact: str, data: dict[str, object]) -> None:
    stores = in_memory_stores()
    await node_keeper(stores)
    await published(stores, "s1")
    recorded_before = jobs_of(stores)
    later = timedelta(minutes=1)
    await member_fact(stores, P + fact + ".v1", {"member_id": "f", **data}, NOW + later)
    member = await stores.directory.get("f")
    assert member is not None
    assert member.preferences.webhook_url is None
    # A job already on its way is not called either.
    counts = await deliver.deliver(stores, recorded_before)
    assert counts["webhook"] == 0
    assert receiver(stores).calls == []


async def test_a_call_recorded_before_the_role_went_is_refused_when_it_is_tried() -> None:
    stores = in_memory_stores()
    await node_keeper(stores)
    receiver(stores).down = True
    await published(stores, "s1")
    await deliver.deliver(stores, jobs_of(stores))
    member = await stores.directory.get("f")
    assert member is not None
    # The role went, but the read model's webhook stayed (as with a fact still on its way).
    await stores.directory.apply("f", clock(stores).now() + timedelta(seconds=1), {"roles": []})
    receiver(stores).down = False
    clock(stores).advance(timedelta(seconds=31))
    await sending.send_due(stores)
    assert receiver(stores).calls == []
    (log, _) = await inbox.delivery_log(
        stores, caller=FACILITATOR, channel="webhook", cursor=None, limit=10
    )
    assert [d.status for d in log] == ["failed"]
