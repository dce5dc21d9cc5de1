"""Cursor pagination: every list endpoint returns a page and an opaque cursor for the next.

The cursor holds the sort key of the last item; the next page asks for what sorts after it,
which stays stable under inserts and is an index range scan rather than a skip."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection

from shared.errors import Invalid

T = TypeVar("T")
MAX_PAGE_SIZE = 100
# A page size as every list endpoint takes it.
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    # Datetimes travel tagged, so that the next page compares a datetime, not a string.
    tagged = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(tagged).encode()).decode()


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != size:
            raise ValueError("wrong shape")
        return [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in values]
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("invalid_cursor", "The cursor is not one this API issued") from exc


async def fetch_page(
    collection: AsyncCollection[dict[str, Any]],
    criteria: dict[str, Any],
    *,
    sort: list[str],
    cursor: str | None,
    limit: int,
    projection: dict[str, int] | None = None,
    descending: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of documents in `sort` order (the last field unique, e.g. `_id`; ascending
    unless `descending`), after the cursor's position, and the cursor of the next page (None
    on the last)."""
    keyset = after(sort, decode_cursor(cursor, len(sort)), descending=descending)
    # Both may be an `$or`: nest them rather than let the cursor's replace the filter's.
    query = {"$and": [criteria, keyset]} if keyset and "$or" in criteria else criteria | keyset
    direction = -1 if descending else 1
    documents = await (
        collection.find(query, projection)
        .sort([(f, direction) for f in sort])
        .limit(limit + 1)
        .to_list()
    )
    if len(documents) <= limit:
        return documents, None
    documents = documents[:limit]
    return documents, encode_cursor([_value(documents[-1], f) for f in sort])


def _value(document: dict[str, Any], field: str) -> Any:
    """A sort field's value, through embedded documents for a dotted path (`move.region`)."""
    value: Any = document
    for part in field.split("."):
        value = value[part]
    return value


def after(
    fields: list[str], values: list[Any] | None, *, descending: bool = False
) -> dict[str, Any]:
    """The filter for documents sorting strictly after `values` on `fields` (all ascending,
    or all descending)."""
    if values is None:
        return {}
    clauses = []
    for i, field in enumerate(fields):
        clause = {f: values[j] for j, f in enumerate(fields[:i])}
        clause[field] = {"$lt" if descending else "$gt": values[i]}
        clauses.append(clause)
    return {"$or": clauses}


def page_in_memory(
    items: Sequence[T],
    *,
    key: Callable[[T], list[Any]],
    fields: int,
    cursor: str | None,
    limit: int,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    """`fetch_page` for in-memory repositories: the same order (`key` gives an item's `fields`
    sort values), cursors and last page, so one contract suite holds both to it."""
    start = decode_cursor(cursor, fields)
    ordered = sorted(items, key=key, reverse=descending)
    if start is not None:
        ordered = [i for i in ordered if (key(i) < start if descending else key(i) > start)]
    if len(ordered) <= limit:
        return ordered, None
    page = ordered[:limit]
    return page, encode_cursor(key(page[-1]))
