"""Cursor pagination: every list endpoint returns a page and an opaque cursor for the next.

The cursor holds the sort key of the last item; the next page asks for what sorts after it,
which stays stable under inserts and is an index range scan rather than a skip."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.errors import Invalid

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise Invalid("invalid_cursor", "The cursor is not one this API issued") from exc
    if not isinstance(values, list) or len(values) != size:
        raise Invalid("invalid_cursor", "The cursor is not one this API issued")
    return values


def after(fields: list[str], values: list[Any] | None) -> dict[str, Any]:
    """The filter for documents sorting strictly after `values` on ascending `fields`."""
    if values is None:
        return {}
    clauses = []
    for i, field in enumerate(fields):
        clause = {f: values[j] for j, f in enumerate(fields[:i])}
        clause[field] = {"$gt": values[i]}
        clauses.append(clause)
    return {"$or": clauses}
