"""What the docs say each service publishes and reads is what its code publishes and
subscribes to (`tools.infra.kafka_access.platform_access`, which production's grants come from
too): the README's table, the architecture's table and each service's own README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared import topics
from shared.services import discover
from tools.infra.kafka_access import platform_access

ROOT = Path(__file__).resolve().parents[2]
TOPIC = re.compile(r"`(knet\.[a-z.-]+\.v\d+)`")
ACCESS = platform_access()
DOMAIN_SERVICES = [spec.name for spec in discover() if spec.name != "gateway"]


def published(service: str) -> set[str]:
    return set(ACCESS[service].writes) - {topics.DEAD_LETTERS}


def read(service: str) -> set[str]:
    return set(ACCESS[service].reads)


def table_row(markdown: str, service: str) -> list[str]:
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(rf"\[?{service}\]?(\(.*\))?", cells[0]):
            return cells
    raise AssertionError(f"no row for {service}")


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_the_readme_table_says_what_each_service_publishes_and_reads(service: str) -> None:
    talks_to = table_row((ROOT / "README.md").read_text(), service)[-1]
    parts = {part.split()[0]: part for part in (p.strip() for p in talks_to.split(";")) if part}
    assert set(TOPIC.findall(parts.get("publishes", ""))) == published(service)
    assert set(TOPIC.findall(parts.get("reads", ""))) == read(service)


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_the_architecture_table_says_what_each_service_publishes_and_reads(service: str) -> None:
    row = table_row((ROOT / "docs" / "architecture.md").read_text(), service)
    assert set(TOPIC.findall(row[2])) == published(service)
    assert set(TOPIC.findall(row[3])) == read(service)


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_each_service_readme_names_every_topic_it_publishes_and_reads(service: str) -> None:
    text = (ROOT / "services" / service / "README.md").read_text()
    named = set(re.findall(r"knet\.[a-z-]+\.v\d+", text))
    assert published(service) | read(service) <= named
