"""Organisations: the aggregate, the picker's query, its documents."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.membership.domain.organisation import (
    Kind,
    Organisation,
    OrganisationQuery,
    OrganisationStatus,
)
from services.membership.repository.common import (
    NO_OUTBOX,
    SOURCE,
)
from shared.aggregates import AggregateStore
from shared.clock import Clock
from shared.errors import Conflict
from shared.mongo import Db
from shared.pagination import fetch_page
from shared.text import folded_words


class OrganisationRepository:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "organisations", source=SOURCE, clock=clock)
        self.collection = self.store.collection

    def document(self, organisation: Organisation) -> dict[str, Any]:
        return organisation_document(organisation)

    async def add(self, organisation: Organisation) -> None:
        try:
            await self.store.insert(organisation_document(organisation), organisation.facts)
        except DuplicateKeyError as exc:
            raise _ods_code_taken(organisation) from exc
        organisation.facts.clear()

    async def save(self, organisation: Organisation) -> None:
        try:
            await self.store.save(organisation, organisation_document(organisation))
        except DuplicateKeyError as exc:
            raise _ods_code_taken(organisation) from exc

    async def get(self, organisation_id: str) -> Organisation | None:
        document = await self.collection.find_one({"_id": organisation_id}, NO_OUTBOX)
        return _organisation(document) if document else None

    async def by_ods_codes(self, codes: Sequence[str]) -> dict[str, Organisation]:
        found = self.collection.find({"ods_code": {"$in": list(codes)}}, NO_OUTBOX)
        return {d["ods_code"]: _organisation(d) async for d in found}

    async def named(self, organisation_ids: Sequence[str]) -> list[Organisation]:
        found = self.collection.find({"_id": {"$in": list(organisation_ids)}}, NO_OUTBOX)
        return [_organisation(d) async for d in found]

    async def page(
        self, query: OrganisationQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Organisation], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection,
            organisation_filter(query),
            sort=["name_lower", "_id"],
            cursor=cursor,
            limit=limit,
            projection=NO_OUTBOX,
        )
        return [_organisation(d) for d in documents], next_cursor


def organisation_filter(query: OrganisationQuery) -> dict[str, Any]:
    found: dict[str, Any] = {"status": {"$in": [s.value for s in query.statuses]}}
    if query.words:
        # Each word typed begins some word of the name (`name_words` holds them folded).
        found["$and"] = [{"name_words": {"$regex": f"^{re.escape(w)}"}} for w in query.words]
    if query.region:
        found["region"] = query.region
    if query.kind:
        found["kind"] = query.kind.value
    return found


def _ods_code_taken(organisation: Organisation) -> Conflict:
    return Conflict("ods_code_taken", f"ODS code {organisation.ods_code} is registered")


def organisation_document(o: Organisation) -> dict[str, Any]:
    document: dict[str, Any] = {
        "_id": o.id,
        "name": o.name,
        "name_lower": o.name.lower(),
        "name_words": folded_words(o.name),
        "region": o.region,
        "kind": o.kind.value,
        "status": o.status.value,
        "merged_into": o.merged_into,
        "proposed_by": o.proposed_by,
        "version": o.version,
    }
    # Sparse unique index: organisations without a code leave the field out.
    if o.ods_code:
        document["ods_code"] = o.ods_code
    return document


def _organisation(d: dict[str, Any]) -> Organisation:
    return Organisation(
        id=d["_id"],
        name=d["name"],
        region=d["region"],
        kind=Kind(d.get("kind", Kind.OTHER)),
        ods_code=d.get("ods_code"),
        status=OrganisationStatus(d.get("status", OrganisationStatus.ACTIVE)),
        merged_into=d.get("merged_into"),
        proposed_by=d.get("proposed_by"),
        version=d.get("version", 0),
    )
