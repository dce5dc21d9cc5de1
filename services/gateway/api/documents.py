"""The member API's document and routing table, built from the services' own OpenAPI
documents: each service path `/v1/...` is served at `/api/v1/...` by forwarding, so the API a
member's client sees is exactly what the services answer, documented once, by them.

The documents are generated from the services' code (same repository, same image), so the
gateway needs no service running to know its routes or to publish its document."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared.auth import GATEWAY_ONLY
from shared.service import LICENSE_INFO
from shared.services import discover

GATEWAY_ONLY_MARK = next(iter(GATEWAY_ONLY))

# The node API has its own door with the node's key. What a service marks GATEWAY_ONLY
# (sign-in, credentials: shared.auth) is the gateway's own, never forwarded.
NODE_PATHS = {"/v1/node/submissions"}
HTTP_METHODS = ("get", "put", "post", "patch", "delete")

SESSION_SCHEME = {
    "type": "apiKey",
    "in": "cookie",
    "name": "__Host-knet_session",
    "description": "The session of a member signed in on the site. A request that changes "
    "anything also sends the page's CSRF token in X-CSRF-Token.",
}
TOKEN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A member's personal API token (knet_...), made on the site under Your "
    "profile, API tokens. It acts as the member, with their current roles; no CSRF token.",
}


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    service: str
    template: str
    node: bool


@cache
def service_documents() -> dict[str, dict[str, Any]]:
    return {
        spec.name: spec.module("app").create_app().openapi()
        for spec in discover()
        if spec.name != "gateway"
    }


def _without_clashes(
    service: str, document: dict[str, Any], taken: dict[str, Any]
) -> dict[str, Any]:
    """The document with each schema whose name another service uses differently (two
    `Scope`s) renamed `<service>_<name>`, its references too. Identical schemas are shared."""
    renamed = {
        name: f"{service}_{name}"
        for name, schema in document.get("components", {}).get("schemas", {}).items()
        if name in taken and taken[name] != schema
    }
    if not renamed:
        return document
    text = json.dumps(document)
    for old, new in renamed.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    result: dict[str, Any] = json.loads(text)
    schemas = result["components"]["schemas"]
    for old, new in renamed.items():
        schemas[new] = schemas.pop(old)
    return result


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("([^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


@cache
def routes() -> list[Route]:
    found = []
    for service, document in service_documents().items():
        for path, item in document["paths"].items():
            if not path.startswith("/v1/"):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None or operation.get(GATEWAY_ONLY_MARK):
                    continue
                found.append(
                    Route(
                        method=method.upper(),
                        pattern=_pattern(path),
                        service=service,
                        template=path,
                        node=path in NODE_PATHS,
                    )
                )
    # Literal segments before parameters: /v1/members/me/ranking before /v1/members/{id}.
    return sorted(found, key=lambda r: (r.template.count("{"), -len(r.template)))


def specificity(template: str) -> tuple[int, int]:
    """Fewer parameters, then more literal characters: /v1/events/{id}.ics over /v1/events/{id}."""
    literal = re.sub(r"\{[^}]+\}", "", template)
    return (-template.count("{"), len(literal))


def find_route(method: str, path: str) -> tuple[Route | None, list[str]]:
    """The route for `method path` (a /v1 path), and the methods its path takes: those of the
    most specific template that matches, as the documents describe it."""
    matching = [route for route in routes() if route.pattern.match(path)]
    if not matching:
        return None, []
    best = max(specificity(route.template) for route in matching)
    same = [route for route in matching if specificity(route.template) == best]
    allowed = sorted({route.method for route in same})
    chosen = next((route for route in same if route.method == method), None)
    return chosen, allowed


@cache
def gateway_document() -> dict[str, Any]:
    """One OpenAPI document: every forwarded operation under /api, with the gateway's own
    security (a member's session; the node key for the node API)."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "KM Network member API",
            "version": "1",
            "license": LICENSE_INFO,
            "description": "What a member can do on the site, for API clients: the services' "
            "operations under /api, called with a personal API token (Authorization: Bearer "
            "knet_..., made on the site under Your profile) or a member's session.",
        },
        "servers": [{"url": "/", "description": "the KM Network gateway"}],
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
    }
    schemes = merged["components"]["securitySchemes"]
    schemes["member_session"] = SESSION_SCHEME
    schemes["personal_token"] = TOKEN_SCHEME
    schemas = merged["components"]["schemas"]
    for service, original in service_documents().items():
        document = _without_clashes(service, original, schemas)
        components = document.get("components", {})
        schemas.update(components.get("schemas", {}))
        for name, scheme in components.get("securitySchemes", {}).items():
            if name not in ("internal_token",):
                schemes[name] = scheme
        for path, item in document["paths"].items():
            if not path.startswith("/v1/"):
                continue
            forwarded = copy.deepcopy(item)
            for method in HTTP_METHODS:
                operation = forwarded.get(method)
                if operation is None:
                    continue
                if operation.get(GATEWAY_ONLY_MARK):
                    del forwarded[method]
                    continue
                operation["operationId"] = f"{service}_{operation['operationId']}"
                operation["tags"] = [service]
                if operation.get("security"):
                    # Without a session the caller is anonymous and the service decides: some
                    # reads are for anyone (the calendar, applying), the rest answer 401.
                    operation["security"] = [
                        replacement
                        for requirement in operation["security"]
                        for replacement in (
                            [{"member_session": []}, {"personal_token": []}]
                            if "internal_token" in requirement
                            else [requirement]
                        )
                    ] + ([{}] if path not in NODE_PATHS else [])
            if any(method in forwarded for method in HTTP_METHODS):
                merged["paths"]["/api" + path] = forwarded
    _drop_unused_schemas(merged)
    return merged


REF = re.compile(r'"#/components/schemas/([^"]+)"')


def _drop_unused_schemas(document: dict[str, Any]) -> None:
    """Schemas only the operations left out used (the sign-in check's) are dropped."""
    schemas = document["components"]["schemas"]
    used: set[str] = set()
    frontier = set(REF.findall(json.dumps(document["paths"])))
    while frontier:
        used |= frontier
        frontier = {
            ref for name in frontier for ref in REF.findall(json.dumps(schemas[name]))
        } - used
    for name in set(schemas) - used:
        del schemas[name]
