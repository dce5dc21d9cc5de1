"""Debian's Prometheus for `knet up`, when it is installed: it scrapes every process on this
host and evaluates the same alert rules as production (deploy/prometheus/), keeping its data
under .data/prometheus. The gateway's operator charts read from it (KNET_PROMETHEUS_URL)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from shared.services import ServiceSpec
from shared.settings import REPO_ROOT

RULES = REPO_ROOT / "deploy" / "prometheus" / "alerts.yml"
DEFAULT_PORT = 9090


def port() -> int:
    return int(os.environ.get("KNET_PROMETHEUS_PORT", DEFAULT_PORT))


def url() -> str:
    return f"http://127.0.0.1:{port()}"


def installed() -> str | None:
    return shutil.which("prometheus")


def local_config(specs: list[ServiceSpec], rules: Path = RULES) -> str:
    targets = ", ".join(f'"127.0.0.1:{spec.bound_port()}"' for spec in specs)
    return (
        "# Written by `knet up` for this machine; deploy/prometheus/ is production's.\n"
        "global:\n  scrape_interval: 5s\n  evaluation_interval: 15s\n"
        f'rule_files:\n  - "{rules}"\n'
        "scrape_configs:\n"
        "  - job_name: knet\n"
        f"    static_configs:\n      - targets: [{targets}]\n"
    )


def command(binary: str, data: Path, specs: list[ServiceSpec]) -> str:
    """Writes the config under `data` and returns the command line that runs Prometheus."""
    data.mkdir(parents=True, exist_ok=True)
    config = data / "prometheus.yml"
    config.write_text(local_config(specs))
    return (
        f"{binary} --config.file={config} --storage.tsdb.path={data / 'tsdb'}"
        f" --storage.tsdb.retention.time=7d --web.listen-address=127.0.0.1:{port()}"
    )
