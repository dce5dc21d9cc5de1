"""The calendar as Thunderbird reads it: ical.js 2.2.1 under Node parses the service's .ics and
its private feed, and every event starts and ends at the instant it was entered, in summer
and in winter (ical.js reads only the first value of an RDATE line, so a zone written as
RDATEs put every London event an hour early)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.clock import new_id
from shared.settings import REPO_ROOT, PlatformSettings
from tests.integration.events.conftest import as_member, event_body

TOOL = REPO_ROOT / "tests" / "tools" / "icaljs"


@pytest.fixture(scope="module")
def icaljs() -> Path:
    """The reader's folder with ical.js installed from the committed lock file (npm ci)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node and npm are not installed: ical.js cannot read the calendar here")
    folder = PlatformSettings().cache_dir / "icaljs"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "read-calendar.mjs"):
        shutil.copyfile(TOOL / name, folder / name)
    installed = folder / "node_modules" / "ical.js" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != "2.2.1":
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            check=True,
            timeout=300,
        )
    return folder


def read_with_icaljs(folder: Path, calendar: bytes) -> dict[str, dict[str, Any]]:
    result = subprocess.run(
        ["node", "read-calendar.mjs"],
        cwd=folder,
        input=calendar,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return {event["uid"].split("@")[0]: event for event in json.loads(result.stdout)}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def test_icaljs_reads_every_event_at_the_instant_it_was_entered(
    events_http: httpx.AsyncClient, infra: PlatformSettings, icaljs: Path
) -> None:
    organiser = as_member(infra, "cal-reader-org")
    year = datetime.now(UTC).year + 1
    # 10:00 in London in summer (BST, 09:00 UTC) and in winter (GMT, 10:00 UTC), one
    # across the change of the clocks, and one the following year.
    times = [
        datetime(year, 7, 14, 9, 0, tzinfo=UTC),
        datetime(year, 12, 8, 10, 0, tzinfo=UTC),
        datetime(year, 10, 24, 22, 0, tzinfo=UTC),
        datetime(year + 1, 3, 30, 9, 30, tzinfo=UTC),
    ]
    member_id = f"cal-reader-{new_id()}"
    member = as_member(infra, member_id)
    created = []
    for starts in times:
        body = event_body(
            capacity=5,
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=9)).isoformat(),
        )
        event = (await events_http.post("/v1/events", json=body, headers=organiser)).json()
        await events_http.post(f"/v1/events/{event['id']}/registrations", headers=member)
        created.append(event)

    one = await events_http.get(f"/v1/events/{created[0]['id']}.ics", headers=member)
    (read,) = read_with_icaljs(icaljs, one.content).values()
    assert read["zone"] == "Europe/London"
    assert instant(read["start"]) == times[0]

    link = (await events_http.get(f"/v1/members/{member_id}/calendar-link", headers=member)).json()
    feed = await events_http.get(link["path"])
    read_all = read_with_icaljs(icaljs, feed.content)
    for event, starts in zip(created, times, strict=True):
        assert instant(read_all[event["id"]]["start"]) == starts, event["starts_at"]
        assert instant(read_all[event["id"]]["end"]) == starts + timedelta(hours=9)
