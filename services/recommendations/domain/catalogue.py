"""The catalogue of recommendations: the KM report's five, seeded at first start, and any an
operator adds from later reports. Retired ones stay (plans and case studies refer to them) but
can no longer be endorsed or planned."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shared.errors import Conflict, Invalid
from shared.reference import report

CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")

# The report lists its recommendations, challenges and strategic aims but not the links
# between them: these are our reading of it, kept here so they are reviewed with the code.
LINKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "R1": (("FYFV", "ROSE"), ("Focus on explicit knowledge", "Introduction of change")),
    "R2": (("FYFV", "ROSE"), ("Culture", "KM and business goals")),
    "R3": (("ROSE",), ("KM and business goals", "Reorganisation")),
    "R4": (("FYFV", "ROSE"), ("Culture", "Reorganisation")),
    "R5": (("ROSE",), ("Technology", "Focus on explicit knowledge")),
}


class Status(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True)
class Recommendation:
    code: str
    title: str
    description: str
    aims: tuple[str, ...]
    challenges: tuple[str, ...]
    source: str
    status: Status = Status.ACTIVE
    retired_reason: str | None = None
    retired_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status is Status.ACTIVE

    def retire(self, *, reason: str, now: datetime) -> Recommendation:
        if not self.active:
            raise Conflict("already_retired", f"{self.code} is already retired")
        reason = " ".join(reason.split())
        if not 1 <= len(reason) <= 1000:
            raise Invalid("reason_required", "Say why it is retired (1 to 1000 characters)")
        return replace(self, status=Status.RETIRED, retired_reason=reason, retired_at=now)


def seed() -> list[Recommendation]:
    """The KM report's recommendations with their links."""
    source = report()["source"]["title"]
    return [
        Recommendation(
            code=r["code"],
            title=r["title"],
            description=r["description"],
            aims=LINKS[r["code"]][0],
            challenges=LINKS[r["code"]][1],
            source=source,
        )
        for r in report()["recommendations"]
    ]


def aim_codes() -> frozenset[str]:
    return frozenset(a["code"] for a in report()["strategic_aims"])


def challenge_names() -> frozenset[str]:
    return frozenset(report()["challenges"])


def new(
    *,
    code: str,
    title: str,
    description: str,
    aims: list[str],
    challenges: list[str],
    source: str,
) -> Recommendation:
    """An operator's addition, checked: every problem reported at once."""
    problems = []
    if not CODE.match(code):
        problems.append("code: 2-16 of A-Z 0-9 -, starting with a letter")
    if not title.strip():
        problems.append("title: required")
    if unknown := sorted(set(aims) - aim_codes()):
        problems.append(f"aims: unknown {', '.join(unknown)}")
    if unknown := sorted(set(challenges) - challenge_names()):
        problems.append(f"challenges: unknown {', '.join(unknown)}")
    if not source.strip():
        problems.append("source: say which report it comes from")
    if problems:
        raise Invalid(
            "invalid_recommendation", "The recommendation is not valid", problems=problems
        )
    return Recommendation(
        code=code,
        title=title.strip(),
        description=description.strip(),
        aims=tuple(dict.fromkeys(aims)),
        challenges=tuple(dict.fromkeys(challenges)),
        source=source.strip(),
    )
