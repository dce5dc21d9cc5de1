"""Membership's use cases run on the in-memory stores (held to the real ones by the stores'
contract suite)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.membership.stores import Stores
from shared.clock import ManualClock
from tests.fakes.membership import (
    InMemoryContributions,
    InMemoryMembers,
    InMemoryOrganisations,
)


@pytest.fixture
def stores() -> Stores:
    ids = iter(f"id{i}" for i in range(1000))
    return Stores(
        members=InMemoryMembers(),
        organisations=InMemoryOrganisations(),
        contributions=InMemoryContributions(),
        clock=ManualClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
        new_id=lambda: next(ids),
    )
