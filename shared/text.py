"""The rules for text a member or a node supplies, one place for every reader:

- **No control characters** anywhere (NUL, BEL, escape sequences, DEL, C1): they break logs,
  terminals, e-mail headers and other readers. Tab, line feed and carriage return are text.
- **One line** unless a field is declared to hold paragraphs: a line break in a title, an
  address or a link ends a header line in an e-mail and a property in an iCalendar file.
- **Names and titles show what they say**: no bidirectional controls (a right-to-left
  override makes "gpj.exe" read "exe.jpg") and no invisible characters (zero-width spaces and
  joiners, tag characters). These are Unicode's default-ignorable code points, which its
  identifier-security guidance (UTS #39) keeps out of identifiers.

Each rule is a JSON Schema (ECMA-262 and Python) pattern too, so the OpenAPI documents state
it and a generated client or a fuzzer knows it (shared/requests.py)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
# The same rule as a JSON Schema (ECMA-262) pattern, so the OpenAPI documents state it.
WITHOUT_CONTROL_CHARACTERS = f"^[^{_CONTROLS}]*$"

# Line feed, carriage return and Unicode's other line and paragraph separators (the C0 ones,
# vertical tab, form feed and the information separators, are controls already).
_BREAKS = r"\n\r\u2028\u2029"
WITHOUT_LINE_BREAKS = f"^[^{_CONTROLS}{_BREAKS}]*$"
_LINE_BREAK = re.compile(f"[{_BREAKS}\\x0b\\x0c\\x1c-\\x1e\\x85]")

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): bidirectional controls,
# zero-width characters, variation selectors, fillers and the tag characters.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Literal characters, not escapes, in the class: Python's `re` and Java's regex read a
# supplementary character in a class as one code point either way.
_IGNORABLE = "".join(
    re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
    for a, b in _IGNORABLE_RANGES
)
_INVISIBLE = re.compile(f"[{_IGNORABLE}]")
LABEL = f"^[^{_CONTROLS}{_BREAKS}{_IGNORABLE}]*$"

# An absolute web address, and a path on the site, without spaces, line breaks or controls.
WEB_ADDRESS = rf"^https?://[^\s{_CONTROLS}]+$"
SITE_PATH = rf"^/[^\s{_CONTROLS}]*$"


def _paths(value: Any, where: str, found: re.Pattern[str]) -> list[str]:
    if isinstance(value, str):
        return [where or "value"] if found.search(value) else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, f"{where}.{k}".lstrip("."), found)]
    if isinstance(value, list):
        return [
            p for i, v in enumerate(value) for p in _paths(v, f"{where}.{i}".lstrip("."), found)
        ]
    return []


def control_characters_in(value: Any, where: str = "") -> list[str]:
    """The paths (`field.0.name`) of every string in `value` that holds a control character."""
    return _paths(value, where, _CONTROL)


def line_breaks_in(value: Any, where: str = "") -> list[str]:
    """The paths of every string in `value` that holds a line break."""
    return _paths(value, where, _LINE_BREAK)


def invisible_characters_in(value: Any, where: str = "") -> list[str]:
    """The paths of every string in `value` that holds a bidirectional control or an
    invisible character."""
    return _paths(value, where, _INVISIBLE)


def one_line(text: str) -> str:
    """Text as one line, whitespace runs made one space: for a writer that must not fail on a
    value stored before the edge refused line breaks (an e-mail header, an iCalendar line)."""
    return " ".join(text.split())


def folded_words(text: str) -> list[str]:
    """The words of a name as a search compares them: lower case, accents folded ("Siobhán"
    is found by "siobhan"), punctuation dropped ("St. Helens" has the words st and helens)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _WORD.findall(plain.casefold())


_WORD = re.compile(r"[^\W_]+")
