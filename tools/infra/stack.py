"""The whole local stack at once: what `knet infra up | down | status` do."""

from __future__ import annotations

from typing import Any

from shared.settings import PlatformSettings
from tools.infra import kafka, store
from tools.infra.maven import Report


def up(settings: PlatformSettings, report: Report | None = None) -> dict[str, str]:
    return {"mongodb": store.start(settings, report), "kafka": kafka.start(settings, report)}


def down(settings: PlatformSettings) -> dict[str, bool]:
    return {"kafka": kafka.stop(settings), "mongodb": store.stop(settings)}


def status(settings: PlatformSettings) -> dict[str, Any]:
    return {
        "kafka": {"bootstrap": settings.kafka_bootstrap, "up": kafka.is_up(settings)},
        "mongodb": {"uri": settings.mongodb_uri, "up": store.is_up(settings)},
    }
