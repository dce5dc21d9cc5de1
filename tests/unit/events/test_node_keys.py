from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.events.domain import node_keys
from services.events.stores import Stores
from services.events.usecases import node_keys as node_key_cases
from shared.caller import Caller
from shared.clock import ManualClock
from shared.errors import Unauthorized
from tests.fakes.events import (
    InMemoryEvents,
    InMemoryFeeds,
    InMemoryIssuers,
    InMemoryNodeKeys,
    InMemoryReminders,
    InMemorySubmissions,
)

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_an_issued_key_proves_itself_and_only_its_hash_is_stored() -> None:
    key, presented = node_keys.issue(
        key_id="01abc123", region="LDN", label="prod", created_by="op", now=NOW
    )
    parsed = node_keys.parse(presented)
    assert parsed is not None
    assert parsed[0] == "01abc123"
    assert node_keys.proves(key, parsed[1])
    assert parsed[1] not in key.secret_hash


def test_a_wrong_or_revoked_secret_proves_nothing() -> None:
    key, presented = node_keys.issue(
        key_id="01abc123", region="LDN", label="", created_by="op", now=NOW
    )
    _, secret = node_keys.parse(presented) or ("", "")
    other = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert not node_keys.proves(key, other)
    assert not node_keys.proves(replace(key, revoked_at=NOW), secret)


def test_keys_are_not_guessable_from_each_other() -> None:
    issued = {
        node_keys.issue(key_id="01abc123", region="LDN", label="", created_by="op", now=NOW)[1]
        for _ in range(50)
    }
    assert len(issued) == 50


def test_only_key_shaped_strings_parse() -> None:
    assert node_keys.parse("not-a-key") is None
    assert node_keys.parse("knet_node_01abc123_short") is None
    assert node_keys.parse("Bearer knet_node_01abc123_" + "a" * 43) is None


def stores() -> Stores:
    return Stores(
        events=InMemoryEvents(),
        submissions=InMemorySubmissions(),
        reminders=InMemoryReminders(),
        node_keys=InMemoryNodeKeys(),
        issuers=InMemoryIssuers(),
        feeds=InMemoryFeeds(),
        clock=ManualClock(NOW),
    )


FACILITATOR = Caller("f", "LDN", frozenset({"member", "facilitator"}))
AS_FACILITATOR = {"region": "LDN", "roles": ["member", "facilitator"]}


async def issued(s: Stores, caller: Caller = FACILITATOR) -> str:
    _, presented = await node_key_cases.issue_node_key(s, caller=caller, region="LDN", label="k")
    return presented


@pytest.mark.parametrize(
    "changes",
    [
        {"roles": ["member"]},  # the role removed
        {"active": False},  # left the network
        {"region": "NW"},  # moved (the region alone, as a profile update says it)
    ],
)
async def test_a_key_stops_when_its_issuer_no_longer_governs_its_region(
    changes: dict[str, object],
) -> None:
    s = stores()
    await node_key_cases.member_changed(s, member_id="f", changes=AS_FACILITATOR, at=NOW)
    presented = await issued(s)
    assert await node_key_cases.authenticate_node(s, presented) == "LDN"
    later = NOW + timedelta(hours=1)
    assert await node_key_cases.member_changed(s, member_id="f", changes=changes, at=later) == 1
    with pytest.raises(Unauthorized):
        await node_key_cases.authenticate_node(s, presented)
    (key,) = (await s.node_keys.page("LDN", cursor=None, limit=10))[0]
    assert key.revoked_reason == node_key_cases.ISSUER_LEFT


async def test_a_key_issued_on_a_stale_session_after_the_role_went_does_not_work() -> None:
    s = stores()
    await node_key_cases.member_changed(s, member_id="f", changes=AS_FACILITATOR, at=NOW)
    removed = {"roles": ["member"]}
    await node_key_cases.member_changed(s, member_id="f", changes=removed, at=NOW)
    # The session still says facilitator (its roles are read again within a minute): the key
    # is issued, but it does not outlive the role.
    s.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]
    presented = await issued(s)
    with pytest.raises(Unauthorized):
        await node_key_cases.authenticate_node(s, presented)


async def test_facts_read_late_do_not_stop_a_key_issued_after_them() -> None:
    """A new facilitator's approval (as a member) and role arrive after they issued a key:
    the approval is no loss of authority, and the key they issued on their new role works."""
    s = stores()
    presented = await issued(s)
    approved = {"region": "LDN", "roles": ["member"], "active": True}
    earlier = NOW - timedelta(seconds=1)
    assert await node_key_cases.member_changed(s, member_id="f", changes=approved, at=earlier) == 0
    assert await node_key_cases.authenticate_node(s, presented) == "LDN"
    assert (
        await node_key_cases.member_changed(s, member_id="f", changes=AS_FACILITATOR, at=earlier)
        == 0
    )
    assert await node_key_cases.authenticate_node(s, presented) == "LDN"


async def test_a_key_issued_after_the_role_was_granted_again_works() -> None:
    s = stores()
    await node_key_cases.member_changed(s, member_id="f", changes=AS_FACILITATOR, at=NOW)
    await node_key_cases.member_changed(s, member_id="f", changes={"roles": ["member"]}, at=NOW)
    s.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
    # Issued on roles read well after the loss: the grant is a fact not read yet.
    presented = await issued(s)
    assert await node_key_cases.authenticate_node(s, presented) == "LDN"


async def test_an_operators_keys_survive_a_move() -> None:
    s = stores()
    operator = {"region": "LDN", "roles": ["member", "operator", "facilitator"]}
    await node_key_cases.member_changed(s, member_id="o", changes=operator, at=NOW)
    presented = await issued(s, Caller("o", "LDN", frozenset(operator["roles"])))
    moved = {"region": "NW", "roles": ["member", "operator"]}
    later = NOW + timedelta(hours=1)
    assert await node_key_cases.member_changed(s, member_id="o", changes=moved, at=later) == 0
    assert await node_key_cases.authenticate_node(s, presented) == "LDN"
