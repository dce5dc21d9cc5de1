"""observe_all reaches into prometheus-client's Histogram: held here to observing one by one."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram

from shared.metrics import LATENCY_BUCKETS, observe_all


def _samples(histogram: Histogram) -> dict[tuple[str, str], float]:
    return {
        (sample.name, sample.labels.get("le", "")): sample.value
        for metric in histogram.collect()
        for sample in metric.samples
        if not sample.name.endswith("_created")
    }


def test_observing_all_at_once_counts_as_observing_each() -> None:
    amounts = [0.0, 0.001, 0.0011, 0.003, 0.003, 0.2, 4.9, 5.0, 7.5, 120.0]
    one_by_one = Histogram("one", "", ["g"], buckets=LATENCY_BUCKETS, registry=CollectorRegistry())
    at_once = Histogram("one", "", ["g"], buckets=LATENCY_BUCKETS, registry=CollectorRegistry())
    for amount in amounts:
        one_by_one.labels("x").observe(amount)
    observe_all(at_once.labels("x"), amounts[:4])
    observe_all(at_once.labels("x"), amounts[4:])
    observe_all(at_once.labels("x"), [])

    assert _samples(at_once) == _samples(one_by_one)
    assert _samples(at_once)[("one_count", "")] == len(amounts)
    assert _samples(at_once)[("one_bucket", "0.001")] == 2  # an amount on a bound falls in it
