"""Reference data from the KM report (NHS IQ, 2016): recommendations, challenges, strategic
aims, scopes, regions and network roles. The report's own data, kept here as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("km-report-2016.json")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    nation: str


@cache
def report() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_FILE.read_text())
    return data


@cache
def regions() -> dict[str, Region]:
    return {r["code"]: Region(**r) for r in report()["regions"]}


@cache
def region_codes() -> frozenset[str]:
    return frozenset(regions())


@cache
def role_codes() -> tuple[str, ...]:
    return tuple(r["code"] for r in report()["network_roles"])
