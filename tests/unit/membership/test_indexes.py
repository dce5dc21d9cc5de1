"""Every query the directory runs has an index that serves it without a collection scan, and
the single-filter queries (the common ones) also get their (name, id) order from the index.

FerretDB 1.24's SQLite backend pushes down only `_id` equality, so it scans whatever the
indexes; this test checks the shapes against the rule MongoDB's planner follows (equality
fields, then sort fields) so production gets index scans."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from services.membership.repository import DIRECTORY_SORT, INDEXES
from services.membership.usecases import DirectoryQuery

FILTERS = {
    "name": "ada",
    "region": "LDN",
    "organisation_id": "o1",
    "interest": "kms",
    "skill": "taxonomy",
    "role": "facilitator",
}


def keys(index: Any) -> list[str]:
    return list(index.document["key"])


def serves(index_keys: list[str], equality: set[str], range_field: str | None) -> bool:
    """The index's leading keys are the equality fields, then the sort (which includes the
    range field, the name prefix)."""
    lead, rest = index_keys[: len(equality)], index_keys[len(equality) :]
    return (
        set(lead) == equality
        and rest[: len(DIRECTORY_SORT)] == DIRECTORY_SORT
        and (range_field is None or range_field in DIRECTORY_SORT)
    )


def shape(criteria: dict[str, Any]) -> tuple[set[str], str | None]:
    equality = {f for f, v in criteria.items() if not isinstance(v, dict)}
    ranges = [f for f, v in criteria.items() if isinstance(v, dict)]
    return equality, (ranges[0] if ranges else None)


@pytest.mark.parametrize("chosen", [(), *[(f,) for f in FILTERS]])
def test_single_filter_queries_are_fully_served_by_an_index(chosen: tuple[str, ...]) -> None:
    criteria = DirectoryQuery(**{f: FILTERS[f] for f in chosen}).criteria()
    equality, range_field = shape(criteria)
    assert any(serves(keys(i), equality, range_field) for i in INDEXES["members"]), criteria


@pytest.mark.parametrize("chosen", [c for n in (2, 3) for c in itertools.combinations(FILTERS, n)])
def test_combined_filters_start_from_an_index_on_one_of_their_fields(
    chosen: tuple[str, ...],
) -> None:
    criteria = DirectoryQuery(**{f: FILTERS[f] for f in chosen}).criteria()
    fields = set(criteria)
    assert any(keys(i)[0] in fields for i in INDEXES["members"]), criteria


def test_applications_for_a_facilitator_are_served() -> None:
    equality = {"status", "region"}
    assert any(serves(keys(i), equality, None) for i in INDEXES["members"])
