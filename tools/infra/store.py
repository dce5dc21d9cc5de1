"""The local MongoDB-wire store: mongo-java-server on an H2 file, from Maven Central, run by
the small launcher in deploy/local/store (durable commits, real secondary indexes, a query-plan
report). docs/local-store.md says why this store, what it does not do, and how the code stays
correct on MongoDB."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from pymongo import MongoClient

from shared.settings import REPO_ROOT, PlatformSettings
from tools.infra.maven import Report, copy_dependencies
from tools.infra.processes import (
    InfraError,
    port_open,
    read_pid,
    require_tool,
    start_background,
    stop_background,
    wait_until,
)

SOURCE = REPO_ROOT / "deploy" / "local" / "store"
MAIN_CLASS = "uk.nhs.knet.store.KnetStore"
# What a first fetch downloads with an empty ~/.m2 (Maven's own plugins included), measured.
EXPECTED_MB = 16


def _home(settings: PlatformSettings) -> Path:
    return settings.cache_dir / "store"


def data_dir(settings: PlatformSettings) -> Path:
    return settings.data_dir / "store"


def pid_file(settings: PlatformSettings) -> Path:
    return data_dir(settings) / "store.pid"


def log_file(settings: PlatformSettings) -> Path:
    return data_dir(settings) / "store.log"


def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SOURCE.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(SOURCE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fetch(settings: PlatformSettings, report: Report | None = None) -> None:
    """Resolves the jars and compiles the launcher once; again only when its source changed."""
    home = _home(settings)
    stamp = home / "built-from"
    digest = _source_digest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    libs = home / "libs"
    copy_dependencies(
        SOURCE / "pom.xml",
        libs,
        what="the local store (mongo-java-server)",
        expected_mb=EXPECTED_MB,
        report=report,
    )
    javac = require_tool("javac", "install a JDK 17 or newer (Debian: openjdk-17-jdk-headless)")
    classes = home / "classes"
    sources = sorted(str(p) for p in (SOURCE / "src").rglob("*.java"))
    result = subprocess.run(
        [javac, "-d", str(classes), "-cp", f"{libs}/*", *sources],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise InfraError(f"javac could not build the store launcher:\n{result.stderr[-3000:]}")
    stamp.write_text(digest)


def _command(settings: PlatformSettings) -> list[str]:
    java = require_tool("java", "install a JDK 17 or newer (Debian: openjdk-17-jdk-headless)")
    home = _home(settings)
    return [
        java,
        "-Xms128m",
        # The store keeps its secondary indexes in memory (deploy/local/store): a national
        # network (100,000 members and their inbox) needs about a gigabyte of them and pages.
        "-Xmx2g",
        "-XX:+UseG1GC",
        # mongo-java-server writes its answers byte by byte into Netty buffers, each write
        # checking the buffer's reference count and bounds: about a tenth of the store's time
        # under the conversations benchmark. The buffers are the server's own, written and
        # sent by one handler, so the checks guard nothing here.
        "-Dio.netty.buffer.checkAccessible=false",
        "-Dio.netty.buffer.checkBounds=false",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dorg.slf4j.simpleLogger.log.uk.nhs.knet=info",
        "-cp",
        f"{home / 'classes'}:{home / 'libs'}/*",
        MAIN_CLASS,
        "--host",
        "127.0.0.1",
        "--port",
        str(settings.mongodb_port),
        "--file",
        str(data_dir(settings) / "knet.mv.db"),
    ]


def start(settings: PlatformSettings, report: Report | None = None) -> str:
    directory = data_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    port = settings.mongodb_port
    if read_pid(pid_file(settings)) is not None:
        if port_open(port):
            return "already running"
        raise InfraError(
            f"the store's pid file names a live process but port {port} is closed; "
            f"read {log_file(settings)} or run `knet infra down`"
        )
    if port_open(port):
        raise InfraError(
            f"port {port} is already in use by another process; set KNET_MONGODB_URI to a free port"
        )
    fetch(settings, report)
    pid = start_background(
        "store", _command(settings), pid_file=pid_file(settings), log_file=log_file(settings)
    )
    wait_until(
        lambda: is_up(settings), timeout=60, what="the store", log_file=log_file(settings), pid=pid
    )
    return "started"


def stop(settings: PlatformSettings) -> bool:
    # The shutdown hook closes the H2 file cleanly; a kill would cost nothing acknowledged
    # (every write is committed before its answer), only a longer next open.
    return stop_background(pid_file(settings), timeout=30)


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
