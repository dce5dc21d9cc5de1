import pytest

from shared.errors import Invalid
from shared.pagination import after, decode_cursor, encode_cursor


def test_cursor_round_trip() -> None:
    assert decode_cursor(encode_cursor(["smith", "m1"]), 2) == ["smith", "m1"]
    assert decode_cursor(None, 2) is None


@pytest.mark.parametrize("cursor", ["%%%", encode_cursor(["only-one"]), encode_cursor({"a": 1})])  # type: ignore[arg-type]
def test_foreign_cursors_are_rejected(cursor: str) -> None:
    with pytest.raises(Invalid):
        decode_cursor(cursor, 2)


def test_after_builds_a_keyset_filter() -> None:
    assert after(["name", "_id"], None) == {}
    assert after(["name", "_id"], ["b", "x"]) == {
        "$or": [{"name": {"$gt": "b"}}, {"name": "b", "_id": {"$gt": "x"}}]
    }


def test_datetimes_survive_the_cursor() -> None:
    from datetime import UTC, datetime

    moment = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    assert decode_cursor(encode_cursor([moment, "e1"]), 2) == [moment, "e1"]
    with pytest.raises(Invalid):
        decode_cursor(encode_cursor([{"t": "not a time"}, "e1"]), 2)


def test_after_descending_looks_the_other_way() -> None:
    assert after(["_id"], ["x"], descending=True) == {"$or": [{"_id": {"$lt": "x"}}]}
