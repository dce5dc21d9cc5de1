"""`knet organisations import`: the shipped extracts into the real store, twice, the facts
waiting in the outbox once each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from shared.clock import new_id
from shared.settings import PlatformSettings
from tools import organisations

SAMPLES = Path(__file__).parents[2] / "data" / "ods"


async def test_an_extract_imported_twice_is_there_once(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = infra.model_copy(update={"database_suffix": f"_import_{new_id()}"})
    said: list[str] = []
    rows = organisations.read_file(SAMPLES / "etr.csv", None) + organisations.read_file(
        SAMPLES / "eccg.csv", None
    )

    first = await organisations.import_rows(settings, rows, say=said.append)
    again = await organisations.import_rows(settings, rows, say=said.append)

    assert (first.added, first.updated, first.skipped) == (12, 0, [])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 12)
    assert said[-1].startswith("organisations: 12 of 12 rows")
    collection = mongo[f"knet_membership{settings.database_suffix}"]["organisations"]
    codes = [r.ods_code for r in rows]
    documents = await collection.find({"ods_code": {"$in": codes}}).to_list()
    assert sorted(d["ods_code"] for d in documents) == sorted(codes)
    facts = [entry for d in documents for entry in d.get("outbox", [])]
    assert len(facts) == 12  # one organisation.added each, none from the second run
    burton = next(d for d in documents if d["ods_code"] == "RJF")
    assert (burton["status"], burton["kind"], burton["region"]) == ("closed", "trust", "MID")
    icb = next(d for d in documents if d["ods_code"] == "QYG")
    assert (icb["kind"], icb["name"]) == (
        "icb",
        "NHS Cheshire and Merseyside Integrated Care Board",
    )
