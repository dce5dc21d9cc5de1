"""The gateway's member API document: every operation the services offer under /api (bar
the sign-in check, which is the gateway's own), secured by a member's session or, for the node
API, only by the node's key; schemas shared where equal, renamed where two services differ."""

from __future__ import annotations

from typing import Any

from services.gateway.api.documents import GATEWAY_ONLY_MARK, find_route, gateway_document
from shared.services import discover

METHODS = ("get", "put", "post", "patch", "delete")


def service_operations() -> set[tuple[str, str]]:
    found = set()
    for spec in discover():
        if spec.name == "gateway":
            continue
        document: dict[str, Any] = spec.module("app").create_app().openapi()
        for path, item in document["paths"].items():
            if path.startswith("/v1/"):
                found |= {
                    (m, "/api" + path)
                    for m in METHODS
                    if m in item and not item[m].get(GATEWAY_ONLY_MARK)
                }
    return found


def test_every_service_operation_is_offered_under_api() -> None:
    document = gateway_document()
    offered = {(m, path) for path, item in document["paths"].items() for m in METHODS if m in item}
    assert offered == service_operations()
    # What the gateway does itself, with credentials in it, is never forwarded.
    for path in (
        "/api/v1/sessions",
        "/api/v1/password-resets",
        "/api/v1/password-resets/complete",
        "/api/v1/members/{member_id}/password",
        "/api/v1/members/{member_id}/password-reset-email",
    ):
        assert path not in document["paths"], path
        assert find_route("POST", path.removeprefix("/api").replace("{member_id}", "m1"))[0] is None


def test_members_use_their_session_and_nodes_their_key() -> None:
    document = gateway_document()
    schemes = document["components"]["securitySchemes"]
    assert schemes["member_session"]["in"] == "cookie"
    assert "internal_token" not in schemes, "the internal token never leaves the platform"
    node = document["paths"]["/api/v1/node/submissions"]["post"]
    assert node["security"] == [{"node_key": []}]
    listing = document["paths"]["/api/v1/members"]["get"]
    assert {"member_session": []} in listing["security"]


def test_two_services_schemas_of_one_name_both_survive() -> None:
    schemas = gateway_document()["components"]["schemas"]
    assert schemas["Scope"] != schemas["recommendations_Scope"]


def test_the_routing_table_prefers_literal_segments() -> None:
    route, _ = find_route("GET", "/v1/members/me/ranking")
    assert route is not None
    assert (route.service, route.template) == ("recommendations", "/v1/members/me/ranking")
    member, allowed = find_route("GET", "/v1/members/m-1")
    assert member is not None
    assert member.service == "membership"
    assert "PATCH" in allowed
    assert find_route("GET", "/v1/nowhere") == (None, [])
