"""A member's ballot as the ranking form gives it: a place typed beside each recommendation,
read into the codes in order, with a problem beside each place that cannot stand (a place out
of range, the same place twice, none at all). Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.gateway.domain.numbers import whole_number


@dataclass(frozen=True)
class Ballot:
    codes: list[str]
    problems: dict[str, str] = field(default_factory=dict)  # by place field: place-R1


def place_field(code: str) -> str:
    return f"place-{code}"


def read_places(places: dict[str, str], catalogue: list[str]) -> Ballot:
    """`places`: code -> what was typed; `catalogue`: every code, in the report's order."""
    problems: dict[str, str] = {}
    chosen: dict[int, str] = {}
    for code in catalogue:
        place = places.get(code, "").strip()
        if not place:
            continue
        number = whole_number(place)
        if number is None or not 1 <= number <= len(catalogue):
            problems.setdefault(place_field(code), f"Choose a place from 1 to {len(catalogue)}")
        elif number in chosen:
            problems.setdefault(
                place_field(code), f"You gave place {place} to {chosen[number]} as well"
            )
        else:
            chosen[number] = code
    if not chosen and not problems and catalogue:
        problems[place_field(catalogue[0])] = "Give at least one recommendation a place"
    return Ballot([chosen[p] for p in sorted(chosen)], problems)


def in_ballot_order(catalogue: list[str], codes: list[str]) -> list[str]:
    """Ranked ones first in their order, then the rest in the report's order: the page starts
    where the member left it, and dragging reorders from there."""
    rank = {code: i for i, code in enumerate(codes)}
    return sorted(catalogue, key=lambda code: (rank.get(code, len(rank)), code))
