"""What a network event is about, and the rules its details follow (shared by members'
submissions through the API and regional nodes' submissions through Kafka)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import Invalid
from shared.reference import region_codes

MAX_DURATION = timedelta(days=14)


class Kind(StrEnum):
    MEETUP = "meetup"
    WEBINAR = "webinar"
    WORKSHOP = "workshop"
    CONFERENCE = "conference"
    COMMUNITY_CALL = "community_call"


class Mode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Scope(StrEnum):
    LOCAL = "local"
    REGIONAL = "regional"
    NATIONAL = "national"


@dataclass(frozen=True)
class EventDetails:
    title: str
    summary: str
    description: str
    kind: Kind
    mode: Mode
    scope: Scope
    region: str | None
    starts_at: datetime
    ends_at: datetime
    timezone: str = "Europe/London"
    venue: str | None = None
    join_url: str | None = None
    tags: tuple[str, ...] = ()


def problems(details: EventDetails, *, now: datetime) -> list[str]:
    """Every rule the details break, so a node hears all its mistakes at once."""
    found = []
    if not 3 <= len(details.title.strip()) <= 200:
        found.append("title: 3 to 200 characters")
    if len(details.summary) > 500:
        found.append("summary: at most 500 characters")
    if len(details.description) > 10_000:
        found.append("description: at most 10,000 characters")
    if details.starts_at.tzinfo is None or details.ends_at.tzinfo is None:
        found.append("starts_at/ends_at: need a UTC offset")
    else:
        if details.ends_at <= details.starts_at:
            found.append("ends_at: must be after starts_at")
        elif details.ends_at - details.starts_at > MAX_DURATION:
            found.append("ends_at: an event lasts at most 14 days")
        if details.starts_at <= now:
            found.append("starts_at: must be in the future")
    try:
        ZoneInfo(details.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append(f"timezone: '{details.timezone}' is not an IANA time zone")
    national = details.scope is Scope.NATIONAL
    if national and details.region is not None and details.region not in region_codes():
        found.append(f"region: '{details.region}' is not a region")
    elif not national and details.region not in region_codes():
        found.append(f"region: a {details.scope.value} event needs a known region")
    if details.mode in (Mode.IN_PERSON, Mode.HYBRID) and not (details.venue or "").strip():
        found.append(f"venue: an {details.mode.value.replace('_', ' ')} event needs a venue")
    online = details.mode in (Mode.ONLINE, Mode.HYBRID)
    if online and not (details.join_url or "").startswith("https://"):
        found.append("join_url: an online or hybrid event needs an https:// link")
    if len(details.tags) > 20 or any(not t or len(t) > 50 for t in details.tags):
        found.append("tags: at most 20, each 1 to 50 characters")
    return found


def check(details: EventDetails, *, now: datetime) -> EventDetails:
    """The details in their stored form (times in UTC, to the second), or Invalid with every
    problem. Stored form first: the store keeps milliseconds, so comparing unnormalised times
    would find a "change" in every resubmission."""
    if found := problems(details, now=now):
        raise Invalid("invalid_event", "; ".join(found), problems=found)
    return replace(
        details,
        starts_at=details.starts_at.astimezone(UTC).replace(microsecond=0),
        ends_at=details.ends_at.astimezone(UTC).replace(microsecond=0),
    )
