"""The gateway's typed clients against the services' committed OpenAPI documents: every
operation a client names exists there with that method, sends only the query parameters the
document declares, and reads and writes the models the document names (the models themselves
are generated from the documents; test_contracts_drift.py keeps them current). So a service
that renames a path, a parameter or a schema fails here, not in a page."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import string
from types import UnionType
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

import services.gateway.clients as clients_package
from services.gateway.clients.operations import OPERATIONS, Operation
from tools.contracts import CONTRACTS_DIR

for module in pkgutil.iter_modules(clients_package.__path__):
    importlib.import_module(f"services.gateway.clients.{module.name}")


def document(service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CONTRACTS_DIR / "openapi" / f"{service}.json").read_text())
    return loaded


def schema_name(schema: dict[str, Any]) -> str:
    """A schema's name as the generator names its class (Page_MemberView_ is PageMemberView)."""
    ref = str(schema.get("$ref", "")).rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9]", "", ref)


def answer_shape(schema: dict[str, Any]) -> Any:
    """What a document's answer schema is, in the terms a client's answer type is compared in."""
    if "$ref" in schema:
        return schema_name(schema)
    if "anyOf" in schema:  # an answer that may be null: one schema or null
        shapes = [answer_shape(s) for s in schema["anyOf"]]
        others = [s for s in shapes if s != "null"]
        if len(others) == 1 and len(shapes) == 2:
            return ("optional", others[0])
        return ("union", tuple(shapes))
    if schema.get("type") == "array":
        return ("list", answer_shape(schema["items"]))
    if schema.get("type") == "object":
        return ("dict", schema.get("additionalProperties", {}).get("type"))
    return schema.get("type")


def type_shape(answer: Any) -> Any:
    if answer is type(None):
        return None
    if answer is bytes:
        return "bytes"
    if isinstance(answer, type) and issubclass(answer, BaseModel):
        return answer.__name__
    origin, args = get_origin(answer), get_args(answer)
    if origin in (Union, UnionType) and type(None) in args:
        (other,) = [a for a in args if a is not type(None)]
        return ("optional", type_shape(other))
    if origin is list:
        return ("list", type_shape(args[0]))
    if origin is dict:
        return ("dict", {str: "string", int: "integer"}[args[1]])
    raise AssertionError(f"no shape for {answer!r}")


def described(op: Operation[Any]) -> str:
    return f"{op.service} {op.method} {op.path}"


def test_the_gateway_names_operations_of_every_service() -> None:
    assert {op.service for op in OPERATIONS} >= {"membership"}


@pytest.mark.parametrize("op", OPERATIONS, ids=described)
def test_every_operation_is_the_documented_one(op: Operation[Any]) -> None:
    doc = document(op.service)
    item = doc["paths"].get(op.path)
    assert item is not None, f"{op.service} documents no {op.path}"
    found = item.get(op.method.lower())
    assert found is not None, f"{op.service} has no {op.method} {op.path}"

    declared = {p["name"] for p in found.get("parameters", []) if p["in"] == "query"}
    assert op.query <= declared, f"undeclared query parameters {sorted(op.query - declared)}"
    in_path = {p["name"] for p in found.get("parameters", []) if p["in"] == "path"}
    named = {name for _, name, _, _ in string.Formatter().parse(op.path) if name}
    assert named == in_path

    body = found.get("requestBody", {}).get("content", {}).get("application/json", {})
    if op.body is None:
        assert not body.get("schema", {}).get("$ref"), "the operation takes a body"
    else:
        assert schema_name(body["schema"]) == op.body.__name__

    answers = {code: r for code, r in found["responses"].items() if code.startswith("2")}
    (answer,) = answers.values()
    content = answer.get("content", {})
    if "application/json" in content:
        expected = answer_shape(content["application/json"]["schema"])
    else:  # a calendar file, or nothing (204)
        expected = "bytes" if content else None
    assert type_shape(op.answer_type) == expected
