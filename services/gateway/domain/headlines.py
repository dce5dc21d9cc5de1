"""The operators' headline numbers: what each one measures, as a PromQL query for Prometheus
and as the same sum over samples read from each process's /metrics when there is no
Prometheus. Pure: no I/O."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Headline:
    key: str
    title: str
    metric: str  # the sample name as exposed (counters end in _total)
    by: str | None = None  # the label it is broken down by, if any

    @property
    def total_query(self) -> str:
        return f"sum({self.metric})"

    @property
    def breakdown_query(self) -> str | None:
        return f"sum by ({self.by}) ({self.metric})" if self.by else None


HEADLINES = (
    Headline("members", "Members per region", "knet_members", "region"),
    Headline("events", "Upcoming events", "knet_events_upcoming", "region"),
    Headline("plans", "Plans per status", "knet_plans", "status"),
    Headline("dead_letters", "Dead letters", "knet_dead_letters_total", "group"),
    Headline("lag", "Consumer lag", "knet_consumer_lag", "group"),
    Headline("outbox", "Outbox backlog", "knet_outbox_backlog", "collection"),
)


@dataclass(frozen=True)
class Sample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float


@dataclass(frozen=True)
class Reading:
    headline: Headline
    total: float
    breakdown: dict[str, float]
    series: list[tuple[str, float]]  # (HH:MM, total) over the last hour; empty without Prometheus


def from_samples(headline: Headline, samples: Iterable[Sample]) -> Reading:
    """The headline from /metrics samples of several processes. A series reported by more than
    one process with the same labels counts once (its largest value): the domain gauges are
    computed from the database by every replica alike."""
    series: dict[tuple[tuple[str, str], ...], float] = {}
    for sample in samples:
        if sample.name == headline.metric:
            series[sample.labels] = max(series.get(sample.labels, sample.value), sample.value)
    breakdown: dict[str, float] = defaultdict(float)
    for labels, value in series.items():
        if headline.by:
            breakdown[dict(labels).get(headline.by, "")] += value
    return Reading(headline, sum(series.values()), dict(sorted(breakdown.items())), [])
