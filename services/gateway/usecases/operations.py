"""What operators watch and do: each service's health, the headline numbers (from Prometheus
when the gateway knows one, else from each process's /metrics now), and the dead-letter topic
(browse, replay one, discard one; a decision is recorded once, so two operators acting at
once take one action)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.gateway.clients.http import Services, ServiceUnavailable
from services.gateway.domain.headlines import HEADLINES, Headline, Reading, Sample, from_samples
from services.gateway.stores import Stores
from shared import deadletter
from shared.caller import Caller
from shared.errors import Conflict, Forbidden, Invalid, NotFound

UNDECIDED = "undecided"


def require_operator(caller: Caller) -> None:
    if not caller.has("operator"):
        raise Forbidden("not_permitted", "This is for the network's operators")


@dataclass(frozen=True)
class Health:
    service: str
    ready: bool
    detail: str
    millis: float


async def health(services: Services) -> list[Health]:
    async def check(name: str) -> Health:
        started = time.perf_counter()
        try:
            response = await services.probe(name, "/health/ready")
        except ServiceUnavailable as down:
            return Health(name, False, f"not answering ({down})", 0.0)
        millis = (time.perf_counter() - started) * 1000
        detail = "ready" if response.status_code == 200 else response.text[:300]
        return Health(name, response.status_code == 200, detail, millis)

    return list(await asyncio.gather(*(check(name) for name in services.clients)))


async def scraped_readings(services: Services) -> list[Reading]:
    """Every process's /metrics now (no history: the charts show the current breakdown)."""

    async def scrape(name: str) -> list[Sample]:
        try:
            response = await services.probe(name, "/metrics")
        except ServiceUnavailable:
            return []
        return [
            Sample(s.name, tuple(sorted(s.labels.items())), s.value)
            for family in text_string_to_metric_families(response.text)
            for s in family.samples
        ]

    samples = [s for found in await asyncio.gather(*map(scrape, services.clients)) for s in found]
    return [from_samples(headline, samples) for headline in HEADLINES]


async def prometheus_readings(url: str, now: datetime) -> list[Reading]:
    """The same headlines from Prometheus, each with its last hour as a series."""
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:

        async def instant(query: str) -> list[dict[str, Any]]:
            response = await client.get("/api/v1/query", params={"query": query})
            response.raise_for_status()
            result: list[dict[str, Any]] = response.json()["data"]["result"]
            return result

        async def hour(query: str) -> list[tuple[str, float]]:
            params: dict[str, str | float] = {
                "query": query,
                "start": (now - timedelta(hours=1)).timestamp(),
                "end": now.timestamp(),
                "step": "60",
            }
            response = await client.get("/api/v1/query_range", params=params)
            response.raise_for_status()
            result = response.json()["data"]["result"]
            values = result[0]["values"] if result else []
            return [
                (datetime.fromtimestamp(float(at), now.tzinfo).strftime("%H:%M"), float(v))
                for at, v in values
            ]

        async def reading(headline: Headline) -> Reading:
            total, series = await asyncio.gather(
                instant(headline.total_query), hour(headline.total_query)
            )
            breakdown: dict[str, float] = {}
            if headline.breakdown_query:
                for row in await instant(headline.breakdown_query):
                    breakdown[row["metric"].get(headline.by or "", "")] = float(row["value"][1])
            value = float(total[0]["value"][1]) if total else 0.0
            return Reading(headline, value, dict(sorted(breakdown.items())), series)

        return list(await asyncio.gather(*map(reading, HEADLINES)))


async def readings(
    services: Services, prometheus_url: str | None, now: datetime
) -> tuple[list[Reading], str]:
    """The headlines and where they came from; Prometheus down falls back to /metrics."""
    if prometheus_url:
        try:
            return await prometheus_readings(prometheus_url, now), "prometheus"
        except (httpx.HTTPError, KeyError, ValueError):
            pass
    return await scraped_readings(services), "metrics"


@dataclass(frozen=True)
class DeadLetterView:
    entry: str  # "partition:offset"
    partition: int
    offset: int
    reason: str
    error: str
    group: str
    original_topic: str
    failed_at: str
    attempts: str
    event_type: str
    event_id: str
    body: str
    decision: dict[str, Any] | None


def _view(letter: deadletter.DeadLetter, decision: dict[str, Any] | None) -> DeadLetterView:
    h = letter.headers
    text = (letter.value or b"").decode(errors="replace")
    try:
        event = json.loads(text)
    except ValueError:
        event = None
    event = event if isinstance(event, dict) else {}
    return DeadLetterView(
        entry=f"{letter.partition}:{letter.offset}",
        partition=letter.partition,
        offset=letter.offset,
        reason=h.get(deadletter.REASON, ""),
        error=h.get(deadletter.ERROR, ""),
        group=h.get(deadletter.CONSUMER_GROUP, ""),
        original_topic=letter.original_topic,
        failed_at=h.get(deadletter.FAILED_AT, ""),
        attempts=h.get(deadletter.ATTEMPTS, ""),
        event_type=str(event.get("type", "")),
        event_id=str(event.get("id", "")),
        body=text[:4000],
        decision=decision,
    )


async def dead_letters(
    stores: Stores,
    kafka: Mapping[str, Any],
    *,
    caller: Caller,
    show: str = UNDECIDED,
    limit: int = 50,
) -> list[DeadLetterView]:
    """The newest dead letters first; by default those no operator has answered yet."""
    require_operator(caller)
    letters = await deadletter.list_dead_letters(kafka, limit=500, newest=True)
    entries = [f"{d.partition}:{d.offset}" for d in letters]
    decisions = await stores.decisions.decided(entries)
    views = [_view(d, decisions.get(e)) for d, e in zip(letters, entries, strict=True)]
    if show == UNDECIDED:
        views = [v for v in views if v.decision is None]
    return list(reversed(views))[:limit]


def _entry(partition: int, offset: int) -> str:
    if partition < 0 or offset < 0:
        raise Invalid("invalid_entry", "Partitions and offsets are not negative")
    return f"{partition}:{offset}"


async def replay(
    stores: Stores, kafka: Mapping[str, Any], *, caller: Caller, partition: int, offset: int
) -> deadletter.DeadLetter:
    require_operator(caller)
    entry = _entry(partition, offset)
    now = stores.clock.now()
    if not await stores.decisions.claim(
        entry, decision="replayed", by=caller.member_id, at=now, note=""
    ):
        raise Conflict("already_decided", "Another operator has answered this dead letter")
    try:
        return await deadletter.replay_dead_letter(kafka, partition=partition, offset=offset)
    except LookupError as missing:
        await stores.decisions.release(entry)
        raise NotFound("no_such_dead_letter", str(missing)) from missing
    except BaseException:
        await stores.decisions.release(entry)
        raise


async def discard(
    stores: Stores, *, caller: Caller, partition: int, offset: int, reason: str
) -> None:
    """Takes it off the list, with the reason; Kafka keeps the record (its retention ends it)."""
    require_operator(caller)
    reason = reason.strip()
    if not reason:
        raise Invalid("reason_required", "Say why it is discarded")
    entry = _entry(partition, offset)
    if not await stores.decisions.claim(
        entry, decision="discarded", by=caller.member_id, at=stores.clock.now(), note=reason[:500]
    ):
        raise Conflict("already_decided", "Another operator has answered this dead letter")
