"""Every consumer's reading of an event accepts the producer's examples (tolerant reader); every
field a reader declares is one the producer writes, so that renaming or dropping a field
fails here even where the reader has a default for it; and a consumer reads no type that
nobody publishes, except those listed below with the issue that will bring their producer."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import services
from tools.contracts import published_events

# Read before their producer exists; remove a line when its service lands.
AWAITING_PRODUCER: dict[str, str] = {}


def all_readers() -> list[tuple[str, str, Any]]:
    found = []
    for module_info in pkgutil.iter_modules(services.__path__):
        try:
            app_module = importlib.import_module(f"services.{module_info.name}.app")
        except ModuleNotFoundError:
            continue
        app = app_module.create_app()
        for consumer in app.state.consumers:
            for event_type, model in consumer.readers.items():
                found.append((consumer.group, event_type, model))
    return found


def test_readers_accept_the_producers_examples() -> None:
    producers = {model.event_type: model for model in published_events()}
    unproduced = set()
    for _group, event_type, reader in all_readers():
        producer = producers.get(event_type)
        if producer is None:
            unproduced.add(event_type)
            continue
        examples = producer.examples()
        assert examples, f"{producer.__name__} has no example"
        for example in examples:
            reader.model_validate(producer.model_validate(example).model_dump(mode="json"))
    assert unproduced == set(AWAITING_PRODUCER), "update AWAITING_PRODUCER"


def test_every_producer_example_is_valid_for_its_own_model() -> None:
    for model in published_events():
        for example in model.examples():
            model.model_validate(example)


def test_every_field_a_reader_declares_is_one_its_producer_writes() -> None:
    producers = {model.event_type: model for model in published_events()}
    unwritten = {
        (group, event_type, name)
        for group, event_type, reader in all_readers()
        if event_type in producers
        for name in reader.model_fields
        if name not in producers[event_type].model_fields
    }
    assert unwritten == set()
