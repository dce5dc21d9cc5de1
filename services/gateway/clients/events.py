"""The events service, as the gateway calls it, typed with the models generated from its
OpenAPI document (clients/models/events.py)."""

from __future__ import annotations

from services.gateway.clients.http import Services
from services.gateway.clients.models import events as e
from services.gateway.clients.operations import get, request, send
from shared.caller import Caller

SERVICE = "events"

NODE_KEYS = get(SERVICE, "/v1/regions/{region}/node-keys", e.PageKeyView, "cursor")
ISSUE_KEY = send(SERVICE, "POST", "/v1/regions/{region}/node-keys", e.IssuedKey, e.KeyRequest)
REVOKE_KEY = send(SERVICE, "DELETE", "/v1/regions/{region}/node-keys/{key_id}", type(None))


class Events:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def node_keys(self, caller: Caller, region: str, *, cursor: str | None) -> e.PageKeyView:
        return await NODE_KEYS(self._services, caller, region=region, query={"cursor": cursor})

    async def issue_key(self, caller: Caller, region: str, label: str) -> e.IssuedKey:
        body = request(e.KeyRequest, label=label)
        return await ISSUE_KEY(self._services, caller, region=region, body=body)

    async def revoke_key(self, caller: Caller, region: str, key_id: str) -> None:
        await REVOKE_KEY(self._services, caller, region=region, key_id=key_id)
