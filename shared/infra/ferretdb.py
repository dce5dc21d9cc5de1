"""FerretDB 1.24 (MongoDB wire protocol on SQLite), built from the Go module proxy."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pymongo import MongoClient

from shared.infra.processes import (
    InfraError,
    port_open,
    read_pid,
    require_tool,
    start_background,
    stop_background,
    wait_until,
)
from shared.settings import REPO_ROOT, PlatformSettings

SOURCE = REPO_ROOT / "deploy" / "local" / "ferretdb"


def binary(settings: PlatformSettings) -> Path:
    return settings.cache_dir / "ferretdb" / "bin" / "knet-ferretdb"


def data_dir(settings: PlatformSettings) -> Path:
    return settings.data_dir / "ferretdb"


def pid_file(settings: PlatformSettings) -> Path:
    return data_dir(settings) / "ferretdb.pid"


def log_file(settings: PlatformSettings) -> Path:
    return data_dir(settings) / "ferretdb.log"


def fetch(settings: PlatformSettings) -> None:
    """Builds the FerretDB wrapper once (see deploy/local/ferretdb/main.go for why a wrapper)."""
    target = binary(settings)
    if target.exists():
        return
    go = require_tool("go", "install Go 1.24 or newer (Debian: golang)")
    target.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
    result = subprocess.run(
        [go, "build", "-trimpath", "-o", str(target), "."],
        cwd=SOURCE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise InfraError(
            f"go build of FerretDB failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )


def start(settings: PlatformSettings) -> str:
    directory = data_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    port = settings.mongodb_port
    if read_pid(pid_file(settings)) is not None:
        if port_open(port):
            return "already running"
        raise InfraError(
            f"FerretDB's pid file names a live process but port {port} is closed; "
            f"read {log_file(settings)} or run `knet infra down`"
        )
    if port_open(port):
        raise InfraError(
            f"port {port} is already in use by another process; set KNET_MONGODB_URI to a free port"
        )
    fetch(settings)
    pid = start_background(
        "ferretdb",
        [
            str(binary(settings)),
            "-listen-addr",
            f"127.0.0.1:{port}",
            "-sqlite-dir",
            str(directory / "db"),
        ],
        pid_file=pid_file(settings),
        log_file=log_file(settings),
    )
    wait_until(
        lambda: is_up(settings), timeout=30, what="FerretDB", log_file=log_file(settings), pid=pid
    )
    return "started"


def stop(settings: PlatformSettings) -> bool:
    return stop_background(pid_file(settings), timeout=15)


def is_up(settings: PlatformSettings) -> bool:
    if not port_open(settings.mongodb_port):
        return False
    client: MongoClient[dict[str, object]] = MongoClient(
        settings.mongodb_uri, serverSelectionTimeoutMS=1500
    )
    try:
        client.admin.command("ping")
    except Exception:
        return False
    finally:
        client.close()
    return True
