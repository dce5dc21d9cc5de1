"""Webhook receivers, over HTTP with httpx: a signed JSON POST to a public address.

The receiver's name is resolved before each call and every address it gives must be public
(domain/webhooks.py says which are not); the call then goes to the address that was checked,
with the name in `Host` and for TLS, so a name that changes its answer between the check and
the connection (DNS rebinding) cannot point the call at the platform's own network. Redirects
are not followed: a receiver moves by having its webhook set again.

What the delivery log shows is said here in words ("refused by the receiver (HTTP 405)",
"could not connect"), never an exception's text: it is read by the member who set the
webhook, and internal errors would make it a port scanner."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from services.notifications.domain.webhooks import IpAddress, why_not_public
from services.notifications.stores import Postponed, Refused
from shared.errors import Invalid


class NotPublic(Exception):
    """The receiver's name resolves to an address a webhook may not call."""


class HttpWebhookPoster:
    def __init__(self, timeout: float = 10.0, *, allow_loopback: bool = False) -> None:
        self.timeout = timeout
        # Development only (KNET_WEBHOOKS_ALLOW_LOOPBACK): a receiver on this machine.
        self.allow_loopback = allow_loopback

    async def check(self, url: str) -> None:
        """When a webhook is set: its address must resolve, and only to public addresses."""
        try:
            await self._addresses(url)
        except NotPublic as refused:
            raise Invalid("webhook_address_not_public", str(refused)) from refused
        except (OSError, UnicodeError) as unknown:  # no such name; a name no DNS can hold
            raise Invalid(
                "webhook_address_unknown", "The webhook's address could not be found"
            ) from unknown

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        try:
            addresses = await self._addresses(url)
        except NotPublic as refused:
            raise Refused(f"not sent: {refused}") from refused
        except (OSError, UnicodeError) as unknown:
            raise Postponed("could not find the receiver's address") from unknown
        parts = urlsplit(url)
        answer = None
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            # Each checked address in turn, as a client does with a name's addresses.
            for address in addresses:
                host = f"[{address}]" if address.version == 6 else str(address)
                pinned = urlunsplit(parts._replace(netloc=f"{host}:{_port(parts)}"))
                try:
                    answer = await client.post(
                        pinned,
                        content=body,
                        headers={**headers, "Host": parts.netloc.rpartition("@")[2]},
                        extensions={"sni_hostname": parts.hostname or ""},
                    )
                    break
                except httpx.TimeoutException as late:
                    raise Postponed("the receiver did not answer in time") from late
                except httpx.HTTPError:
                    continue
        if answer is None:
            raise Postponed("could not connect")
        if answer.status_code == 410:
            raise Refused("the receiver said it is gone for good (HTTP 410)")
        if not 200 <= answer.status_code < 300:
            raise Postponed(f"refused by the receiver (HTTP {answer.status_code})")

    async def _addresses(self, url: str) -> list[IpAddress]:
        parts = urlsplit(url)
        found = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, _port(parts), type=socket.SOCK_STREAM
        )
        addresses = [ipaddress.ip_address(info[4][0]) for info in found]
        for address in addresses:
            if (reason := why_not_public(address)) and not (
                self.allow_loopback and address.is_loopback
            ):
                raise NotPublic(f"the webhook's address is {reason}: it must be a public one")
        if not addresses:
            raise OSError("no address")
        return addresses


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)
