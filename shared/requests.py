"""What every service's HTTP input shares: request bodies whose text follows shared/text.py
(no control characters; one line unless a field is `Paragraphs`; names and titles, `Label`,
without bidirectional or invisible characters), cursors and region codes that are never
empty, and date-times read one way (ISO 8601; without an offset, UTC; never a bare number)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, get_args

from fastapi import Depends, Path, Query, Request
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from shared.caller import ROLES
from shared.errors import Invalid
from shared.reference import region_codes
from shared.text import (
    LABEL,
    WITHOUT_CONTROL_CHARACTERS,
    WITHOUT_LINE_BREAKS,
    control_characters_in,
    invisible_characters_in,
    line_breaks_in,
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# The gateway serves the member API under /api and says so in this header (it never forwards
# a client's own), so that a path a service answers with works where the caller called it.
FORWARDED_PREFIX = "x-forwarded-prefix"
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)*")


async def served_at(request: Request) -> str:
    """The path prefix the caller reached this service under ("" when called directly)."""
    prefix = request.headers.get(FORWARDED_PREFIX, "")
    return prefix if _PREFIX.fullmatch(prefix) else ""


ServedAt = Annotated[str, Depends(served_at)]


def _looks_iso(value: Any) -> bool:
    # Pydantic would also read 1893456000 or "0.5" as Unix time: a date-time starts with a date.
    return isinstance(value, date) or (isinstance(value, str) and bool(_ISO_DATE.match(value)))


# Text that may run over several lines (a description, a post, a reason), and names and
# titles (one line, shown as they read). Every other text field is one line.
Paragraphs = Annotated[str, Field(json_schema_extra={"pattern": WITHOUT_CONTROL_CHARACTERS})]
Label = Annotated[str, Field(json_schema_extra={"pattern": LABEL})]


def _state_the_text_rule(schema: dict[str, Any]) -> None:
    """Puts the text rule into the JSON Schema of every free-text field (one line, unless it
    says otherwise), so a client generated from the OpenAPI document (or a fuzzer) knows it."""
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & schema.keys():
        schema["pattern"] = WITHOUT_LINE_BREAKS
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            _state_the_text_rule(option)
    if isinstance(items := schema.get("items"), dict):
        _state_the_text_rule(items)
    for child in schema.get("properties", {}).values():
        _state_the_text_rule(child)


def _is_temporal(annotation: Any) -> bool:
    if annotation in (date, datetime):
        return True
    return any(_is_temporal(arg) for arg in get_args(annotation))


def _is_boolean(annotation: Any) -> bool:
    return annotation is bool or bool in get_args(annotation)


class RequestModel(BaseModel):
    """The base of every request body: member-supplied text carries no control characters
    (NUL, BEL, escape sequences...), checked here once for every field; a field the API does
    not know is refused, not silently dropped (a misspelt field would be a lost change); a date
    or date-time is ISO 8601 text, never a number read as Unix time; a boolean is true or
    false, never 0, 1 or a word."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=lambda schema, _: _state_the_text_rule(schema)
    )

    @model_validator(mode="before")
    @classmethod
    def _text_and_times(cls, data: Any) -> Any:
        if found := control_characters_in(data):
            raise ValueError(f"control characters are not allowed in {', '.join(found)}")
        if isinstance(data, dict):
            one_line, labels = _text_rules(cls)
            if found := line_breaks_in({k: v for k, v in data.items() if k in one_line}):
                raise ValueError(f"line breaks are not allowed in {', '.join(found)}")
            if found := invisible_characters_in({k: v for k, v in data.items() if k in labels}):
                raise ValueError(
                    "bidirectional controls and invisible characters are not allowed in "
                    + ", ".join(found)
                )
            numbers = [
                name
                for name, field in cls.model_fields.items()
                if _is_temporal(field.annotation)
                and data.get(name) is not None
                and not _looks_iso(data[name])
            ]
            if numbers:
                raise ValueError(
                    f"ISO 8601 dates or date-times are expected in {', '.join(numbers)}"
                )
            # JSON's true or false: a lax bool would read 0, 1, "yes" or "off" as one.
            loose = [
                name
                for name, field in cls.model_fields.items()
                if _is_boolean(field.annotation)
                and data.get(name) is not None
                and not isinstance(data[name], bool)
            ]
            if loose:
                raise ValueError(f"true or false is expected in {', '.join(loose)}")
        return data


_RULES: dict[type[BaseModel], tuple[frozenset[str], frozenset[str]]] = {}


def _text_rules(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """The fields of `model` that hold one line, and those that are labels, read from its own
    JSON Schema: what the document states is what is enforced (a nested model checks its
    own fields)."""
    if model not in _RULES:
        one_line, labels = set(), set()
        for name, schema in model.model_json_schema()["properties"].items():
            patterns = _string_patterns(schema)
            if WITHOUT_LINE_BREAKS in patterns or LABEL in patterns:
                one_line.add(name)
            if LABEL in patterns:
                labels.add(name)
        _RULES[model] = frozenset(one_line), frozenset(labels)
    return _RULES[model]


def _string_patterns(schema: dict[str, Any]) -> set[str]:
    found = {schema["pattern"]} if "pattern" in schema else set()
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found |= _string_patterns(option)
    if isinstance(items := schema.get("items"), dict):
        found |= _string_patterns(items)
    return found


async def json_object(request: Request) -> dict[str, Any]:
    """A request's body as a JSON object, read when the route asks for it: for a route that
    checks its caller's credential first and only then reads what they sent."""
    try:
        found = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("invalid_json", "The body is not JSON") from exc
    if not isinstance(found, dict):
        raise Invalid("invalid_json", "The body is not a JSON object")
    return found


def _iso_only(value: Any) -> Any:
    if _looks_iso(value):
        return value
    raise ValueError("an ISO 8601 date-time, such as 2027-01-12T10:00:00Z")


def _utc_when_naive(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def json_integer(value: Any) -> Any:
    """What JSON Schema calls an integer: a number with no fraction (1 and 1.0), never a
    boolean or a string, which a lax int would read as 0, 1 or the number they spell."""
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# An integer as the OpenAPI documents state it (type: integer). With bounds, put them before
# the validator, so that the document states them: Annotated[int, Field(ge=..),
# BeforeValidator(json_integer)].
JsonInt = Annotated[int, BeforeValidator(json_integer)]

# A date-time as every query takes it.
Timestamp = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_utc_when_naive)]
# A page's cursor, as the previous page gave it.
Cursor = Annotated[str | None, Query(min_length=1, max_length=1000)]


def _known_region(value: str | None) -> str | None:
    if value is not None and value not in region_codes():
        raise PydanticCustomError(
            "unknown_region", "not a region; known: {known}", {"known": sorted(region_codes())}
        )
    return value


def _known_role(value: str | None) -> str | None:
    if value is not None and value not in ROLES:
        raise PydanticCustomError("unknown_role", "not a role; known: {known}", {"known": ROLES})
    return value


# Region codes and role names: stated in the documents and checked at the edge, with the same
# codes the domain answers (unknown_region, unknown_role; shared/http_errors.py keeps them).
_REGIONS: dict[str, Any] = {"enum": sorted(region_codes())}
_ROLES: dict[str, Any] = {"enum": list(ROLES)}
Region = Annotated[
    str, AfterValidator(_known_region), Field(json_schema_extra=_REGIONS, examples=["LDN"])
]
Role = Annotated[str, AfterValidator(_known_role), Field(json_schema_extra=_ROLES)]
RegionInPath = Annotated[
    str,
    Path(min_length=1, max_length=8, json_schema_extra=_REGIONS, examples=["LDN"]),
    AfterValidator(_known_region),
]
# In a query: a filter may be left out but not given empty, like every filter.
RegionCode = Annotated[
    str,
    Query(min_length=1, max_length=8, json_schema_extra=_REGIONS, examples=["LDN"]),
    AfterValidator(_known_region),
]
RegionFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=8, json_schema_extra=_REGIONS, examples=["LDN"]),
    AfterValidator(_known_region),
]
RoleFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=20, json_schema_extra=_ROLES),
    AfterValidator(_known_role),
]
# An id, or words to look for, in a query.
IdFilter = Annotated[
    str | None, Query(min_length=1, max_length=100, pattern=WITHOUT_CONTROL_CHARACTERS)
]
WordFilter = Annotated[
    str | None, Query(min_length=1, max_length=50, pattern=WITHOUT_CONTROL_CHARACTERS)
]
TextFilter = Annotated[
    str | None, Query(min_length=1, max_length=200, pattern=WITHOUT_CONTROL_CHARACTERS)
]
