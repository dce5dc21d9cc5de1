"""The provisioned Grafana dashboards ask only for metrics the platform exports (a renamed
metric would otherwise leave a panel silently empty); the PromQL itself is run against a live
Prometheus in tests/integration/test_prometheus.py."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from typing import Any

import yaml
from prometheus_client import REGISTRY

import services
from shared.settings import REPO_ROOT

GRAFANA = REPO_ROOT / "deploy" / "grafana"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def dashboard_queries() -> list[str]:
    queries = []
    for path in sorted((GRAFANA / "dashboards").glob("*.json")):
        dashboard: dict[str, Any] = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            queries += [target["expr"] for target in panel["targets"]]
    return queries


def exported_series() -> set[str]:
    for module in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"services.{module.name}.app")  # registers its gauges
    names = set()
    for family in REGISTRY.collect():
        for suffix in SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


def test_every_dashboard_metric_is_exported() -> None:
    queries = dashboard_queries()
    assert queries
    used = {name for q in queries for name in re.findall(r"\bknet_[a-z_]+", q)}
    assert used - exported_series() == set()


def test_grafana_is_provisioned_with_the_prometheus_the_dashboards_name() -> None:
    datasources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    uids = {d["uid"] for d in datasources["datasources"]}
    for path in (GRAFANA / "dashboards").glob("*.json"):
        for panel in json.loads(path.read_text())["panels"]:
            assert panel["datasource"]["uid"] in uids
