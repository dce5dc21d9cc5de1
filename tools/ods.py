"""NHS Digital's ODS CSV extracts (the trusts' `etr.csv`, the ICBs' `eccg.csv` or `eicb.csv`):
the column layout they all share, read into what the membership import takes. Pure: a text in,
rows out. The files have no header row; their 27 columns are described in each extract's
"technical specification": what matters here is the code (1), the name (2), the national
grouping (3: the NHS England region) and the close date (12)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from services.membership.usecases import Imported

COLUMNS = 27
CODE, NAME, NATIONAL_GROUPING, CLOSE_DATE = 0, 1, 2, 11

# NHS England's seven regions, as the extracts' national grouping names them.
REGIONS = {
    "Y56": "LDN",
    "Y58": "SW",
    "Y59": "SE",
    "Y60": "MID",
    "Y61": "EOE",
    "Y62": "NW",
    "Y63": "NEY",
}

# Which kind of organisation each extract lists, by its file name.
KINDS = {
    "etr": "trust",
    "eccg": "icb",
    "eicb": "icb",
    "ecsu": "commissioning_support",
    "epraccur": "primary_care",
}

_KEEP_UPPER = {"NHS", "ICB", "CCG", "CSU", "UK", "GP", "PCN", "HEE", "NHSE"}
_KEEP_LOWER = {"and", "of", "the", "for", "in", "on", "at", "upon"}


class ExtractError(ValueError):
    """A file that is not an ODS extract (its rows say where)."""


def kind_of(path: Path) -> str | None:
    return KINDS.get(path.stem.lower())


def readable_name(raw: str) -> str:
    """The extracts write names in capitals ("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"):
    as people write them, initialisms kept ("Guy's and St Thomas' NHS Foundation Trust")."""
    if not raw.isupper():
        return " ".join(raw.split())
    words = []
    for index, word in enumerate(raw.split()):
        if word in _KEEP_UPPER:
            words.append(word)
        elif index and word.lower() in _KEEP_LOWER:
            words.append(word.lower())
        else:
            parts = word.split("-")
            words.append(
                "-".join(
                    p.lower() if i and p.lower() in _KEEP_LOWER else p.capitalize()
                    for i, p in enumerate(parts)
                )
            )
    return " ".join(words)


def _closed(value: str, today: date) -> bool:
    value = value.strip()
    if not value:
        return False
    if not re.fullmatch(r"\d{8}", value):
        raise ValueError(f"close date {value!r} is not YYYYMMDD")
    return date(int(value[:4]), int(value[4:6]), int(value[6:])) <= today


def read_extract(text: str, *, kind: str, today: date) -> list[Imported]:
    """Every row of an extract; ExtractError naming the first rows that do not fit."""
    rows: list[Imported] = []
    problems: list[str] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != COLUMNS:
            problems.append(f"row {number}: {len(row)} columns, not {COLUMNS}")
            continue
        try:
            closed = _closed(row[CLOSE_DATE], today)
        except ValueError as exc:
            problems.append(f"row {number}: {exc}")
            continue
        rows.append(
            Imported(
                ods_code=row[CODE].strip().upper(),
                name=readable_name(row[NAME].strip()),
                region=REGIONS.get(row[NATIONAL_GROUPING].strip().upper()),
                kind=kind,
                closed=closed,
            )
        )
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ExtractError("not an ODS extract: " + "; ".join(problems[:5]) + more)
    return rows
