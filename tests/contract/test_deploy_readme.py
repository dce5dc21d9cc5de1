"""deploy/README.md names every index the services declare, under its service and collection,
so the page an operator sizes MongoDB from cannot drift from the code."""

from __future__ import annotations

import importlib

import pytest
from pymongo import IndexModel

from shared.services import discover
from shared.settings import REPO_ROOT

# Every service found by its spec, so that a new one cannot be left off the page.
DECLARED: dict[str, dict[str, list[IndexModel]]] = {
    spec.name: importlib.import_module(f"services.{spec.name}.repository").INDEXES
    for spec in discover()
}


def rows(service: str) -> dict[str, str]:
    text = (REPO_ROOT / "deploy" / "README.md").read_text()
    section = text.split(f"### {service} ")[1].split("\n### ")[0].split("\n## ")[0]
    found = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            found[line.split("`")[1]] = line
    return found


@pytest.mark.parametrize("service", sorted(DECLARED))
def test_every_declared_index_is_on_the_deploy_page(service: str) -> None:
    documented = rows(service)
    for collection, models in DECLARED[service].items():
        assert collection in documented, f"{service}.{collection} missing from deploy/README.md"
        for model in models:
            name = model.document["name"]
            assert f"`{name}`" in documented[collection], f"{service}.{collection}: {name}"
