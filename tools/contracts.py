"""contracts/: what the services' models generate, for readers and producers that are not
Python (regional nodes) and for the gateway's typed clients: one JSON Schema per event type,
an AsyncAPI 3 document, and each domain service's OpenAPI document (`openapi/<name>.json`,
from which services/gateway/clients/models/ is generated). `knet contracts` writes them all;
a test fails when the committed files drift."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from shared import deadletter, topics
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
    envelope["required"] = sorted({*envelope.get("required", []), "data", "specversion", "subject"})
    envelope["additionalProperties"] = True
    for attribute in envelope["properties"].values():
        if "default" in attribute and attribute["default"] is None:
            del attribute["default"]  # left out when absent, never null
    # CloudEvents attribute (and extension) names: lower-case letters and digits, at most 20.
    envelope["propertyNames"] = {"pattern": "^[a-z0-9]{1,20}$"}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": model.schema_uri(),
        "title": model.event_type,
        "description": (model.__doc__ or "").strip(),
        **{k: v for k, v in envelope.items() if k not in ("title", "description")},
        "$defs": definitions,
    }


SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
KAFKA_HEADERS = {
    "type": "object",
    "properties": {"content-type": {"const": "application/cloudevents+json"}},
    "required": ["content-type"],
    "description": "Structured content mode of the CloudEvents Kafka binding: no ce_ headers",
}
DEAD_LETTER_HEADERS = {
    "type": "object",
    "properties": {
        name: {"type": "string"}
        for name in (
            deadletter.REASON,
            deadletter.ERROR,
            deadletter.ORIGINAL_TOPIC,
            deadletter.ORIGINAL_PARTITION,
            deadletter.ORIGINAL_OFFSET,
            deadletter.ATTEMPTS,
            deadletter.CONSUMER_GROUP,
            deadletter.FAILED_AT,
        )
    },
    "required": [deadletter.REASON, deadletter.ORIGINAL_TOPIC, deadletter.CONSUMER_GROUP],
}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_").replace("-", "_")


def asyncapi_document(
    models: list[type[Fact]], received: dict[str, set[str]] | None = None
) -> dict[str, Any]:
    """`received`: topic -> the fact types some service consumes from it."""
    received = received or {}
    by_topic: dict[str, list[type[Fact]]] = defaultdict(list)
    for model in models:
        by_topic[model.topic].append(model)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in sorted(by_topic):
        channel_id = _channel_id(topic)
        refs = {}
        for model in by_topic[topic]:
            messages[model.event_type] = {
                "name": model.event_type,
                "title": model.__name__,
                "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
                "contentType": "application/cloudevents+json",
                "payload": {
                    "schemaFormat": SCHEMA_FORMAT,
                    "schema": {"$ref": f"./schemas/{model.event_type}.json"},
                },
                "headers": KAFKA_HEADERS,
                "bindings": {
                    "kafka": {
                        "key": {
                            "type": "string",
                            "description": "the aggregate id (the CloudEvent's subject)",
                        },
                        "bindingVersion": "0.5.0",
                    }
                },
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
        if consumed := sorted(received.get(topic, set()) & set(refs)):
            operations[f"receive_{channel_id}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": [
                    {"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in consumed
                ],
            }
    dlq = _channel_id(topics.DEAD_LETTERS)
    messages["dead_letter"] = {
        "name": "dead_letter",
        "title": "A message a consumer could not handle",
        "summary": "The original record, unchanged, with the knet-dlq-* headers saying why",
        "headers": DEAD_LETTER_HEADERS,
        "payload": {"description": "the original record's value, as it came"},
    }
    channels[dlq] = {
        "address": topics.DEAD_LETTERS,
        "description": "Messages a consumer could not handle, unchanged, with knet-dlq-* headers",
        "messages": {"dead_letter": {"$ref": "#/components/messages/dead_letter"}},
    }
    operations[f"publish_{dlq}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{dlq}"},
        "messages": [{"$ref": f"#/channels/{dlq}/messages/dead_letter"}],
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "KM Network events",
            "version": "1.0.0",
            "description": (
                "CloudEvents 1.0 on Kafka, structured content mode "
                "(content-type: application/cloudevents+json). Key = aggregate id. The platform "
                "also reads binary mode on the topics it consumes."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"local": {"host": "127.0.0.1:9092", "protocol": "kafka"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def received_types() -> dict[str, set[str]]:
    """Topic -> the fact types the platform's consumers read from it."""
    found: dict[str, set[str]] = defaultdict(set)
    for spec in discover():
        app = spec.module("app").create_app()
        for consumer in app.state.consumers:
            for topic in consumer.topics:
                found[topic] |= set(consumer.readers)
    return found


def render() -> dict[str, str]:
    """Relative path -> file text for everything under contracts/."""
    models = published_events()
    files = {f"schemas/{m.event_type}.json": _dump(event_schema(m)) for m in models}
    files["asyncapi.json"] = _dump(asyncapi_document(models, received_types()))
    for name, document in http_documents().items():
        files[f"openapi/{name}.json"] = _dump(document)
    return files


def http_documents() -> dict[str, dict[str, Any]]:
    """Each domain service's OpenAPI document, as the gateway's clients are made from it."""
    return {
        spec.name: spec.module("app").create_app().openapi()
        for spec in discover()
        if spec.name != "gateway"
    }


def write() -> list[str]:
    files = render()
    for folder in ("schemas", "openapi"):
        (CONTRACTS_DIR / folder).mkdir(parents=True, exist_ok=True)
        for stale in (CONTRACTS_DIR / folder).glob("*.json"):
            if f"{folder}/{stale.name}" not in files:
                stale.unlink()
    for relative, text in files.items():
        (CONTRACTS_DIR / relative).write_text(text)
    return sorted(files)


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


CLIENT_MODELS_DIR = REPO_ROOT / "services" / "gateway" / "clients" / "models"
_GENERATED = (
    '"""Generated by `knet contracts` from contracts/openapi/{name}.json with\n'
    "datamodel-code-generator: the {name} service's request and answer models, as its\n"
    'document states them. Do not edit; a test fails when this drifts."""\n'
)


def client_models() -> dict[str, str]:
    """Module name -> the pydantic models of one service's OpenAPI document."""
    # A development tool, imported only when generating.
    from datamodel_code_generator import InputFileType, LiteralType, generate
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import DatetimeClassType, Formatter, PythonVersion

    found = {}
    for name, document in http_documents().items():
        code = generate(
            json.dumps(document),
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            use_annotated=True,
            use_standard_collections=True,
            use_union_operator=True,
            collapse_root_models=True,
            enum_field_as_literal=LiteralType.All,
            output_datetime_class=DatetimeClassType.Datetime,
            use_double_quotes=True,
            disable_timestamp=True,
            keep_model_order=True,
            formatters=[Formatter.RUFF_FORMAT],
            custom_file_header=_GENERATED.format(name=name),
        )
        assert isinstance(code, str)
        found[f"{name}.py"] = code
    return found


def write_client_models() -> list[str]:
    CLIENT_MODELS_DIR.mkdir(parents=True, exist_ok=True)
    found = client_models()
    for name, code in found.items():
        (CLIENT_MODELS_DIR / name).write_text(code)
    return sorted(found)
