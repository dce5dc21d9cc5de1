"""Every failure a client meets comes in the platform's error envelope, also the ones the
framework raises itself: a body too deeply nested or not UTF-8, a path that does not exist,
a method a path does not take."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from shared.http_errors import install_error_handlers
from shared.requests import RequestModel


class Thing(RequestModel):
    name: str


def app() -> FastAPI:
    found = FastAPI()
    install_error_handlers(found)

    @found.post("/things")
    async def things(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    @found.get("/things")
    async def list_things() -> list[str]:
        return []

    return found


@pytest.mark.parametrize(
    ("method", "path", "content", "status", "code"),
    [
        ("POST", "/things", b"[" * 5000 + b"]" * 5000, 400, None),
        ("POST", "/things", b'{"name": "\xff\xfe"}', None, None),
        ("POST", "/things", b'{"name": "bell\\u0007"}', 422, "invalid_request"),
        ("GET", "/nowhere", b"", 404, "not_found"),
        ("PUT", "/things", b"", 405, "method_not_allowed"),
    ],
)
async def test_framework_errors_use_the_envelope(
    method: str, path: str, content: bytes, status: int | None, code: str | None
) -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.request(
            method, path, content=content, headers={"content-type": "application/json"}
        )
    assert 400 <= response.status_code < 500
    if status is not None:
        assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}, body
    if code is not None:
        assert body["error"]["code"] == code


async def test_a_405_names_every_method_of_the_path() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.request("OPTIONS", "/things")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
