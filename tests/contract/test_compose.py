"""docker-compose.yml can't run here (no Docker engine), so it is checked by parsing: every
service that exists runs from the one image with production settings, health-gated
dependencies, resource limits and a non-root user."""

from __future__ import annotations

from typing import Any

import yaml

from shared.services import discover
from shared.settings import REPO_ROOT


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    return document


def test_every_service_is_in_compose_with_production_settings() -> None:
    services = compose()["services"]
    for name in [spec.name for spec in discover()]:
        assert name in services, f"{name} is missing from docker-compose.yml"
        service = services[name]
        assert service["command"] == ["python", "-m", f"services.{name}"]
        assert service["build"]["dockerfile"] == "deploy/docker/Dockerfile"
        assert service["user"] == "10001"
        assert service["environment"]["KNET_ENVIRONMENT"] == "production"
        assert service["environment"]["KNET_BIND_HOST"] == "0.0.0.0"
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert service["depends_on"]["mongodb"]["condition"] == "service_healthy"
        assert service["deploy"]["resources"]["limits"]["memory"]


def test_infrastructure_is_health_checked_and_topics_are_created() -> None:
    services = compose()["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["mongodb"]["image"].startswith("mongo:")
    for name in ("kafka", "mongodb"):
        assert services[name]["healthcheck"]["test"]
    assert services["topics"]["command"] == ["knet", "topics", "create"]


def test_dockerfile_runs_as_non_root_with_a_health_check() -> None:
    dockerfile = (REPO_ROOT / "deploy" / "docker" / "Dockerfile").read_text()
    assert "USER 10001" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "/health/live" in dockerfile


def test_prometheus_scrapes_every_service_with_the_tested_rules() -> None:
    prometheus = compose()["services"]["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    config = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = config["scrape_configs"]
    targets = set(job["static_configs"][0]["targets"])
    ports = {
        name: compose()["services"][name]["ports"][0].split(":")[0]
        for name in [spec.name for spec in discover()]
    }
    assert targets == {f"{name}:{port}" for name, port in ports.items()}
