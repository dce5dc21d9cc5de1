"""The real webhook poster refuses receivers that are not public, by what their names
resolve to, when a webhook is set and again when it is called; a loopback receiver only with
the development setting; and a call goes to the address that was checked."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from services.notifications.stores import Postponed, Refused
from services.notifications.webhooks import HttpWebhookPoster
from shared.errors import Invalid
from tests.conftest import eventually
from tools.infra.processes import free_port

NOT_PUBLIC = [
    "http://127.0.0.1:8001/v1/members",
    "http://localhost:8001/",
    "http://[::1]/x",
    "http://127.1/x",
    "http://2130706433/x",
    "http://0.0.0.0/x",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/x",
    "http://[::ffff:127.0.0.1]/x",
]


@pytest.mark.parametrize("url", NOT_PUBLIC)
async def test_a_receiver_that_is_not_public_is_refused_when_set_and_when_called(
    url: str,
) -> None:
    poster = HttpWebhookPoster(timeout=2)
    with pytest.raises(Invalid) as refused:
        await poster.check(url)
    assert refused.value.code == "webhook_address_not_public"
    with pytest.raises(Refused) as not_sent:
        await poster.post(url, b"{}", {})
    assert str(not_sent.value).startswith("not sent: the webhook's address is ")


async def test_loopback_is_allowed_only_by_the_development_setting() -> None:
    poster = HttpWebhookPoster(timeout=2, allow_loopback=True)
    await poster.check("http://127.0.0.1:9/x")
    with pytest.raises(Invalid):
        await poster.check("http://10.0.0.1/x")
    with pytest.raises(Invalid) as unknown:
        await poster.check("http://no-such-host.invalid/x")
    assert unknown.value.code == "webhook_address_unknown"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[int, list[dict[str, str]], list[int]]]:
    port = free_port()
    seen: list[dict[str, str]] = []
    answers: list[int] = [405]
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        seen.append(dict(request.headers))
        return Response(status_code=answers[0])

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, timeout=10, what="the receiver")
    yield port, seen, answers
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)


async def test_the_delivery_log_hears_words_not_exception_text(
    receiver: tuple[int, list[dict[str, str]], list[int]],
) -> None:
    port, seen, answers = receiver
    poster = HttpWebhookPoster(timeout=2, allow_loopback=True)
    with pytest.raises(Postponed) as refused:
        await poster.post(f"http://localhost:{port}/hook", b"{}", {"webhook-id": "d1"})
    assert str(refused.value) == "refused by the receiver (HTTP 405)"
    (headers,) = seen
    assert headers["host"] == f"localhost:{port}", "the name the webhook was set with"
    answers[0] = 204
    await poster.post(f"http://localhost:{port}/hook", b"{}", {})
    closed = free_port()
    with pytest.raises(Postponed) as away:
        await poster.post(f"http://127.0.0.1:{closed}/hook", b"{}", {})
    assert str(away.value) == "could not connect"


async def test_a_name_no_dns_can_hold_is_an_unknown_address() -> None:
    poster = HttpWebhookPoster(timeout=2)
    with pytest.raises(Invalid) as unknown:
        await poster.check("https://" + "0" * 300 + "/x")
    assert unknown.value.code == "webhook_address_unknown"
