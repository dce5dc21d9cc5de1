"""Jars from Maven Central, resolved by Maven into the cache, with progress a person can follow:
a first start downloads for minutes, so it says what it fetches and how far along it is."""

from __future__ import annotations

import re
import subprocess
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from tools.infra.processes import InfraError, require_tool

Report = Callable[[str], None]

# "Downloaded from central: https://.../kafka_2.13-4.1.1.jar (6.6 MB at 3.1 MB/s)"
_DOWNLOADED = re.compile(r"Downloaded from \S+: \S+ \(([\d.,]+) (B|kB|KB|MB|GB)")
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}


def copy_dependencies(
    pom: Path, libs: Path, *, what: str, expected_mb: float, report: Report | None = None
) -> None:
    """`mvn dependency:copy-dependencies` of `pom` into `libs`. `expected_mb` is what a
    first download weighs (measured), so the report can say how far along it is."""
    require_tool("java", "install a JDK 17 or newer (Debian: openjdk-17-jdk-headless)")
    mvn = require_tool("mvn", "install Apache Maven (Debian: maven)")
    libs.parent.mkdir(parents=True, exist_ok=True)
    say = report or (lambda _: None)
    say(f"fetching {what} from Maven Central into {libs.parent} (first start only)")
    process = subprocess.Popen(
        [
            mvn,
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={libs}",
            "-DincludeScope=runtime",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    tail: deque[str] = deque(maxlen=40)
    files, downloaded, last_said, last_step = 0, 0.0, 0.0, 0
    for line in process.stdout:
        tail.append(line)
        if match := _DOWNLOADED.search(line):
            files += 1
            downloaded += float(match[1].replace(",", "")) * _UNITS[match[2]]
            done = min(99, int(100 * downloaded / 1e6 / expected_mb))
            now = time.monotonic()
            # A line per tenth of the way, or every few seconds while a large jar comes in.
            if done // 10 > last_step or now - last_said >= 5.0:
                last_said, last_step = now, done // 10
                say(
                    f"  {what}: {files} files, {downloaded / 1e6:.1f} of about "
                    f"{expected_mb:.0f} MB ({done}%)"
                )
    if process.wait() != 0:
        raise InfraError(f"Maven could not fetch {what}:\n{''.join(tail)}")
    say(f"  {what}: ready ({files} files downloaded, {downloaded / 1e6:.1f} MB)")
