"""What the conversations repositories share: where their facts say they come from, and
how a write carries its facts in the outbox, keyed by the thread."""

from __future__ import annotations

from typing import Any

from shared.clock import Clock
from shared.cloudevents import Fact
from shared.outbox import facts_outbox

SOURCE = "/services/conversations"


def outbox_for(facts: list[Any], subject: str, clock: Clock) -> list[dict[str, Any]]:
    found = ((f, subject) for f in facts if isinstance(f, Fact))
    return facts_outbox(found, source=SOURCE, clock=clock)
