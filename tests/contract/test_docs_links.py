"""The docs stand on their own for whoever clones the project: every relative link in its
Markdown resolves to a file inside the repository (links read as a Markdown parser reads them:
inline, reference and image links), and every repository path that the docs, docstrings and
comments cite (`services/...`, `tests/...`, `shared/mongo.ensure_indexes`) exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parents[2]


# A cited path starts at one of the repository's top folders; placeholders (`<name>`, `{id}`,
# `*`) are patterns, not paths.
CITED = re.compile(
    r"(?<![\w./<{-])((?:services|shared|tests|docs|deploy|bench|contracts)/[\w./-]*[\w/])(?![\w./-]*[<{*])"
)


def project_files(*patterns: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).exists()]


def markdown_files() -> list[Path]:
    return project_files("*.md")


def link_targets(text: str) -> list[str]:
    targets: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type == "link_open":
                targets.append(str(token.attrGet("href") or ""))
            elif token.type == "image":
                targets.append(str(token.attrGet("src") or ""))
            if token.children:
                walk(token.children)

    walk(MarkdownIt("commonmark").parse(text))
    return targets


def broken_links(markdown: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for target in link_targets(markdown.read_text(encoding="utf-8")):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:
            continue  # a web address, mail, or an anchor in the same page
        resolved = (markdown.parent / unquote(parts.path)).resolve()
        if not resolved.is_relative_to(root) or not resolved.exists():
            broken.append(target)
    return broken


def missing_citations(text: str, root: Path = ROOT) -> list[str]:
    return [cited for cited in CITED.findall(text) if not _exists(cited, root)]


def _exists(cited: str, root: Path) -> bool:
    if (root / cited.rstrip("/")).exists():
        return True
    # `shared/mongo.ensure_indexes`: a module's attribute, which the module must define.
    module, _, attribute = cited.rpartition(".")
    source = root / f"{module}.py"
    return (
        bool(module)
        and source.exists()
        and (
            re.search(
                rf"^\s*(?:async def|def|class) {attribute}\b|^{attribute}\b",
                source.read_text(),
                re.MULTILINE,
            )
            is not None
        )
    )


def test_the_project_has_markdown_to_check() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in markdown_files()}
    assert {"README.md", "docs/architecture.md", "services/gateway/README.md"} <= names


@pytest.mark.parametrize("markdown", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(markdown: Path) -> None:
    assert broken_links(markdown) == []


def test_a_link_outside_the_repository_or_to_nothing_is_caught(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "here.md").write_text("# here\n")
    page = root / "README.md"
    page.write_text(
        "See [the design](../shared/ARCHITECTURE.md), [gone](docs/gone.md),\n"
        "![a chart](docs/chart.svg), [fine](docs/here.md#here), [web](https://example.org)\n"
        "and [by reference][ref].\n\n[ref]: ../outside.md\n"
    )
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "ARCHITECTURE.md").write_text("outside")
    (tmp_path / "outside.md").write_text("outside")
    assert broken_links(page, root) == [
        "../shared/ARCHITECTURE.md",
        "docs/gone.md",
        "docs/chart.svg",
        "../outside.md",
    ]


def test_every_path_the_project_cites_exists() -> None:
    missing = {
        path.relative_to(ROOT).as_posix(): found
        for path in project_files("*.md", "*.py", "*.toml", "*.yml", "*.sh", "Makefile")
        if path != Path(__file__).resolve()
        and (found := missing_citations(path.read_text(encoding="utf-8", errors="replace")))
    }
    assert missing == {}


def test_a_cited_path_or_attribute_that_is_not_there_is_caught(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "mongo.py").write_text("def ensure_indexes() -> None: ...\n")
    text = (
        "see shared/mongo.py, shared/mongo.ensure_indexes, services/<name>/facts.py,\n"
        "tests/contract/test_gone.py and shared/mongo.gone"
    )
    assert missing_citations(text, tmp_path) == ["tests/contract/test_gone.py", "shared/mongo.gone"]
