"""Webhook receivers, over HTTP with httpx: a signed JSON POST. A 410 Gone is `Refused` (the
receiver says it is gone for good); anything else that is not 2xx, and any connection error
or timeout, is raised as it is, for the caller to try again later. Redirects are not
followed: a receiver moves by having its webhook set again."""

from __future__ import annotations

import httpx

from services.notifications.stores import Refused


class HttpWebhookPoster:
    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            answer = await client.post(url, content=body, headers=headers)
        if answer.status_code == 410:
            raise Refused(f"410 Gone from the receiver at {url}")
        if not 200 <= answer.status_code < 300:
            raise RuntimeError(f"the receiver answered {answer.status_code}")
