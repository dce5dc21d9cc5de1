"""Regional nodes route the platform's events by the CloudEvents `region` extension, so every
fact says which region it concerns: each fact type declares `region` (None only when the fact
is national or concerns no region), its example shows one, and the outbox puts it on the
event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.clock import ManualClock
from shared.cloudevents import Fact
from shared.outbox import facts_outbox
from tools.contracts import published_events

FACTS = published_events()


@pytest.mark.parametrize("model", FACTS, ids=lambda m: m.event_type)
def test_every_fact_says_which_region_it_concerns(model: type[Fact]) -> None:
    assert "region" in model.model_fields, f"{model.__name__} has no region"
    assert any(example.get("region") for example in model.examples()), "show one in the example"


@pytest.mark.parametrize("model", FACTS, ids=lambda m: m.event_type)
def test_the_outbox_carries_the_fact_region_as_the_event_region(model: type[Fact]) -> None:
    example = next(e for e in model.examples() if e.get("region"))
    fact = model.model_validate(example)
    (entry,) = facts_outbox(
        [(fact, "key")],
        source="/services/test",
        clock=ManualClock(datetime(2027, 1, 12, tzinfo=UTC)),
    )
    assert entry["event"]["region"] == example["region"]
