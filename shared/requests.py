"""What every service's HTTP input shares: request bodies that refuse control characters in
any text, cursors and region codes that are never empty, and date-times read one way (ISO 8601;
without an offset, UTC; never a bare number)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, model_validator

from shared.text import control_characters_in


class RequestModel(BaseModel):
    """The base of every request body: member-supplied text carries no control characters
    (NUL, BEL, escape sequences...), checked here once for every field."""

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        if found := control_characters_in(data):
            raise ValueError(f"control characters are not allowed in {', '.join(found)}")
        return data


def _iso_only(value: Any) -> Any:
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        raise ValueError("an ISO 8601 date-time, such as 2027-01-12T10:00:00Z")
    return value


def _utc_when_naive(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# A date-time as every query takes it.
Timestamp = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_utc_when_naive)]
# A page's cursor, as the previous page gave it.
Cursor = Annotated[str | None, Query(min_length=1, max_length=1000)]
# A region code in a query: a filter may be left out but not given empty, like every filter.
RegionCode = Annotated[str, Query(min_length=1, max_length=8, examples=["LDN"])]
RegionFilter = Annotated[str | None, Query(min_length=1, max_length=8, examples=["LDN"])]
# An id, or a word to look for, in a query.
IdFilter = Annotated[str | None, Query(min_length=1, max_length=100)]
WordFilter = Annotated[str | None, Query(min_length=1, max_length=50)]
