"""Where a fact's notification goes: its audiences, its words, and who is left out. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.notifications.domain.audiences import Audience
from services.notifications.domain.messages import Message


@dataclass(frozen=True)
class Route:
    audiences: tuple[Audience, ...]
    message: Message
    # The one who caused it hears nothing of their own act.
    exclude: frozenset[str] = field(default_factory=frozenset)


# A rule reads its fact through the type's reader model (readers.READERS); typed per rule, so
# the table's values take any of them (tests/unit/notifications/test_rules.py pairs them).
Rule = Callable[[Any], Route | None]
