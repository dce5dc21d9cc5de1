"""What the conversations repositories share: where their facts say they come from, and
how a write carries its facts in the outbox, keyed by the thread."""

from __future__ import annotations

from typing import Any

from shared.clock import Clock
from shared.cloudevents import Fact, make_event
from shared.outbox import outbox_entries

SOURCE = "/services/conversations"


def outbox_for(facts: list[Any], subject: str, clock: Clock) -> list[dict[str, Any]]:
    return outbox_entries(
        (
            make_event(
                f, source=SOURCE, subject=subject, region=getattr(f, "region", None), clock=clock
            ),
            f.topic,
        )
        for f in facts
        if isinstance(f, Fact)
    )
