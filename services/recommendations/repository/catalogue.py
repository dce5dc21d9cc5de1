"""The catalogue of recommendations, read whole (CATALOGUE_BOUND)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.recommendations.domain.catalogue import Recommendation, Status
from services.recommendations.stores import CATALOGUE_BOUND
from shared.errors import Conflict
from shared.idempotency import insert_once
from shared.mongo import Db


class Catalogue:
    def __init__(self, db: Db) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db["recommendations"]

    async def seed(self, recommendations: list[Recommendation]) -> int:
        """Inserts those not there yet; one an operator changed (retired) stays as it is."""
        inserted = 0
        for recommendation in recommendations:
            inserted += await insert_once(self.collection, _catalogue_doc(recommendation))
        return inserted

    async def add(self, recommendation: Recommendation) -> None:
        if not await insert_once(self.collection, _catalogue_doc(recommendation)):
            raise Conflict("code_taken", f"There is already a recommendation {recommendation.code}")

    async def replace(self, recommendation: Recommendation) -> None:
        await self.collection.replace_one(
            {"_id": recommendation.code}, _catalogue_doc(recommendation)
        )

    async def get(self, code: str) -> Recommendation | None:
        document = await self.collection.find_one({"_id": code})
        return _recommendation(document) if document else None

    async def all(self) -> list[Recommendation]:
        documents = await self.collection.find({}).sort("_id", 1).to_list(CATALOGUE_BOUND)
        return [_recommendation(d) for d in documents]


def _catalogue_doc(r: Recommendation) -> dict[str, Any]:
    return {
        "_id": r.code,
        "title": r.title,
        "description": r.description,
        "aims": list(r.aims),
        "challenges": list(r.challenges),
        "source": r.source,
        "status": r.status.value,
        "retired_reason": r.retired_reason,
        "retired_at": r.retired_at,
    }


def _recommendation(d: dict[str, Any]) -> Recommendation:
    return Recommendation(
        code=d["_id"],
        title=d["title"],
        description=d["description"],
        aims=tuple(d["aims"]),
        challenges=tuple(d["challenges"]),
        source=d["source"],
        status=Status(d["status"]),
        retired_reason=d.get("retired_reason"),
        retired_at=d.get("retired_at"),
    )
