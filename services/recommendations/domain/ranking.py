"""Which recommendations resonate: members' ballots aggregated by a modified Borda count.

A ballot ranks the recommendations that resonate with a member, best first; it need not rank
them all. On a ballot of k codes, the code in position i (from 0) earns k - i points, so a
first preference is worth more on a fuller ballot and ranking a single code ("bullet voting")
gives it only one point. Codes a ballot leaves out earn nothing from it.

Order: points, then endorsements (ballots naming the code), then first preferences. Codes
equal on all three share a rank, and the next rank skips (1, 2, 2, 4: competition ranking);
within a tie codes are listed by code, for a stable display. Retired codes are dropped from
ballots before counting, closing the gaps they leave."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.errors import Invalid

MAX_BALLOT = 50


@dataclass(frozen=True)
class Standing:
    code: str
    rank: int
    points: int
    endorsements: int
    first_preferences: int


def check_ballot(ranking: Sequence[str], endorsable: frozenset[str]) -> tuple[str, ...]:
    """The ballot, or every problem with it: duplicates, unknown or retired codes."""
    problems = []
    if not ranking:
        problems.append("ranking: name at least one recommendation (or withdraw the ballot)")
    if len(ranking) > MAX_BALLOT:
        problems.append(f"ranking: at most {MAX_BALLOT} recommendations")
    duplicates = sorted({c for c in ranking if ranking.count(c) > 1})
    if duplicates:
        problems.append(f"ranking: {', '.join(duplicates)} ranked more than once")
    unknown = sorted(set(ranking) - endorsable)
    if unknown:
        problems.append(f"ranking: {', '.join(unknown)} not recommendations open to endorsement")
    if problems:
        raise Invalid("invalid_ranking", "The ranking is not valid", problems=problems)
    return tuple(ranking)


def standings(ballots: Iterable[Sequence[str]], codes: Sequence[str]) -> list[Standing]:
    """The standings of `codes` (the active recommendations) over `ballots`."""
    counted = set(codes)
    points = dict.fromkeys(codes, 0)
    endorsements = dict.fromkeys(codes, 0)
    firsts = dict.fromkeys(codes, 0)
    for ballot in ballots:
        kept = [c for c in ballot if c in counted]
        for i, code in enumerate(kept):
            points[code] += len(kept) - i
            endorsements[code] += 1
        if kept:
            firsts[kept[0]] += 1

    def key(code: str) -> tuple[int, int, int]:
        return (-points[code], -endorsements[code], -firsts[code])

    ordered = sorted(codes, key=lambda c: (key(c), c))
    result: list[Standing] = []
    for position, code in enumerate(ordered, start=1):
        tied = result and key(result[-1].code) == key(code)
        rank = result[-1].rank if tied else position
        result.append(Standing(code, rank, points[code], endorsements[code], firsts[code]))
    return result


def order(standings: Sequence[Standing]) -> dict[str, int]:
    """What a ranking change is measured on: each code's rank (points alone move often)."""
    return {s.code: s.rank for s in standings}
