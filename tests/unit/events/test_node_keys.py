from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from services.events.domain import node_keys

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
