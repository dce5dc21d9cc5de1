"""contracts/: what the publishing services' event models generate, for readers and producers
that are not Python (regional nodes): one JSON Schema per event type and an AsyncAPI 3
document. `knet contracts` writes them; a test fails when the committed files drift."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from shared import topics
from shared.cloudevents import CloudEvent, Fact
from shared.services import discover
from shared.settings import REPO_ROOT

CONTRACTS_DIR = REPO_ROOT / "contracts"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def published_events() -> list[type[Fact]]:
    """Every fact model declared in a publishing service's `facts` module."""
    found: dict[str, type[Fact]] = {}
    for spec in discover():
        if not spec.publishes:
            continue
        for value in vars(spec.module("facts")).values():
            if isinstance(value, type) and issubclass(value, Fact) and "event_type" in vars(value):
                found[value.event_type] = value
    return [found[k] for k in sorted(found)]


def event_schema(model: type[Fact]) -> dict[str, Any]:
    envelope = CloudEvent.model_json_schema()
    data = model.model_json_schema()
    definitions = {**envelope.pop("$defs", {}), **data.pop("$defs", {})}
    definitions[model.__name__] = data
    envelope["properties"]["type"] = {"const": model.event_type, "type": "string"}
    envelope["properties"]["data"] = {"$ref": f"#/$defs/{model.__name__}"}
    envelope["required"] = sorted({*envelope.get("required", []), "data", "subject"})
    envelope["additionalProperties"] = True
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": model.schema_uri(),
        "title": model.event_type,
        "description": (model.__doc__ or "").strip(),
        **{k: v for k, v in envelope.items() if k not in ("title", "description")},
        "$defs": definitions,
    }


def asyncapi_document(models: list[type[Fact]]) -> dict[str, Any]:
    by_topic: dict[str, list[type[Fact]]] = defaultdict(list)
    for model in models:
        by_topic[model.topic].append(model)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in sorted(by_topic):
        channel_id = topic.replace(".", "_").replace("-", "_")
        refs = {}
        for model in by_topic[topic]:
            messages[model.event_type] = {
                "name": model.event_type,
                "title": model.__name__,
                "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
                "contentType": "application/cloudevents+json",
                "payload": {"$ref": f"./schemas/{model.event_type}.json"},
                "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
            }
            refs[model.event_type] = {"$ref": f"#/components/messages/{model.event_type}"}
        channels[channel_id] = {"address": topic, "messages": refs}
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [
                {"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in sorted(refs)
            ],
        }
    channels["knet_dlq_v1"] = {
        "address": topics.DEAD_LETTERS,
        "description": "Messages a consumer could not handle, unchanged, with knet-dlq-* headers",
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "KM Network events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (structured JSON) on Kafka. Key = aggregate id.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"local": {"host": "127.0.0.1:9092", "protocol": "kafka"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> dict[str, str]:
    """Relative path -> file text for everything under contracts/."""
    models = published_events()
    files = {f"schemas/{m.event_type}.json": _dump(event_schema(m)) for m in models}
    files["asyncapi.json"] = _dump(asyncapi_document(models))
    return files


def write() -> list[str]:
    files = render()
    schemas = CONTRACTS_DIR / "schemas"
    schemas.mkdir(parents=True, exist_ok=True)
    for stale in schemas.glob("*.json"):
        if f"schemas/{stale.name}" not in files:
            stale.unlink()
    for relative, text in files.items():
        (CONTRACTS_DIR / relative).write_text(text)
    return sorted(files)


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
