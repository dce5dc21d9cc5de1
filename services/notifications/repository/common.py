"""What the notifications repositories share: the source of the facts they keep in outboxes."""

from __future__ import annotations

from typing import Any

from shared.clock import Clock
from shared.cloudevents import Fact
from shared.outbox import facts_outbox

SOURCE = "/services/notifications"


def outbox_for(facts: list[tuple[Fact, str]], clock: Clock) -> list[dict[str, Any]]:
    """Outbox entries for facts, each with its subject (the Kafka key)."""
    return facts_outbox(facts, source=SOURCE, clock=clock)
