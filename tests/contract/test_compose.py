"""docker-compose.yml can't run here (no Docker engine), so it is checked by parsing: every
service that exists runs from the one image with production settings, health-gated
dependencies, resource limits and a non-root user; and the stack trusts no network: only the
gateway is published, the services and databases sit on internal networks, each service signs
in to MongoDB and Kafka (SASL/SCRAM over TLS) as its own user, and no secret has a default."""

from __future__ import annotations

import re
from typing import Any

import yaml

from shared.services import discover
from shared.settings import REPO_ROOT
from tools.infra.kafka_access import grant_files, platform_access


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
        assert service["read_only"] is True
        assert service["environment"]["KNET_ENVIRONMENT"] == "production"
        assert service["environment"]["KNET_BIND_HOST"] == "0.0.0.0"
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert service["depends_on"]["mongodb"]["condition"] == "service_healthy"
        assert service["depends_on"]["grants"]["condition"] == "service_completed_successfully"
        assert service["deploy"]["resources"]["limits"]["memory"]


def test_only_the_gateway_is_published() -> None:
    services = compose()["services"]
    published = {
        name: ports for name, service in services.items() if (ports := service.get("ports"))
    }
    assert published.pop("gateway") == ["8000:8000"]
    # Anything else answers on the host's loopback only (an operator's SSH tunnel).
    for name, ports in published.items():
        assert all(p.startswith("127.0.0.1:") for p in ports), name
    networks = compose()["networks"]
    assert networks["internal"]["internal"] is True
    assert networks["data"]["internal"] is True
    for name in [spec.name for spec in discover()]:
        if name not in ("gateway", "notifications"):  # the mail relay is outside
            assert "edge" not in services[name]["networks"], name
    for store in ("kafka", "mongodb", "prometheus"):
        assert set(services[store]["networks"]) <= {"internal", "data"}, store


def test_each_service_signs_in_as_itself_and_no_secret_has_a_default() -> None:
    services = compose()["services"]
    for name in [spec.name for spec in discover()]:
        env = services[name]["environment"]
        assert env["KNET_MONGODB_URI"].startswith(f"mongodb://{name}:${{KNET_MONGODB_PASSWORD_")
        assert (env["KNET_KAFKA_USERNAME"], env["KNET_KAFKA_TLS"]) == (name, "true")
        assert env["KNET_KAFKA_BOOTSTRAP"] == "kafka:9093"
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    for variable in re.findall(r"\$\{(KNET_[A-Z_]*(?:PASSWORD|SECRET|KEY)[A-Z_]*)([^}]*)\}", text):
        name, rule = variable
        assert rule.startswith(":?"), f"{name} must be required, never defaulted"
    assert services["mongodb"]["command"][-1] == "--auth"


def test_the_grants_compose_runs_are_the_codes() -> None:
    for path, text in grant_files().items():
        assert (REPO_ROOT / path).read_text() == text, f"{path} drifted: run `knet grants`"
    script = (REPO_ROOT / "deploy/kafka/grant.sh").read_text()
    for user, access in platform_access().items():
        assert f"--entity-name {user} " in script
        for topic in access.writes:
            assert f"User:{user} --operation Write" in script
            assert topic in script


def test_infrastructure_is_health_checked_and_topics_are_created() -> None:
    services = compose()["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["mongodb"]["image"].startswith("mongo:")
    for name in ("kafka", "mongodb"):
        assert services[name]["healthcheck"]["test"]
    assert services["grants"]["entrypoint"][-1] == "/deploy/kafka/topics-and-grants.sh"


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
        name: compose()["services"][name]["environment"]["PORT"]
        for name in [spec.name for spec in discover()]
    }
    assert targets == {f"{name}:{port}" for name, port in ports.items()}
