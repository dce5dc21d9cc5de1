"""CloudEvents 1.0 envelope, structured JSON mode, with the `region` and `traceparent` extensions.

Services own the models of the events they publish (subclasses of `Fact` in
`services/<name>/events.py`); this module only knows the envelope around them.
"""

from __future__ import annotations

import builtins
import os
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.clock import Clock, SystemClock, new_id

TYPE_PREFIX = "uk.nhs.knet."
M = TypeVar("M", bound=BaseModel)


class Fact(BaseModel):
    """Base of every published event's `data`. Producers are strict about what they write."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]

    @classmethod
    def schema_uri(cls) -> str:
        return f"/contracts/schemas/{cls.event_type}.json"

    @classmethod
    def examples(cls) -> list[dict[str, Any]]:
        """The examples declared in `json_schema_extra` (contracts and contract tests)."""
        extra = cls.model_config.get("json_schema_extra")
        found = extra.get("examples", []) if isinstance(extra, dict) else []
        return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


class ReaderModel(BaseModel):
    """Base of a consumer's view of an event's `data`: tolerant, it reads only what it needs."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, description="Unique per event; consumers dedupe on it")
    source: str = Field(min_length=1, examples=["/services/membership", "/regions/LDN"])
    type: str = Field(min_length=1, examples=["uk.nhs.knet.member.approved.v1"])
    subject: str | None = Field(default=None, description="The aggregate id; also the Kafka key")
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    data: dict[str, Any]
    region: str | None = Field(default=None, description="Extension: the region code it concerns")
    traceparent: str | None = Field(default=None, description="Extension: W3C trace context")

    def data_as(self, model: builtins.type[M]) -> M:
        return model.model_validate(self.data)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate_json(raw)


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
