"""The regional-node API: keys scoped to a region (issued by its facilitators or operators),
and submissions sent over HTTP by a node holding one. The gateway exposes these to nodes; the
`X-Node-Key` header is passed through, since the key itself is the node's credential."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, status
from pydantic import BaseModel, Field

from services.events import usecases
from services.events.api import StoresDep
from services.events.domain.node_keys import NodeKey
from shared.auth import CurrentCaller
from shared.errors import Invalid, Unauthorized

router = APIRouter(prefix="/v1")


class KeyRequest(BaseModel):
    label: str = Field(min_length=1, max_length=100, examples=["LDN node, production"])


class KeyView(BaseModel):
    id: str
    region: str
    label: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: NodeKey) -> KeyView:
        return cls(
            id=key.id,
            region=key.region,
            label=key.label,
            created_at=key.created_at,
            created_by=key.created_by,
            revoked_at=key.revoked_at,
        )


class IssuedKey(KeyView):
    key: str = Field(description="Shown this once: only its hash is kept")


class SubmissionResult(BaseModel):
    outcome: str
    event_id: str | None


@router.post("/regions/{region}/node-keys", status_code=status.HTTP_201_CREATED)
async def issue_key(
    region: str, body: KeyRequest, stores: StoresDep, caller: CurrentCaller
) -> IssuedKey:
    key, presented = await usecases.issue_node_key(
        stores, caller=caller, region=region, label=body.label
    )
    return IssuedKey(**KeyView.of(key).model_dump(), key=presented)


@router.get("/regions/{region}/node-keys")
async def keys(region: str, stores: StoresDep, caller: CurrentCaller) -> list[KeyView]:
    return [
        KeyView.of(k) for k in await usecases.node_keys_of(stores, caller=caller, region=region)
    ]


@router.delete("/regions/{region}/node-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_key(region: str, key_id: str, stores: StoresDep, caller: CurrentCaller) -> None:
    await usecases.revoke_node_key(stores, caller=caller, region=region, key_id=key_id)


@router.post("/node/submissions")
async def submit(
    stores: StoresDep,
    submission: Annotated[dict[str, Any], Body(examples=[{"external_id": "ldn-1"}])],
    x_node_key: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> SubmissionResult:
    """The same submission as on knet.regional-submissions.v1 (its CloudEvent's `data`); the
    node is the key's region. An `Idempotency-Key` makes a retried request one submission."""
    if not x_node_key:
        raise Unauthorized("node_key_missing", "Send the node's key in X-Node-Key")
    node = await usecases.authenticate_node(stores, x_node_key)
    submission_id = f"api:{node}:{idempotency_key}" if idempotency_key else stores.new_id()
    result = await usecases.submit(stores, submission_id=submission_id, node=node, data=submission)
    if result.outcome == "rejected":
        raise Invalid(
            "submission_rejected", "The submission was not accepted", reasons=list(result.reasons)
        )
    return SubmissionResult(outcome=result.outcome, event_id=result.event_id)
