from datetime import UTC, datetime
from typing import ClassVar

import jsonschema
import pytest
from pydantic import ValidationError

from shared.clock import ManualClock
from shared.cloudevents import CloudEvent, Fact, ReaderModel, make_event
from tools.contracts import event_schema


class ThingHappened(Fact):
    """A thing happened."""

    event_type: ClassVar[str] = "uk.nhs.knet.thing.happened.v1"
    topic: ClassVar[str] = "knet.things.v1"
    thing_id: str
    count: int


def test_envelope_round_trips_through_json() -> None:
    clock = ManualClock(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    event = make_event(
        ThingHappened(thing_id="t1", count=2),
        source="/services/things",
        subject="t1",
        region="LDN",
        clock=clock,
    )
    again = CloudEvent.from_json(event.to_json())
    assert again == event
    assert again.specversion == "1.0"
    assert again.type == "uk.nhs.knet.thing.happened.v1"
    assert again.time == clock.now()
    assert again.region == "LDN"
    assert again.traceparent is not None
    assert len(again.traceparent.split("-")) == 4
    assert again.data_as(ThingHappened) == ThingHappened(thing_id="t1", count=2)


def test_unknown_extensions_are_kept_and_reader_ignores_extra_fields() -> None:
    raw = (
        b'{"specversion":"1.0","id":"1","source":"/x","type":"t","time":"2026-01-01T00:00:00Z",'
        b'"data":{"thing_id":"a","count":1,"new_field":true},"partitionkey":"a"}'
    )
    event = CloudEvent.from_json(raw)
    assert event.model_extra == {"partitionkey": "a"}

    class ThingReader(ReaderModel):
        thing_id: str

    assert event.data_as(ThingReader).thing_id == "a"


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"specversion":"1.0","source":"/x","type":"t","time":"2026-01-01T00:00:00Z","data":{}}',
        b'{"specversion":"0.3","id":"1","source":"/x","type":"t","time":"2026-01-01T00:00:00Z","data":{}}',
    ],
)
def test_malformed_envelopes_are_rejected(raw: bytes) -> None:
    with pytest.raises(ValidationError):
        CloudEvent.from_json(raw)


def test_published_event_validates_against_its_generated_schema() -> None:
    event = make_event(ThingHappened(thing_id="t1", count=2), source="/s", subject="t1")
    schema = event_schema(ThingHappened)
    jsonschema.validate(event.model_dump(mode="json", exclude_none=True), schema)

    wrong = event.model_dump(mode="json")
    wrong["data"]["count"] = "many"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, schema)
    wrong_type = event.model_dump(mode="json", exclude_none=True) | {"type": "other"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong_type, schema)


def test_producer_models_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        ThingHappened(thing_id="t", count=1, extra="no")  # type: ignore[call-arg]


def test_both_content_modes_of_the_kafka_binding_are_read() -> None:
    structured = CloudEvent(
        id="e1", source="/regions/LDN", type="t.v1", time="2027-01-01T00:00:00Z", data={"a": 1}
    )
    assert CloudEvent.from_kafka(structured.to_json(), [("content-type", b"x")]) == structured
    binary = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"e1"),
        ("ce_source", b"/regions/LDN"),
        ("ce_type", b"t.v1"),
        ("ce_time", b"2027-01-01T00:00:00Z"),
        ("content-type", b"application/json; charset=utf-8"),
    ]
    assert CloudEvent.from_kafka(b'{"a": 1}', binary) == structured
    with pytest.raises(ValidationError):
        CloudEvent.from_kafka(b'{"a": ', binary)
    with pytest.raises(ValidationError):
        CloudEvent.from_kafka(b"a,b", [*binary[:-1], ("content-type", b"text/csv")])
    with pytest.raises(ValidationError):
        CloudEvent.from_kafka(b'{"a": 1}', [*binary[1:], ("ce_id", b"")])
