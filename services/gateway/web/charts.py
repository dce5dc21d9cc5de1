"""Charts drawn on the server as SVG: they need no JavaScript, print, and read out. Each has a
<title> and <desc> (role="img"), writes its values as text beside the marks, and never leans
on colour alone; pages put the same figures in a table too. Pure functions of their data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

from services.gateway.domain.ratings import rag_words

# NHS identity colours: blue bars; statuses from the NHS palette with a text label each.
BAR = "#005eb8"
TEXT = "#212b32"
GRID = "#d8dde0"
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""  # written after the value, e.g. "(12 ballots)"
    colour: str = BAR  # a status's own colour; its label says it in words too


# RAG in the NHS palette (red, warm yellow, green), always with its words.
RAG_COLOURS = {"red": "#d5281b", "amber": "#ffb81c", "green": "#007f3b", "unrated": "#768692"}
RAG_ORDER = ("red", "amber", "green", "unrated")


def rag_bars(counts: Mapping[str, int]) -> list[Bar]:
    """Plans by RAG, red first, each bar in its colour and named in words."""
    order = [rag for rag in RAG_ORDER if rag in counts]
    return [Bar(rag_words(rag), counts[rag], colour=RAG_COLOURS[rag]) for rag in order]


def bar_chart(title: str, bars: Sequence[Bar], *, unit: str = "") -> Markup:
    """Horizontal bars, largest scale first as given; labels on their own line so long names
    fit a phone's width."""
    n = next(_ids)
    width, row, label_h, bar_h = 640, 46, 18, 18
    height = max(len(bars), 1) * row + 10
    top = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<svg class="knet-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{n}-title">{escape(title)}</title>',
        _desc(n, "; ".join(f"{b.label}: {_number(b.value)}{unit}" for b in bars) or "No data yet"),
    ]
    if not bars:
        parts.append(f'<text x="0" y="24" fill="{TEXT}" font-size="16">No data yet</text>')
    for i, b in enumerate(bars):
        y = i * row + 4
        length = round((width - 140) * b.value / top)
        parts += [
            f'<text x="0" y="{y + 14}" fill="{TEXT}" font-size="15">{escape(b.label)}</text>',
            f'<rect x="0" y="{y + label_h + 2}" width="{max(length, 2)}" height="{bar_h}" '
            f'fill="{b.colour}" stroke="{TEXT}" stroke-width="0.5"/>',
            f'<text x="{max(length, 2) + 6}" y="{y + label_h + 16}" fill="{TEXT}" '
            f'font-size="15">{_number(b.value)}{escape(unit)} {escape(b.note)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(title: str, points: Sequence[tuple[str, float]], *, unit: str = "") -> Markup:
    """A series over time: `points` are (label, value) in order; the first and last labels and
    the last value are written on the chart."""
    n = next(_ids)
    width, height, pad = 640, 220, 36
    top = max((v for _, v in points), default=0) or 1
    parts = [
        f'<svg class="knet-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{n}-title">{escape(title)}</title>',
        _desc(n, "; ".join(f"{label}: {_number(v)}{unit}" for label, v in points) or "No data"),
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - 10}" y2="{height - pad}" '
        f'stroke="{GRID}"/>',
        f'<text x="0" y="{pad - 8}" fill="{TEXT}" font-size="14">{_number(top)}{escape(unit)}'
        "</text>",
    ]
    if points:
        step = (width - pad - 20) / max(len(points) - 1, 1)
        xy = [
            (pad + i * step, height - pad - (height - 2 * pad) * v / top)
            for i, (_, v) in enumerate(points)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="3"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{BAR}"/>' for x, y in xy]
        first, last = points[0], points[-1]
        parts += [
            f'<text x="{pad}" y="{height - 12}" fill="{TEXT}" font-size="14">'
            f"{escape(first[0])}</text>",
            f'<text x="{width - 10}" y="{height - 12}" fill="{TEXT}" font-size="14" '
            f'text-anchor="end">{escape(last[0])}</text>',
            f'<text x="{xy[-1][0]:.1f}" y="{xy[-1][1] - 10:.1f}" fill="{TEXT}" font-size="14" '
            f'text-anchor="end">{_number(last[1])}{escape(unit)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


# The ten regions as tiles, roughly where they lie: (column, row).
TILES = {
    "SCO": (1, 0),
    "NI": (0, 1),
    "NW": (1, 1),
    "NEY": (2, 1),
    "WAL": (0, 2),
    "MID": (1, 2),
    "EOE": (2, 2),
    "SW": (0, 3),
    "SE": (1, 3),
    "LDN": (2, 3),
}
# Fill and text colour per state; every tile also says its state in words.
STATE_COLOURS = {
    "none": ("#f0f4f5", TEXT),
    "proposed": ("#ccdff1", TEXT),
    "active": ("#005eb8", "#ffffff"),
    "paused": ("#ffb81c", TEXT),
    "done": ("#007f3b", "#ffffff"),
}
STATE_WORDS = {
    "none": "No plan",
    "proposed": "Proposed",
    "active": "Active",
    "paused": "Paused",
    "done": "Done",
}


def tile_map(title: str, states: Mapping[str, str], names: Mapping[str, str]) -> Markup:
    """The ten regions as tiles coloured and labelled by state (see STATE_WORDS)."""
    n = next(_ids)
    size, gap = 150, 8
    width, height = 3 * (size + gap), 4 * (size * 0.6 + gap)
    parts = [
        f'<svg class="knet-chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{n}-title">{escape(title)}</title>',
        _desc(
            n,
            "; ".join(
                f"{names.get(code, code)}: {STATE_WORDS[states.get(code, 'none')]}"
                for code in TILES
            ),
        ),
    ]
    for code, (col, row) in TILES.items():
        state = states.get(code, "none")
        fill, ink = STATE_COLOURS[state]
        x, y = col * (size + gap), row * (size * 0.6 + gap)
        parts += [
            f'<rect x="{x}" y="{y:.0f}" width="{size}" height="{size * 0.6:.0f}" rx="4" '
            f'fill="{fill}" stroke="{TEXT}" stroke-width="1"/>',
            f'<text x="{x + 8}" y="{y + 26:.0f}" fill="{ink}" font-size="17" font-weight="bold">'
            f"{escape(code)}</text>",
            f'<text x="{x + 8}" y="{y + 50:.0f}" fill="{ink}" font-size="14">'
            f"{escape(STATE_WORDS[state])}</text>",
            f'<text x="{x + 8}" y="{y + 72:.0f}" fill="{ink}" font-size="11">'
            f"{escape(_short(names.get(code, code)))}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def most_advanced(by_status: Mapping[str, int]) -> str:
    """A region's state for the map: its furthest plan (done, then active, paused, proposed)."""
    for state in ("done", "active", "paused", "proposed"):
        if by_status.get(state):
            return state
    return "none"


def _desc(n: int, text: str) -> str:
    # An f-string, not `str + escape(...)`: adding to Markup would escape the tags too.
    return f'<desc id="chart-{n}-desc">{escape(text)}</desc>'


def _short(name: str) -> str:
    return name if len(name) <= 22 else name[:21] + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
