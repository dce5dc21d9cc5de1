"""The whole local stack at once: what `knet infra up | down | status` do."""

from __future__ import annotations

from typing import Any

from shared.infra import ferretdb, kafka
from shared.settings import PlatformSettings


def up(settings: PlatformSettings) -> dict[str, str]:
    return {"mongodb": ferretdb.start(settings), "kafka": kafka.start(settings)}


def down(settings: PlatformSettings) -> dict[str, bool]:
    return {"kafka": kafka.stop(settings), "mongodb": ferretdb.stop(settings)}


def status(settings: PlatformSettings) -> dict[str, Any]:
    return {
        "kafka": {"bootstrap": settings.kafka_bootstrap, "up": kafka.is_up(settings)},
        "mongodb": {"uri": settings.mongodb_uri, "up": ferretdb.is_up(settings)},
    }
