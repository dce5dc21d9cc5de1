"""CloudEvents 1.0 envelope with the `region` and `traceparent` extensions. The platform
produces structured JSON mode (Kafka `content-type: application/cloudevents+json`, no `ce_`
headers); it reads both modes, since a node's CloudEvents SDK sends binary mode by default.

Services own the models of the facts they publish (subclasses of `Fact` in
`services/<name>/facts.py`); this module only knows the envelope around them.
"""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import SkipJsonSchema

from shared.clock import Clock, SystemClock, new_id

TYPE_PREFIX = "uk.nhs.knet."
# `dataschema` is an absolute URI (CloudEvents requires one); contracts/ names each schema so.
SCHEMA_BASE = "urn:uk:nhs:knet:schema:"
STRUCTURED = "application/cloudevents+json"
M = TypeVar("M", bound=BaseModel)


class Fact(BaseModel):
    """Base of every published event's `data`. Producers are strict about what they write."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]

    @classmethod
    def schema_uri(cls) -> str:
        return f"{SCHEMA_BASE}{cls.event_type}"

    @classmethod
    def examples(cls) -> list[dict[str, Any]]:
        """The examples declared in `json_schema_extra` (contracts and contract tests)."""
        extra = cls.model_config.get("json_schema_extra")
        found = extra.get("examples", []) if isinstance(extra, dict) else []
        return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


class ReaderModel(BaseModel):
    """Base of a consumer's view of an event's `data`: tolerant of fields it does not read,
    and declaring every field it does (tests/contract/test_readers_accept_producers.py holds
    each to what its producer writes)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, description="Unique per event; consumers dedupe on it")
    source: str = Field(
        min_length=1,
        examples=["/services/membership", "/regions/LDN"],
        json_schema_extra={"format": "uri-reference"},
    )
    type: str = Field(min_length=1, examples=["uk.nhs.knet.member.approved.v1"])
    # Optional attributes are left out when absent, never null: the schema says so.
    subject: str | SkipJsonSchema[None] = Field(
        default=None, description="The aggregate id; also the Kafka key"
    )
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | SkipJsonSchema[None] = Field(
        default=None, json_schema_extra={"format": "uri"}
    )
    data: dict[str, Any]
    region: str | SkipJsonSchema[None] = Field(
        default=None, description="Extension: the region code it concerns"
    )
    traceparent: str | SkipJsonSchema[None] = Field(
        default=None, description="Extension: W3C trace context"
    )

    def data_as(self, model: builtins.type[M]) -> M:
        return model.model_validate(self.data)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate_json(raw)

    @classmethod
    def from_kafka(cls, value: bytes, headers: Sequence[tuple[str, bytes]]) -> CloudEvent:
        """A record in either content mode of the Kafka protocol binding: binary when it
        carries `ce_` headers (the attributes there, the data in the value), else structured."""
        attributes = {
            name[3:]: raw.decode() for name, raw in headers if name.lower().startswith("ce_")
        }
        if not attributes:
            return cls.from_json(value)
        content_type = next(
            (raw.decode() for name, raw in headers if name.lower() == "content-type"),
            "application/json",
        )
        try:
            data = json.loads(value) if value else {}
        except ValueError as exc:
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    {
                        "type": "json_invalid",
                        "loc": ("data",),
                        "input": value[:100],
                        "ctx": {"error": str(exc)},
                    }
                ],
            ) from exc
        return cls.model_validate(
            {**attributes, "datacontenttype": content_type.split(";")[0].strip(), "data": data}
        )


# The trace the current request or handled event belongs to: events made while it is set
# continue that trace (W3C traceparent), so one trace id follows a change across services.
current_traceparent: ContextVar[str | None] = ContextVar("knet_traceparent", default=None)


def new_traceparent() -> str:
    return f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01"


def make_event(
    data: Fact,
    *,
    source: str,
    subject: str,
    region: str | None = None,
    traceparent: str | None = None,
    clock: Clock | None = None,
) -> CloudEvent:
    return CloudEvent(
        id=new_id(),
        source=source,
        type=data.event_type,
        subject=subject,
        time=(clock or SystemClock()).now(),
        dataschema=data.schema_uri(),
        data=data.model_dump(mode="json"),
        region=region,
        traceparent=traceparent or current_traceparent.get() or new_traceparent(),
    )
