"""contracts/ is generated from the publishing services' models: fail when they drift, and
check that what is committed is what a non-Python reader can use."""

from __future__ import annotations

import json

import jsonschema

from tools.contracts import (
    CLIENT_MODELS_DIR,
    CONTRACTS_DIR,
    client_models,
    published_events,
    render,
)


def test_committed_contracts_match_the_code() -> None:
    expected = render()
    committed = {
        str(path.relative_to(CONTRACTS_DIR)): path.read_text()
        for path in CONTRACTS_DIR.rglob("*.json")
    }
    assert sorted(committed) == sorted(expected), "run `make contracts` and commit the result"
    for name, text in expected.items():
        assert committed[name] == text, f"contracts/{name} drifted: run `make contracts`"


def test_the_gateway_client_models_are_generated_from_the_committed_documents() -> None:
    committed = {
        p.name: p.read_text() for p in CLIENT_MODELS_DIR.glob("*.py") if p.stem != "__init__"
    }
    expected = client_models()
    assert sorted(committed) == sorted(expected), "run `make contracts` and commit the result"
    for name, code in expected.items():
        assert committed[name] == code, f"clients/models/{name} drifted: run `make contracts`"


def test_every_schema_is_a_valid_json_schema_and_accepts_its_examples() -> None:
    for model in published_events():
        schema = json.loads((CONTRACTS_DIR / "schemas" / f"{model.event_type}.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        for example in model.examples():
            envelope = {
                "specversion": "1.0",
                "id": "x",
                "source": "/s",
                "type": model.event_type,
                "subject": "s",
                "time": "2026-01-01T00:00:00Z",
                "data": example,
            }
            jsonschema.validate(envelope, schema)


def test_asyncapi_document_lists_every_event_on_its_topic() -> None:
    document = json.loads((CONTRACTS_DIR / "asyncapi.json").read_text())
    assert document["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in document["channels"].values()}
    assert "knet.dlq.v1" in addresses
    for model in published_events():
        assert model.topic in addresses
        assert model.event_type in document["components"]["messages"]
