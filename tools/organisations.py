"""`knet organisations import FILE`: an ODS extract into membership's store, through
membership's own use case (the facts go out by its outbox), in chunks, showing how far it is
and how long is left."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from services.membership.repository import (
    INDEXES,
    ContributionRepository,
    MemberRepository,
    OrganisationRepository,
)
from services.membership.stores import Stores
from services.membership.usecases import Imported, ImportReport, import_organisations
from shared.clock import SystemClock
from shared.mongo import connect, ensure_indexes, service_database
from shared.settings import PlatformSettings
from tools.ods import kind_of, read_extract

CHUNK = 500
Progress = Callable[[str], None]


def progress_line(done: int, total: int, started: float, now: float) -> str:
    elapsed = now - started
    left = elapsed / done * (total - done) if done else 0.0
    return f"organisations: {done:,} of {total:,} rows ({elapsed:.0f} s, about {left:.0f} s left)"


def read_file(path: Path, kind: str | None) -> list[Imported]:
    chosen = kind or kind_of(path)
    if chosen is None:
        raise ValueError(
            f"{path.name}: say which kind of organisation it lists (--kind), as its name is not "
            "one of NHS Digital's extracts (etr, eccg, eicb, ecsu, epraccur)"
        )
    return read_extract(path.read_text(encoding="utf-8-sig"), kind=chosen, today=date.today())


async def import_rows(
    settings: PlatformSettings, rows: Sequence[Imported], *, say: Progress
) -> ImportReport:
    client = connect(settings)
    try:
        db = service_database(client, "membership", settings.database_suffix)
        await ensure_indexes(db, INDEXES)
        clock = SystemClock()
        stores = Stores(
            members=MemberRepository(db, clock),
            organisations=OrganisationRepository(db, clock),
            contributions=ContributionRepository(db),
            clock=clock,
        )
        report = ImportReport()
        started = time.monotonic()
        for first in range(0, len(rows), CHUNK):
            await import_organisations(stores, rows[first : first + CHUNK], report)
            say(progress_line(min(first + CHUNK, len(rows)), len(rows), started, time.monotonic()))
        return report
    finally:
        await client.close()
