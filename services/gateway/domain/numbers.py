"""Numbers as people type them into forms."""

from __future__ import annotations

import re

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(text: str | None) -> int | None:
    """A form's whole number, or None when the field holds something else. The one way every
    form reads a number: ASCII digits only (`str.isdigit` also takes "²", which `int`
    refuses) and at most nine of them (a 5,000-digit number is too long for `int` to read)."""
    text = (text or "").strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None
