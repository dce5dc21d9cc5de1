"""The regional-node API: keys scoped to a region (issued by its facilitators or operators),
and submissions sent over HTTP by a node holding one. The gateway exposes these to nodes; the
`X-Node-Key` header is passed through, since the key itself is the node's credential."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, Security, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

from services.events.api import StoresDep
from services.events.domain.node_keys import NodeKey
from services.events.usecases import node_keys as node_key_cases
from services.events.usecases import submissions
from shared.auth import AUTHORITIES, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import Cursor, Label, RegionInPath, RequestModel, json_object

router = APIRouter(prefix="/v1")
NODE_KEY = APIKeyHeader(
    name="X-Node-Key",
    auto_error=False,
    scheme_name="node_key",
    description="A regional node's key, issued by its region's facilitators (shown once)",
)


class KeyRequest(RequestModel):
    label: Label = Field(min_length=1, max_length=100, examples=["LDN node, production"])


class KeyView(BaseModel):
    id: str
    region: str
    label: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_reason: str | None = Field(
        None, description="Why it stopped: revoked by someone, or its issuer's role went"
    )

    @classmethod
    def of(cls, key: NodeKey) -> KeyView:
        return cls(
            id=key.id,
            region=key.region,
            label=key.label,
            created_at=key.created_at,
            created_by=key.created_by,
            revoked_at=key.revoked_at,
            revoked_reason=key.revoked_reason,
        )


class IssuedKey(KeyView):
    key: str = Field(description="Shown this once: only its hash is kept")


class SubmissionResult(BaseModel):
    outcome: str
    event_id: str | None


@router.post(
    "/regions/{region}/node-keys", dependencies=[AUTHORITIES], status_code=status.HTTP_201_CREATED
)
async def issue_key(
    region: RegionInPath, body: KeyRequest, stores: StoresDep, caller: CurrentCaller
) -> IssuedKey:
    key, presented = await node_key_cases.issue_node_key(
        stores, caller=caller, region=region, label=body.label
    )
    return IssuedKey(**KeyView.of(key).model_dump(), key=presented)


@router.get("/regions/{region}/node-keys", dependencies=[AUTHORITIES])
async def keys(
    region: RegionInPath,
    stores: StoresDep,
    caller: CurrentCaller,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[KeyView]:
    found, next_cursor = await node_key_cases.node_keys_of(
        stores, caller=caller, region=region, cursor=cursor, limit=limit
    )
    return Page(items=[KeyView.of(k) for k in found], next_cursor=next_cursor)


@router.delete(
    "/regions/{region}/node-keys/{key_id}",
    dependencies=[AUTHORITIES],
    status_code=status.HTTP_204_NO_CONTENT,
)
async def revoke_key(
    region: RegionInPath, key_id: str, stores: StoresDep, caller: CurrentCaller
) -> None:
    await node_key_cases.revoke_node_key(stores, caller=caller, region=region, key_id=key_id)


SUBMISSION_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "object", "additionalProperties": True},
            "example": {"external_id": "ldn-1"},
        }
    },
}


@router.post("/node/submissions", openapi_extra={"requestBody": SUBMISSION_BODY})
async def submit(
    request: Request,
    stores: StoresDep,
    x_node_key: Annotated[str | None, Security(NODE_KEY)] = None,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=100)] = None,
) -> SubmissionResult:
    """The same submission as on knet.regional-submissions.v1 (its CloudEvent's `data`); the
    node is the key's region. An `Idempotency-Key` makes a retried request one submission.
    The key is checked before the body is read: without one, nothing of it is parsed."""
    node = await submissions.node_for_key(stores, presented_key=x_node_key)
    result = await submissions.submit_over_api(
        stores, node=node, idempotency_key=idempotency_key, data=await json_object(request)
    )
    return SubmissionResult(outcome=result.outcome, event_id=result.event_id)
