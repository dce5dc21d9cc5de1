"""Text a member or a node supplies carries no control characters (NUL, BEL, escape sequences,
DEL, C1): they break logs, terminals, e-mail headers and other readers. Tab, line feed and
carriage return are text. One rule, used by every request body (shared/requests.py) and by the
regional-node submissions (services/events/domain/submission.py)."""

from __future__ import annotations

import re
from typing import Any

_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
# The same rule as a JSON Schema (ECMA-262) pattern, so the OpenAPI documents state it.
WITHOUT_CONTROL_CHARACTERS = f"^[^{_CONTROLS}]*$"


def control_characters_in(value: Any, where: str = "") -> list[str]:
    """The paths (`field.0.name`) of every string in `value` that holds a control character."""
    if isinstance(value, str):
        return [where or "value"] if _CONTROL.search(value) else []
    if isinstance(value, dict):
        return [
            path
            for k, v in value.items()
            for path in control_characters_in(v, f"{where}.{k}".lstrip("."))
        ]
    if isinstance(value, list):
        return [
            path
            for i, v in enumerate(value)
            for path in control_characters_in(v, f"{where}.{i}".lstrip("."))
        ]
    return []


# An absolute web address, without spaces or control characters (a webhook's, a link's).
WEB_ADDRESS = rf"^https?://[^\s{_CONTROLS}]+$"
