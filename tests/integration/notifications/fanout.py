"""What the fan-out tests and the fan-out benchmark share: members written straight into the
notifications read model (taking events news in the inbox only, so no mail is sent), a
national event's fact, and a notifications process to run (and kill) on its own."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

from services.events import facts as events
from services.notifications.domain.preferences import Preferences
from services.notifications.repository import opted_in
from services.notifications.spec import SPEC
from shared.settings import REPO_ROOT, PlatformSettings
from tools.infra.processes import free_port

INSERT_BATCH = 5000


async def seed_members(db: Any, member_ids: list[str], *, now: datetime) -> None:
    """Active members of one region in the read model, events news in the inbox only."""
    quiet = Preferences().changed(channels={"events": ["in_app"]})
    for start in range(0, len(member_ids), INSERT_BATCH):
        await db["members"].insert_many(
            [
                {
                    "_id": member_id,
                    "name": member_id,
                    "email": f"{member_id}@nhs.net",
                    "region": "LDN",
                    "roles": ["member"],
                    "interests": [],
                    "status": "active",
                    "preferences": quiet.as_dict(),
                    "opted_in": opted_in(quiet),
                    "as_of": now,
                }
                for member_id in member_ids[start : start + INSERT_BATCH]
            ]
        )


def national_event(event_id: str, *, now: datetime) -> events.EventPublished:
    """A national event: the rule table sends it to everyone who takes events news."""
    return events.EventPublished(
        event_id=event_id,
        region=None,
        title=f"National showcase {event_id}",
        kind="conference",
        mode="online",
        scope="national",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=3),
        capacity=500,
        tags=[],
        organiser_member_id=None,
        organiser_node=None,
    )


def notifications_process(settings: PlatformSettings, suffix: str) -> subprocess.Popen[bytes]:
    """`python -m services.notifications` on these Kafka and store, in its own database."""
    env = {
        **os.environ,
        "KNET_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "KNET_MONGODB_URI": settings.mongodb_uri,
        "KNET_DATABASE_SUFFIX": suffix,
        "KNET_ENVIRONMENT": "test",
        "KNET_TOPIC_PARTITIONS": str(settings.topic_partitions),
        "KNET_SMTP_PORT": str(free_port()),  # nobody listens: these members take no email
        SPEC.port_setting: str(free_port()),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "services.notifications"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
