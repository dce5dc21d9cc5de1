"""What a regional node submits on knet.regional-submissions.v1 (CloudEvent type
`uk.nhs.knet.event.submitted.v1`, source `/regions/<code>`), and how it becomes details.

The model is lenient on purpose: a submission whose content breaks the rules is answered with
`submission.rejected` and every reason, which a node can act on; only a message that is not a
CloudEvent at all goes to the dead-letter topic."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, ValidationError

from services.events.domain.details import EventDetails, Kind, Mode, Scope, problems
from shared import topics
from shared.cloudevents import Fact
from shared.text import control_characters_in, invisible_characters_in, line_breaks_in

SUBMITTED = "uk.nhs.knet.event.submitted.v1"
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SOURCE = re.compile(r"^/regions/([A-Z]{2,3})$")
# The submission's text that may run over several lines; the rest is one line each, and the
# title shows what it says (shared/text.py, as the API's request bodies).
PARAGRAPHS = ("summary", "description", "cancel_reason")


class EventSubmission(Fact):
    """A regional node's event, created or updated by its own external id; `action: cancel`
    cancels it."""

    event_type: ClassVar[str] = SUBMITTED
    topic: ClassVar[str] = topics.REGIONAL_SUBMISSIONS
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "external_id": "ldn-2027-01-peer-assist",
                    "action": "publish",
                    "title": "Peer assist clinic",
                    "summary": "Bring a problem",
                    "kind": "workshop",
                    "mode": "online",
                    "scope": "regional",
                    "region": "LDN",
                    "starts_at": "2027-01-12T10:00:00Z",
                    "ends_at": "2027-01-12T12:00:00Z",
                    "join_url": "https://meet.example/peer-assist",
                    "tags": ["R4"],
                    "capacity": 30,
                }
            ]
        },
    )

    external_id: str = Field(
        description="The node's own id for the event (1-64 of A-Z a-z 0-9 . _ -)"
    )
    action: Literal["publish", "cancel"] = "publish"
    title: str = ""
    summary: str = ""
    description: str = ""
    kind: str = ""
    mode: str = ""
    scope: str = "regional"
    region: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str = "Europe/London"
    venue: str | None = None
    join_url: str | None = None
    tags: list[str] = Field(default_factory=list)
    capacity: int = 0
    cancel_reason: str = ""


def node_of(source: str) -> str | None:
    """`/regions/LDN` -> `LDN`: the node a submission came from."""
    match = _SOURCE.match(source)
    return match.group(1) if match else None


def event_id_for(node: str, external_id: str) -> str:
    """One event per (node, external id): a repeated submission finds the same event."""
    return f"node-{node}-{external_id}"


def read(data: dict[str, Any]) -> tuple[EventSubmission | None, list[str]]:
    """The submission (None when it can't be read) and every reason found so far."""
    reasons = [
        f"{path}: control characters are not allowed" for path in control_characters_in(data)
    ]
    one_line = {k: v for k, v in data.items() if k not in PARAGRAPHS}
    reasons += [f"{path}: line breaks are not allowed" for path in line_breaks_in(one_line)]
    reasons += [
        f"{path}: bidirectional controls and invisible characters are not allowed"
        for path in invisible_characters_in({"title": data.get("title")})
    ]
    try:
        submission = EventSubmission.model_validate(data)
    except ValidationError as exc:
        reasons += [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return None, reasons
    return submission, reasons


def to_details(
    submission: EventSubmission, *, node: str, now: datetime
) -> tuple[EventDetails | None, list[str]]:
    """The details, or every reason the submission can't be accepted."""
    found = []
    if not _EXTERNAL_ID.match(submission.external_id):
        found.append("external_id: 1-64 of A-Z a-z 0-9 . _ -")
    if submission.region != node:
        found.append(f"region: the {node} node can only submit events for {node}")
    if submission.scope == Scope.NATIONAL.value:
        # A node speaks for its region; national events are the core group's (organising.py).
        found.append("scope: a regional node submits local or regional events, not national")
    if not 1 <= submission.capacity <= 10_000:
        found.append("capacity: between 1 and 10,000 for a regional node's event")
    choices = {"kind": Kind, "mode": Mode, "scope": Scope}
    unreadable = set()
    for name, enum in choices.items():
        if getattr(submission, name) not in {e.value for e in enum}:
            found.append(f"{name}: one of {', '.join(e.value for e in enum)}")
            unreadable.add(name)
    starts, ends = submission.starts_at, submission.ends_at
    if starts is None or ends is None:
        found.append("starts_at/ends_at: both are required")
        unreadable.add("times")
    # The details' own rules too, so that a node hears every mistake at once: a field that
    # could not be read stands in with a neutral value, and what depends on it is left out
    # (a venue is needed only for an in-person event, and the mode was already reported).
    placeholder = now + timedelta(days=1)
    details = EventDetails(
        title=submission.title,
        summary=submission.summary,
        description=submission.description,
        kind=Kind(submission.kind) if "kind" not in unreadable else Kind.WORKSHOP,
        mode=Mode(submission.mode) if "mode" not in unreadable else Mode.ONLINE,
        scope=Scope(submission.scope) if "scope" not in unreadable else Scope.REGIONAL,
        region=submission.region,
        starts_at=starts or placeholder,
        ends_at=ends or placeholder + timedelta(hours=1),
        timezone=submission.timezone,
        venue=submission.venue,
        join_url=submission.join_url,
        tags=tuple(submission.tags),
    )
    depends = {
        "mode": ("venue:", "join_url:"),
        "scope": ("region:",),
        "times": ("starts_at", "ends_at"),
    }
    skipped = tuple(prefix for field in unreadable for prefix in depends.get(field, ()))
    found += [p for p in problems(details, now=now) if not p.startswith(skipped)]
    return (None, found) if found else (details, [])


_RAW_SOURCE = re.compile(rb'"source"\s*:\s*"(/regions/[A-Z]{2,3})"')
_RAW_EXTERNAL_ID = re.compile(rb'"external_id"\s*:\s*"([A-Za-z0-9._-]{1,64})"')


def salvage(raw: bytes) -> tuple[str | None, str | None]:
    """(node, external id) read from a submission that is not a valid CloudEvent, so its node
    can still be told. Reads the JSON if it parses, else scans the bytes: a truncated or
    hand-edited message usually still names both."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        source = parsed.get("source")
        data = parsed.get("data")
        external_id = data.get("external_id") if isinstance(data, dict) else None
        node = node_of(source) if isinstance(source, str) else None
        valid_id = isinstance(external_id, str) and _EXTERNAL_ID.match(external_id)
        return node, external_id if valid_id else None
    source_match = _RAW_SOURCE.search(raw)
    id_match = _RAW_EXTERNAL_ID.search(raw)
    return (
        node_of(source_match.group(1).decode()) if source_match else None,
        id_match.group(1).decode() if id_match else None,
    )
