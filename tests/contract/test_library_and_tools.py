"""The platform library (shared/) and the services never import the development tooling
(tools/: the CLI, the embedded infrastructure, demo seeding, contract generation), so a
service's image carries the library without the tools and still runs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_library_and_the_services_never_import_the_tools() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imports_of(path) if m.split(".")[0] == "tools"
        )
        for folder in ("shared", "services")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_service_image_copies_the_library_and_not_the_tools() -> None:
    dockerfile = (ROOT / "deploy" / "docker" / "Dockerfile").read_text()
    assert "COPY shared ./shared" in dockerfile
    assert "COPY services ./services" in dockerfile
    assert "tools" not in dockerfile
