"""The rules every request body shares (shared/requests.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import Field, ValidationError

from shared.requests import Region, RequestModel, Role


class Body(RequestModel):
    title: str
    on: date | None = None
    at: datetime | None = None
    region: Region | None = None
    roles: list[Role] = Field(default_factory=list)
    urgent: bool = False
    locked: bool | None = None


def test_a_well_formed_body_is_read() -> None:
    body = Body.model_validate(
        {"title": "Tea", "on": "2027-01-12", "at": "2027-01-12T10:00:00Z", "region": "LDN"}
    )
    assert (body.on, body.region) == (date(2027, 1, 12), "LDN")
    assert Body.model_validate({"title": "Tea", "urgent": True, "locked": None}).urgent


@pytest.mark.parametrize(
    "bad",
    [
        {"title": "Tea", "on": 0},
        {"title": "Tea", "at": 1893456000},
        {"title": "Tea", "at": "0.5"},
        {"title": "Tea\x00"},
        {"title": "Tea", "tilte": "typo"},
        {"title": "Tea", "region": "ATLANTIS"},
        {"title": "Tea", "roles": ["root"]},
        {"title": "Tea", "urgent": 0},
        {"title": "Tea", "urgent": "yes"},
        {"title": "Tea", "locked": 1},
    ],
)
def test_numbers_for_dates_control_characters_unknown_fields_regions_roles_and_loose_booleans(
    bad: dict[str, object],
) -> None:
    with pytest.raises(ValidationError):
        Body.model_validate(bad)


def test_the_schema_states_the_rules() -> None:
    schema = Body.model_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["title"]["pattern"].startswith("^[^\\x00")
    assert "LDN" in schema["properties"]["region"]["anyOf"][0]["enum"]


def test_a_json_integer_is_a_number_without_fraction_never_a_boolean_or_text() -> None:
    from pydantic import BaseModel, ValidationError

    from shared.requests import JsonInt

    class Hour(BaseModel):
        hour: JsonInt

    assert Hour.model_validate_json('{"hour": 7}').hour == 7
    assert Hour.model_validate_json('{"hour": 7.0}').hour == 7, "JSON Schema's integer"
    for refused in ("true", '"7"', "7.5"):
        with pytest.raises(ValidationError):
            Hour.model_validate_json(f'{{"hour": {refused}}}')
