"""How a consumer reads a Kafka record: as a CloudEvent (structured or binary mode), once,
straight into the reader model of its type when the consumer reads that type; what it cannot
read, with the words a dead letter says it in. Pure: no broker, no store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, Union

from aiokafka import ConsumerRecord
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model

from shared.cloudevents import CloudEvent

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class DataRejected:
    """A record of a type read here whose data its reader model rejects."""

    type: str
    error: str


Parsed = tuple[ConsumerRecord[bytes, bytes], CloudEvent | ValidationError | DataRejected]


def envelopes(readers: dict[str, type[BaseModel]]) -> TypeAdapter[Any]:
    """One validator for every type read here: a CloudEvent whose `type` picks its reader
    model as the type of `data` (pydantic's tagged union finds the type first)."""
    typed: list[Any] = []
    for event_type, model in readers.items():
        literal: Any = Literal[event_type]  # a type made at run time, one per event type
        typed.append(
            create_model(
                f"{model.__name__}Event",
                __base__=CloudEvent,
                type=(literal, ...),
                data=(model, ...),
            )
        )
    if not typed:
        return TypeAdapter(CloudEvent)
    # A union needs two members: a type no record has stands beside a lone one.
    members: Any = Union[tuple(typed if len(typed) > 1 else [*typed, _Never])]  # noqa: UP007
    tagged: Any = Annotated[members, Field(discriminator="type")]
    adapter: TypeAdapter[Any] = TypeAdapter(tagged)
    return adapter


class _Never(CloudEvent):
    """No record has this type."""

    type: Literal["uk.nhs.knet.never.v0"]


def data_of(event: CloudEvent, model: type[M]) -> M:
    """The event's data in its reader model: parsed so already, or read from its dict."""
    data: Any = event.data
    return data if isinstance(data, model) else model.model_validate(data)


def parse(record: ConsumerRecord[bytes, bytes]) -> Parsed:
    try:
        return record, CloudEvent.from_kafka(record.value or b"", record.headers or ())
    except ValidationError as exc:
        return record, exc


def first_error(exc: ValidationError, skip: int = 0) -> str:
    """`skip`: leading parts of the place to leave out (a tagged union's type and `data`)."""
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())[skip:])
    return f"{where}: {first.get('msg')} ({len(errors)} error(s))"


def _binary(headers: Sequence[tuple[str, bytes]]) -> bool:
    """Whether the CloudEvent's attributes are in the headers (a plain loop, run per record:
    `any()` over a generator makes a generator each time)."""
    for name, _ in headers:  # noqa: SIM110 (see above)
        if name[:3].lower() == "ce_":
            return True
    return False


class RecordReader:
    """Reads records for a consumer that reads `readers` (event type -> reader model): a
    structured record of one of those types is parsed once, straight into its reader model
    (its other fields are never made into Python objects); any other record as a plain
    CloudEvent, its data a dict."""

    def __init__(self, readers: dict[str, type[BaseModel]]) -> None:
        # The adapter's core validator itself: TypeAdapter.validate_json's checks around it
        # cost a tenth as much again per record.
        self._validate_json = envelopes(readers).validator.validate_json

    def read(self, record: ConsumerRecord[bytes, bytes]) -> Parsed:
        if record.headers and _binary(record.headers):
            return parse(record)  # binary mode: the attributes are in the headers
        try:
            return record, self._validate_json(record.value or b"")
        except ValidationError as exc:
            first = exc.errors()[0]
            if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
                return parse(record)  # a type read here by no one, or no type: as before
            if first["loc"][1:2] == ("data",):
                return record, DataRejected(str(first["loc"][0]), first_error(exc, skip=2))
            return record, exc
