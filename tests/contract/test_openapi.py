"""What a client generated from a service's OpenAPI document needs: every error it can meet, in
the envelope the services really send; how to authenticate; where the API is; what media type
comes back. Schemathesis (tests/integration/test_openapi_fuzz.py) checks the answers agree."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.services import ServiceSpec, discover

HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


def document(spec: ServiceSpec) -> dict[str, Any]:
    doc: dict[str, Any] = spec.module("app").create_app().openapi()
    return doc


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


@pytest.mark.parametrize("spec", discover(), ids=lambda s: s.name)
def test_every_operation_documents_its_errors_in_the_envelope(spec: ServiceSpec) -> None:
    doc = document(spec)
    assert "HTTPValidationError" not in json.dumps(doc), "FastAPI's 422 is not what we send"
    for path, method, operation in operations(doc):
        for status in ("400", "401", "403", "404", "409", "422", "503"):
            response = operation["responses"].get(status)
            assert response, f"{method.upper()} {path} does not document {status}"
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, status)


# The services behind the gateway take its internal token; the gateway takes members'
# sessions and nodes their keys (its own document is checked in tests/contract/test_gateway_api.py).
BEHIND_THE_GATEWAY = [spec for spec in discover() if spec.name != "gateway"]


@pytest.mark.parametrize("spec", BEHIND_THE_GATEWAY, ids=lambda s: s.name)
def test_the_document_says_where_and_how_to_call(spec: ServiceSpec) -> None:
    doc = document(spec)
    assert doc["servers"]
    assert doc["servers"][0]["url"]
    schemes = doc["components"]["securitySchemes"]
    assert (
        schemes["internal_token"].items()
        >= {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}.items()
    )
    secured = [op for _, _, op in operations(doc) if op.get("security")]
    assert secured, "no operation declares how it is authenticated"
    for requirement in (r for op in secured for r in op["security"]):
        assert set(requirement) <= set(schemes)


def test_node_keys_and_calendar_feeds_are_documented_as_such() -> None:
    events = next(spec for spec in discover() if spec.name == "events")
    doc = document(events)
    schemes = doc["components"]["securitySchemes"]
    assert (
        schemes["node_key"].items()
        >= {"type": "apiKey", "in": "header", "name": "X-Node-Key"}.items()
    )
    assert schemes["calendar_feed_token"]["in"] == "query"
    assert doc["paths"]["/v1/node/submissions"]["post"]["security"] == [{"node_key": []}]
    calendars = [
        operation
        for path, method, operation in operations(doc)
        if path.endswith(".ics") and method == "get"
    ]
    assert calendars
    for operation in calendars:
        assert "text/calendar" in operation["responses"]["200"]["content"]


def string_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf", [schema])
    return [option for option in options if option.get("type") == "string"]


@pytest.mark.parametrize("spec", discover(), ids=lambda s: s.name)
def test_no_query_or_header_parameter_takes_an_empty_string(spec: ServiceSpec) -> None:
    """`region=` or `cursor=` means nothing: the schema says so, so the service refuses it."""
    loose = []
    for path, method, operation in operations(document(spec)):
        for parameter in operation.get("parameters", []):
            for schema in string_schemas(parameter["schema"]):
                if "enum" in schema or schema.get("format") == "date-time":
                    continue
                if schema.get("minLength", 0) < 1 and parameter["in"] != "path":
                    loose.append(f"{method.upper()} {path} {parameter['name']}")
    assert not loose


@pytest.mark.parametrize("spec", discover(), ids=lambda s: s.name)
def test_every_document_names_its_licence(spec: ServiceSpec) -> None:
    assert document(spec)["info"]["license"] == {"name": "MIT", "identifier": "MIT"}
