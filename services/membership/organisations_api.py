"""Organisations: the list and the picker (anyone the gateway asks for: applicants pick
theirs too), one organisation, and a facilitator's
changes in their region (add, confirm, rename, merge, close)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from services.membership import usecases
from services.membership.api import StoresDep
from services.membership.domain.organisation import (
    KIND_NAMES,
    Organisation,
    OrganisationQuery,
    OrganisationStatus,
)
from services.membership.facts import OrganisationKindName, OrganisationStatusName
from shared.auth import AUTHORITIES, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import Cursor, Label, Region, RegionFilter, RequestModel, TextFilter

router = APIRouter(prefix="/v1")

OdsCode = Annotated[str, Field(min_length=3, max_length=6, pattern=r"^[A-Za-z0-9]+$")]


class OrganisationView(BaseModel):
    id: str
    name: str
    region: str
    kind: OrganisationKindName
    kind_name: str = Field(description="The kind in words, as a page shows it")
    ods_code: str | None
    status: OrganisationStatusName
    merged_into: str | None
    proposed_by: str | None

    @classmethod
    def of(cls, o: Organisation) -> OrganisationView:
        return cls(
            id=o.id,
            name=o.name,
            region=o.region,
            kind=o.kind.value,
            kind_name=KIND_NAMES[o.kind],
            ods_code=o.ods_code,
            status=o.status.value,
            merged_into=o.merged_into,
            proposed_by=o.proposed_by,
        )


class OrganisationIn(RequestModel):
    name: Label = Field(max_length=200, examples=["Leeds Teaching Hospitals NHS Trust"])
    region: Region
    kind: OrganisationKindName = "other"
    ods_code: OdsCode | None = None


class OrganisationChanges(RequestModel):
    name: Label | None = Field(None, max_length=200)
    kind: OrganisationKindName | None = None
    ods_code: OdsCode | None = None
    reopen: bool = Field(False, description="Reopens a closed organisation")


class MergeIn(RequestModel):
    into_organisation_id: str = Field(min_length=1, max_length=64)


@router.get("/organisations")
async def organisations(
    stores: StoresDep,
    _: CurrentCaller,
    q: TextFilter = None,
    region: RegionFilter = None,
    kind: Annotated[OrganisationKindName | None, Query()] = None,
    status_: Annotated[
        list[OrganisationStatusName] | None, Query(alias="status", max_length=4)
    ] = None,
    ids: Annotated[list[str] | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OrganisationView]:
    """Active organisations unless `status` names others; `q`: words that begin words of the
    name, accents folded (the picker's search as you type); `ids`: these ones, any status
    (a page naming the organisations its items belong to)."""
    if ids:
        named = await usecases.organisations_named(stores, ids)
        return Page(items=[OrganisationView.of(o) for o in named], next_cursor=None)
    query = OrganisationQuery.of(
        text=q,
        region=region,
        kind=kind,
        statuses=tuple(OrganisationStatus(s) for s in status_ or ["active"]),
    )
    items, next_cursor = await usecases.organisations_page(
        stores, query=query, cursor=cursor, limit=limit
    )
    return Page(items=[OrganisationView.of(o) for o in items], next_cursor=next_cursor)


@router.get("/organisations/{organisation_id}")
async def organisation(
    organisation_id: str, stores: StoresDep, _: CurrentCaller
) -> OrganisationView:
    return OrganisationView.of(await usecases.get_organisation(stores, organisation_id))


@router.post("/organisations", dependencies=[AUTHORITIES], status_code=status.HTTP_201_CREATED)
async def add_organisation(
    body: OrganisationIn, stores: StoresDep, caller: CurrentCaller
) -> OrganisationView:
    added = await usecases.register_organisation(
        stores,
        actor_id=caller.member_id,
        name=body.name,
        region=body.region,
        kind=body.kind,
        ods_code=body.ods_code,
    )
    return OrganisationView.of(added)


@router.patch("/organisations/{organisation_id}", dependencies=[AUTHORITIES])
async def change_organisation(
    organisation_id: str, body: OrganisationChanges, stores: StoresDep, caller: CurrentCaller
) -> OrganisationView:
    changed = await usecases.revise_organisation(
        stores,
        actor_id=caller.member_id,
        organisation_id=organisation_id,
        name=body.name,
        kind=body.kind,
        ods_code=body.ods_code,
        reopen=body.reopen,
    )
    return OrganisationView.of(changed)


@router.post("/organisations/{organisation_id}/confirm", dependencies=[AUTHORITIES])
async def confirm_organisation(
    organisation_id: str, stores: StoresDep, caller: CurrentCaller
) -> OrganisationView:
    confirmed = await usecases.confirm_organisation(
        stores, actor_id=caller.member_id, organisation_id=organisation_id
    )
    return OrganisationView.of(confirmed)


@router.post("/organisations/{organisation_id}/close", dependencies=[AUTHORITIES])
async def close_organisation(
    organisation_id: str, stores: StoresDep, caller: CurrentCaller
) -> OrganisationView:
    closed = await usecases.close_organisation(
        stores, actor_id=caller.member_id, organisation_id=organisation_id
    )
    return OrganisationView.of(closed)


@router.post("/organisations/{organisation_id}/merge", dependencies=[AUTHORITIES])
async def merge_organisation(
    organisation_id: str, body: MergeIn, stores: StoresDep, caller: CurrentCaller
) -> OrganisationView:
    """Its members and plans move to the other (which must be active and in its region)."""
    merged = await usecases.merge_organisation(
        stores,
        actor_id=caller.member_id,
        organisation_id=organisation_id,
        into_organisation_id=body.into_organisation_id,
    )
    return OrganisationView.of(merged)
