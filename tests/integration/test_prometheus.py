"""Metrics as operators get them: Debian's Prometheus scrapes a running service over HTTP and
answers PromQL with its domain gauges and RED metrics; the alert rules pass their promtool
tests and the deploy config is valid."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from services.gateway.domain.headlines import HEADLINES
from services.gateway.usecases import operations
from services.recommendations.app import create_app
from shared.clock import new_id
from shared.services import discover
from shared.settings import REPO_ROOT, PlatformSettings
from tests.conftest import eventually
from tests.contract.test_dashboards import dashboard_queries
from tests.integration.callers import as_member
from tests.integration.recommendations.conftest import recommendations_settings
from tools.infra import prometheus as local_prometheus
from tools.infra.processes import free_port

RULES = REPO_ROOT / "deploy" / "prometheus"


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: apt-get install prometheus (.ci/run does)"
    return found


def test_the_deploy_config_is_valid_and_the_alert_rules_pass_their_tests() -> None:
    promtool = tool("promtool")
    for args in (["check", "config", "prometheus.yml"], ["test", "rules", "alerts_test.yml"]):
        result = subprocess.run([promtool, *args], cwd=RULES, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
async def served_recommendations(infra: PlatformSettings) -> AsyncIterator[str]:
    """The recommendations service on a real port, as Prometheus needs."""
    settings = recommendations_settings(infra, f"_prom_{new_id()}").model_copy(
        update={"gauge_refresh_seconds": 0.2}
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None)
    )
    task = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{port}"

    async def started() -> bool:
        return server.started

    await eventually(started, what="the service listening")
    yield base
    server.should_exit = True
    await task


@pytest.fixture
async def prometheus(served_recommendations: str, tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    config = tmp_path / "prometheus.yml"
    target = served_recommendations.removeprefix("http://")
    config.write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: knet\n    static_configs: [{{targets: ['{target}']}}]\n"
    )
    log = (tmp_path / "prometheus.log").open("w")
    process = await asyncio.create_subprocess_exec(
        tool("prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)
        log.close()


async def test_prometheus_scrapes_the_domain_gauges_and_red_metrics(
    served_recommendations: str, prometheus: str, infra: PlatformSettings
) -> None:
    lead = as_member(infra, f"f-{new_id()}", "facilitator", region="LDN")
    async with httpx.AsyncClient(base_url=served_recommendations) as service:
        for code in ("R1", "R2"):
            plan = {"code": code, "scope": "region", "scope_id": "LDN", "goal": "g"}
            assert (await service.post("/v1/plans", json=plan, headers=lead)).status_code == 201

    async def query(promql: str) -> list[dict[str, object]]:
        async with httpx.AsyncClient(base_url=prometheus) as client:
            try:
                response = await client.get("/api/v1/query", params={"query": promql})
            except httpx.TransportError:
                return []  # not listening yet
        if response.status_code != 200:
            return []  # listening, but not ready yet (503 "Service Unavailable" as it starts)
        result: list[dict[str, object]] = response.json()["data"]["result"]
        return result

    async def value(promql: str) -> float | None:
        found = await query(promql)
        return float(found[0]["value"][1]) if found else None  # type: ignore[index]

    async def scraped() -> bool:
        return await value('knet_plans{status="proposed"}') == 2

    await eventually(scraped, timeout=60, what="Prometheus to scrape knet_plans")
    assert await value('up{job="knet"}') == 1
    assert await value('knet_plans{status="active"}') == 0
    created = (
        'sum(knet_http_requests_total{service="recommendations", route="/v1/plans", status="201"})'
    )
    assert (await value(created) or 0) >= 2


async def test_every_dashboard_query_runs(prometheus: str) -> None:
    async def ready() -> bool:
        async with httpx.AsyncClient(base_url=prometheus) as client:
            try:
                return (await client.get("/-/ready")).status_code == 200
            except httpx.TransportError:
                return False

    await eventually(ready, what="Prometheus ready")
    async with httpx.AsyncClient(base_url=prometheus) as client:
        for promql in dashboard_queries():
            response = await client.get("/api/v1/query", params={"query": promql})
            assert response.json()["status"] == "success", (promql, response.text)


async def test_the_operators_headlines_read_from_prometheus(
    served_recommendations: str, prometheus: str, infra: PlatformSettings
) -> None:
    """The gateway's operator page reads its headline numbers and their last hour from
    Prometheus when it knows one (services/gateway/usecases/operations.py)."""
    lead = as_member(infra, f"f-{new_id()}", "facilitator", region="NW")
    async with httpx.AsyncClient(base_url=served_recommendations) as service:
        plan = {"code": "R3", "scope": "region", "scope_id": "NW", "goal": "g"}
        assert (await service.post("/v1/plans", json=plan, headers=lead)).status_code == 201

    async def plans_read() -> bool:
        try:
            found = await operations.prometheus_readings(prometheus, datetime.now(UTC))
        except httpx.HTTPError:
            return False
        plans = next(r for r in found if r.headline.key == "plans")
        return plans.breakdown.get("proposed") == 1 and bool(plans.series)

    await eventually(plans_read, timeout=60, what="the plans headline from Prometheus")
    found = await operations.prometheus_readings(prometheus, datetime.now(UTC))
    assert [r.headline.key for r in found] == [h.key for h in HEADLINES]
    plans = next(r for r in found if r.headline.key == "plans")
    assert plans.total == 1
    assert plans.series[-1][1] == 1


def test_the_config_knet_up_writes_is_valid_and_scrapes_every_process(tmp_path: Path) -> None:
    specs = discover()
    line = local_prometheus.command("prometheus", tmp_path, specs)
    config = tmp_path / "prometheus.yml"
    assert f"--config.file={config}" in line
    result = subprocess.run(
        [tool("promtool"), "check", "config", str(config)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for spec in specs:
        assert f"127.0.0.1:{spec.bound_port()}" in config.read_text()
