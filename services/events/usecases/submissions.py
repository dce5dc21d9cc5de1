"""Regional nodes' submissions, from Kafka or the node API: create, update or cancel their
event, or be rejected with every reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.events import facts
from services.events.domain import submission as submissions
from services.events.domain.network_event import NetworkEvent
from services.events.stores import Stores
from services.events.usecases.network_events import change_event
from services.events.usecases.node_keys import authenticate_node
from shared.errors import Invalid, NotFound, Unauthorized
from shared.reference import region_codes


@dataclass(frozen=True)
class SubmissionOutcome:
    outcome: str  # published | updated | cancelled | rejected
    event_id: str | None = None
    reasons: tuple[str, ...] = ()


async def handle_submission(
    stores: Stores, *, submission_id: str, source: str, data: dict[str, Any]
) -> SubmissionOutcome:
    """A submission from Kafka, where the CloudEvent's source names the node."""
    node = submissions.node_of(source)
    if node is None:
        reasons = [f"source: '{source}' is not /regions/<region code>"]
        return await _reject(stores, submission_id, source, _external_id(data), reasons)
    return await submit(stores, submission_id=submission_id, node=node, data=data)


async def submit(
    stores: Stores, *, submission_id: str, node: str, data: dict[str, Any]
) -> SubmissionOutcome:
    """A regional node's submission, from Kafka or the node API: creates, updates or cancels
    its event, or is rejected with every reason (published as submission.rejected).
    Idempotent: a redelivery changes nothing again."""
    submission, reasons = submissions.read(data)
    external_id = submission.external_id if submission else _external_id(data)
    details = None
    if submission is not None and submission.action == "publish":
        details, more = submissions.to_details(submission, node=node, now=stores.clock.now())
        reasons = [*reasons, *more]
    if reasons or submission is None:
        return await _reject(stores, submission_id, node, external_id, reasons)
    event_id = submissions.event_id_for(node, submission.external_id)
    if submission.action == "cancel":
        reason = submission.cancel_reason or "Cancelled by the regional node"
        try:
            await change_event(stores, event_id, lambda e: e.cancel(reason=reason))
        except NotFound:
            return await _reject(
                stores, submission_id, node, external_id, ["external_id: no such event"]
            )
        return SubmissionOutcome("cancelled", event_id)
    if details is None:  # a publish always has details here; this keeps the types honest
        return await _reject(stores, submission_id, node, external_id, ["details: missing"])
    # Insert first: most submissions are new events, and the unique id decides the rest.
    event = NetworkEvent.draft(
        event_id=event_id,
        details=details,
        capacity=submission.capacity,
        now=stores.clock.now(),
        organiser_node=node,
    )
    event.publish()
    if await stores.events.add(event):
        return SubmissionOutcome("published", event_id)
    # Already there (an update, or the same submission again): revise it.

    def revise(event: NetworkEvent) -> None:
        event.revise(details, now=stores.clock.now())
        if event.capacity != submission.capacity:
            event.change_capacity(submission.capacity)

    await change_event(stores, event_id, revise)
    return SubmissionOutcome("updated", event_id)


async def reject_unreadable(
    stores: Stores, *, submission_id: str, raw: bytes, problem: str
) -> SubmissionOutcome | None:
    """A submission too broken to handle (it went to the dead-letter topic) is still answered
    with submission.rejected when its external id can be read, so the node learns of it."""
    node, external_id = submissions.salvage(raw)
    if external_id is None:
        return None
    reasons = [f"malformed: {problem}"]
    return await _reject(stores, submission_id, node or "unknown", external_id, reasons)


async def node_for_key(stores: Stores, *, presented_key: str | None) -> str:
    """The node (region) a presented key speaks for."""
    if not presented_key:
        raise Unauthorized("node_key_missing", "Send the node's key in X-Node-Key")
    return await authenticate_node(stores, presented_key)


async def submit_over_api(
    stores: Stores, *, node: str, idempotency_key: str | None, data: dict[str, Any]
) -> SubmissionOutcome:
    """A submission a node posts with its key: the same use case as the Kafka path; an
    `Idempotency-Key` makes a retried request one submission. Refused with every reason."""
    submission_id = f"api:{node}:{idempotency_key}" if idempotency_key else stores.new_id()
    result = await submit(stores, submission_id=submission_id, node=node, data=data)
    if result.outcome == "rejected":
        raise Invalid(
            "submission_rejected", "The submission was not accepted", reasons=list(result.reasons)
        )
    return result


async def _reject(
    stores: Stores, submission_id: str, node: str, external_id: str | None, reasons: list[str]
) -> SubmissionOutcome:
    rejected = facts.SubmissionRejected(
        node=node,
        external_id=external_id,
        submission_id=submission_id,
        reasons=reasons,
        region=node if node in region_codes() else None,
    )
    await stores.submissions.record(
        submission_id=submission_id,
        node=node,
        external_id=external_id,
        outcome="rejected",
        facts=[rejected],
    )
    return SubmissionOutcome("rejected", reasons=tuple(reasons))


def _external_id(data: dict[str, Any]) -> str | None:
    value = data.get("external_id")
    return value if isinstance(value, str) and len(value) <= 64 else None
