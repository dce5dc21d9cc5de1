"""Reading a record: once, straight into the reader model of a type the consumer reads; a
reader's refusal named by its field; any other type, binary mode and what is not a
CloudEvent read as before."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import ValidationError

from shared.cloudevents import CloudEvent, ReaderModel
from shared.reading import DataRejected, RecordReader
from tests.unit.records import record

T = "uk.nhs.knet.thing.happened.v1"


class Thing(ReaderModel):
    n: int


def event(event_type: str, data: dict[str, object]) -> bytes:
    made = CloudEvent(
        id="e1", source="/t", type=event_type, subject="s", time=datetime.now(UTC), data=data
    )
    return made.to_json()


def test_a_type_read_here_comes_with_its_reader_and_nothing_else_of_its_data() -> None:
    reader = RecordReader({T: Thing})
    _, read = reader.read(record(event(T, {"n": 3, "bio": "long text " * 50})))
    assert isinstance(read, CloudEvent)
    data: object = read.data  # the reader model, where a plain CloudEvent has a dict
    assert data == Thing(n=3)
    assert (read.id, read.type, read.subject) == ("e1", T, "s")


def test_a_readers_refusal_names_its_field() -> None:
    _, read = RecordReader({T: Thing}).read(record(event(T, {"n": "three"})))
    assert isinstance(read, DataRejected)
    assert read.type == T
    assert read.error.startswith("n: ")


def test_another_type_is_read_as_a_plain_cloudevent() -> None:
    _, read = RecordReader({T: Thing}).read(record(event("uk.nhs.knet.other.v1", {"x": 1})))
    assert isinstance(read, CloudEvent)
    assert read.data == {"x": 1}


def test_what_is_not_a_cloudevent_is_refused_whatever_its_type() -> None:
    reader = RecordReader({T: Thing})
    for value in (b"{not json", b'{"type": "' + T.encode() + b'"}', b"{}"):
        _, read = reader.read(record(value))
        assert isinstance(read, ValidationError), value
