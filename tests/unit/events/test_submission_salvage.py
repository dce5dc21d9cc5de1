"""Reading a node and external id out of a submission too broken to handle."""

from __future__ import annotations

from services.events.domain.submission import salvage


def test_truncated_json_still_names_node_and_external_id() -> None:
    raw = b'{"source": "/regions/LDN", "data": {"external_id": "ldn-42", "title": '
    assert salvage(raw) == ("LDN", "ldn-42")


def test_valid_json_with_a_broken_envelope() -> None:
    raw = b'{"source": "/regions/NW", "data": {"external_id": "nw-1"}}'
    assert salvage(raw) == ("NW", "nw-1")


def test_nothing_readable_is_nothing() -> None:
    assert salvage(b"\x00\xff garbage") == (None, None)
    assert salvage(b'{"source": "/regions/NW", "data": ["nw-1"]}') == ("NW", None)


def test_an_external_id_that_breaks_the_rules_is_not_read() -> None:
    raw = b'{"source": "/regions/LDN", "data": {"external_id": "has spaces"}}'
    assert salvage(raw) == ("LDN", None)
    assert salvage(b'{"data": {"external_id": 42}}') == (None, None)
