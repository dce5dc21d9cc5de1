"""Fan-out chunks (their jobs in the outbox) and jobs waiting for a member not known yet."""

from __future__ import annotations

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from services.notifications.facts import NotificationJob
from services.notifications.repository.common import outbox_for
from shared.clock import Clock
from shared.mongo import Db
from shared.outbox import OUTBOX_FIELD


class Fanouts:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["fanouts"]
        self.clock = clock

    async def add(self, key: str, jobs: list[NotificationJob]) -> bool:
        document = {
            "_id": key,
            "jobs": len(jobs),
            "at": self.clock.now(),
            OUTBOX_FIELD: outbox_for([(job, job.member_id) for job in jobs], self.clock),
        }
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError:
            return False
        return True


def _job_id(job: NotificationJob) -> str:
    return f"{job.source_id}|{job.member_id}"


class Waiting:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["waiting"]
        self.clock = clock

    async def add(self, jobs: list[NotificationJob]) -> None:
        writes = [
            UpdateOne(
                {"_id": _job_id(job)},
                {
                    "$setOnInsert": {
                        "member_id": job.member_id,
                        "job": job.model_dump(mode="json"),
                        "at": self.clock.now(),
                    }
                },
                upsert=True,
            )
            for job in jobs
        ]
        await self.collection.bulk_write(writes, ordered=False)

    async def of(self, member_id: str) -> list[NotificationJob]:
        found = self.collection.find({"member_id": member_id}).sort("at", 1)
        return [NotificationJob(**d["job"]) async for d in found]

    async def remove(self, jobs: list[NotificationJob]) -> None:
        await self.collection.delete_many({"_id": {"$in": [_job_id(job) for job in jobs]}})
