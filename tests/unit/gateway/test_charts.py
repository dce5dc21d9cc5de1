"""The server-drawn charts: values written as text, described for screen readers, member
text escaped, the tile map naming every region's state in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from services.gateway.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def text_of(root: ET.Element, tag: str) -> str:
    found = root.find(f"{SVG}{tag}")
    assert found is not None, tag
    return found.text or ""


def test_a_bar_chart_writes_and_describes_its_values() -> None:
    svg = charts.bar_chart(
        "Resonance", [charts.Bar("R1 <Share>", 12, "points"), charts.Bar("R2", 3)]
    )
    root = ET.fromstring(str(svg))  # well-formed: the label was escaped
    assert root.get("role") == "img"
    assert text_of(root, "title") == "Resonance"
    assert text_of(root, "desc") == "R1 <Share>: 12; R2: 3"
    widths = [int(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == 4 * widths[1], "bars in proportion to their values"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "12 points" in texts


def test_an_empty_chart_says_so() -> None:
    root = ET.fromstring(str(charts.bar_chart("Nothing", [])))
    assert text_of(root, "desc") == "No data yet"


def test_the_tile_map_names_every_region_and_its_state() -> None:
    names = {code: f"Region {code}" for code in charts.TILES}
    root = ET.fromstring(str(charts.tile_map("Plans", {"LDN": "done", "NW": "paused"}, names)))
    description = text_of(root, "desc")
    assert "Region LDN: Done" in description
    assert "Region NW: Paused" in description
    assert description.count("No plan") == 8
    assert len(list(root.iter(f"{SVG}rect"))) == 10


def test_a_region_shows_its_furthest_plan() -> None:
    assert charts.most_advanced({"proposed": 3, "active": 1}) == "active"
    assert charts.most_advanced({"paused": 1, "done": 1}) == "done"
    assert charts.most_advanced({}) == "none"


def test_a_line_chart_marks_each_point() -> None:
    root = ET.fromstring(str(charts.line_chart("Members", [("Jan", 10), ("Feb", 30)])))
    assert len(list(root.iter(f"{SVG}circle"))) == 2
    assert text_of(root, "desc") == "Jan: 10; Feb: 30"
