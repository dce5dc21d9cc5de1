"""The organisation picker's use cases without HTTP: what is asked of membership, the choice
kept in view, "not listed", and the kinds in words kept in step with membership's."""

from __future__ import annotations

import typing
from typing import Any

import httpx

from services.gateway.clients.models import membership as m
from services.gateway.usecases import organisations
from tests.unit.gateway.fakes import FakeServices

M = "membership"


def organisation(organisation_id: str, name: str, region: str = "NW") -> dict[str, Any]:
    return {
        "id": organisation_id,
        "name": name,
        "region": region,
        "kind": "trust",
        "kind_name": "NHS trust",
        "ods_code": None,
        "status": "active",
        "merged_into": None,
        "proposed_by": None,
    }


async def test_matches_are_asked_in_the_region_and_the_choice_stays_in_view() -> None:
    fake = FakeServices()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("ids"):
            return httpx.Response(
                200, json={"items": [organisation("o9", "Chosen")], "next_cursor": None}
            )
        return httpx.Response(
            200, json={"items": [organisation("o1", "Salford Royal")], "next_cursor": None}
        )

    fake.answer(M, "GET", "/v1/organisations", answer)
    found = await organisations.choices(
        fake.clients(), searched="  salford   royal ", region="NW", chosen="o9"
    )
    assert [o.id for o in found.matches] == ["o9", "o1"]
    assert found.searched == "salford royal"
    assert fake.sent[0].query == {"q": ["salford royal"], "region": ["NW"], "limit": ["20"]}
    assert fake.sent[1].query == {"ids": ["o9"]}


async def test_nothing_is_asked_before_anything_is_typed_or_chosen() -> None:
    fake = FakeServices()
    found = await organisations.choices(fake.clients(), searched=" ", region="XX", chosen="")
    assert (found.matches, fake.sent) == ([], [])
    assert found.fields == {
        "search": "organisation_search",
        "chosen": "organisation_id",
        "proposed": "proposed_organisation",
    }


async def test_an_unknown_region_is_not_passed_on() -> None:
    fake = FakeServices()
    fake.answer(M, "GET", "/v1/organisations", {"items": [], "next_cursor": None})
    await organisations.choices(fake.clients(), searched="leeds", region="XX", chosen="")
    assert "region" not in fake.sent[0].query


def test_not_listed_sends_the_name_and_a_choice_sends_the_id() -> None:
    assert organisations.chosen_organisation("not_listed", "  Bolton  Library ") == (
        None,
        "Bolton Library",
    )
    assert organisations.chosen_organisation("o1", "ignored") == ("o1", None)
    assert organisations.chosen_organisation("", "") == (None, None)


def test_the_kinds_in_words_are_membership_s_kinds() -> None:
    annotation = m.OrganisationIn.model_fields["kind"].annotation  # Literal[...] | None
    literal = next(a for a in typing.get_args(annotation) if a is not type(None))
    assert set(organisations.KINDS) == set(typing.get_args(literal))
    assert set(organisations.STATUS_WORDS) == set(
        typing.get_args(m.OrganisationView.model_fields["status"].annotation)
    )
