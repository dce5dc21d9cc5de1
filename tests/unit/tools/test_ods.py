"""Reading NHS Digital's ODS extracts: the shipped samples, names as people write them, the
regions, closures, and files that are not extracts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tools.ods import ExtractError, kind_of, read_extract, readable_name

SAMPLES = Path(__file__).parents[2] / "data" / "ods"
TODAY = date(2026, 12, 4)


def test_the_trusts_sample_reads_whole() -> None:
    rows = read_extract((SAMPLES / "etr.csv").read_text(), kind="trust", today=TODAY)
    by_code = {r.ods_code: r for r in rows}
    assert len(rows) == 9
    assert by_code["RJ1"].name == "Guy's and St Thomas' NHS Foundation Trust"
    assert by_code["RR8"].region == "NEY"
    assert by_code["RBS"].region == "NW"
    assert {r.region for r in rows} == {"NEY", "LDN", "NW", "SE", "SW", "EOE", "MID"}
    assert [r.ods_code for r in rows if r.closed] == ["RJF"]
    assert {r.kind for r in rows} == {"trust"}


def test_kinds_come_from_the_extracts_names() -> None:
    assert kind_of(Path("etr.csv")) == "trust"
    assert kind_of(Path("/tmp/ECCG.csv")) == "icb"
    assert kind_of(Path("mine.csv")) is None


def test_names_in_capitals_read_as_people_write_them() -> None:
    assert readable_name("NHS WEST YORKSHIRE INTEGRATED CARE BOARD") == (
        "NHS West Yorkshire Integrated Care Board"
    )
    assert readable_name("THE ROYAL WOLVERHAMPTON NHS TRUST") == "The Royal Wolverhampton NHS Trust"
    assert readable_name("ALDER HEY CHILDREN'S NHS FOUNDATION TRUST") == (
        "Alder Hey Children's NHS Foundation Trust"
    )
    assert readable_name("BURTON-ON-TRENT  HOSPITALS") == "Burton-on-Trent Hospitals"
    assert readable_name("Already Written Well") == "Already Written Well"


def test_a_grouping_outside_england_is_kept_without_a_region() -> None:
    row = ",".join(['"W1"', '"SOMEWHERE"', '"W00"'] + ['""'] * 24)
    (read,) = read_extract(row, kind="trust", today=TODAY)
    assert read.region is None


def test_a_close_date_still_to_come_is_open() -> None:
    cells = ['"RAA"', '"A TRUST"', '"Y56"'] + ['""'] * 8 + ['"20270101"'] + ['""'] * 15
    (read,) = read_extract(",".join(cells), kind="trust", today=TODAY)
    assert not read.closed


def test_a_file_that_is_not_an_extract_is_refused_with_where() -> None:
    with pytest.raises(ExtractError) as caught:
        read_extract("code,name\nRR8,Leeds\n", kind="trust", today=TODAY)
    assert "row 1: 2 columns, not 27" in str(caught.value)
    bad_date = ['"RAA"', '"A TRUST"', '"Y56"'] + ['""'] * 8 + ['"1 May"'] + ['""'] * 15
    with pytest.raises(ExtractError) as dated:
        read_extract(",".join(bad_date), kind="trust", today=TODAY)
    assert "is not YYYYMMDD" in str(dated.value)
