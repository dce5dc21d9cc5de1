"""The events service's use cases: load, decide (domain), save with the facts."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.events import facts
from services.events.domain import calendar, node_keys
from services.events.domain import submission as submissions
from services.events.domain.details import EventDetails, Scope
from services.events.domain.listing import Listing
from services.events.domain.network_event import NetworkEvent, Registration, Seat
from services.events.domain.node_keys import NodeKey
from services.events.domain.reminders import LOOKAHEAD, due
from services.events.stores import Stores
from shared.caller import Caller
from shared.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from shared.pagination import page_in_memory
from shared.reference import region_codes
from shared.retry import change


async def create_event(
    stores: Stores, *, caller: Caller, details: EventDetails, capacity: int, publish: bool
) -> NetworkEvent:
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members organise events")
    if details.scope is Scope.NATIONAL and not (caller.has("operator") or caller.has("core")):
        raise Forbidden(
            "not_permitted", "National events are organised by the core group or operators"
        )
    event = NetworkEvent.draft(
        event_id=stores.new_id(),
        details=details,
        capacity=capacity,
        now=stores.clock.now(),
        organiser_member_id=caller.member_id,
    )
    if publish:
        event.publish()
    if not await stores.events.add(event):
        raise Conflict("event_exists", f"There is already an event {event.id}")
    return event


async def get_event(stores: Stores, event_id: str) -> NetworkEvent:
    event = await stores.events.get(event_id)
    if event is None:
        raise NotFound("event_not_found", f"No event {event_id}")
    return event


async def register(stores: Stores, *, caller: Caller, event_id: str) -> Registration:
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members register for events")
    found: list[Registration] = []
    await _change(
        stores,
        event_id,
        lambda e: found.append(e.register(member_id=caller.member_id, now=stores.clock.now())),
    )
    return found[-1]


async def cancel_registration(stores: Stores, *, caller: Caller, event_id: str) -> NetworkEvent:
    return await _change(
        stores, event_id, lambda e: e.cancel_registration(member_id=caller.member_id)
    )


async def cancel_event(
    stores: Stores, *, caller: Caller, event_id: str, reason: str
) -> NetworkEvent:
    def cancel(event: NetworkEvent) -> None:
        _require_organiser_authority(caller, event)
        event.cancel(reason=reason)

    return await _change(stores, event_id, cancel)


async def record_attendance(
    stores: Stores, *, caller: Caller, event_id: str, member_ids: list[str]
) -> NetworkEvent:
    def record(event: NetworkEvent) -> None:
        _require_organiser_authority(caller, event)
        event.record_attendance(member_ids=member_ids, now=stores.clock.now())

    return await _change(stores, event_id, record)


async def revise_event(
    stores: Stores, *, caller: Caller, event_id: str, details: EventDetails, capacity: int
) -> NetworkEvent:
    def revise(event: NetworkEvent) -> None:
        _require_organiser_authority(caller, event)
        event.revise(details, now=stores.clock.now())
        if event.capacity != capacity:
            event.change_capacity(capacity)

    return await _change(stores, event_id, revise)


async def registrations(
    stores: Stores, *, caller: Caller, event_id: str, cursor: str | None, limit: int
) -> tuple[list[Registration], str | None]:
    """The organiser's view, paged: seats first, then the waitlist in order (registrations
    live in the event's document, so a page is cut from it)."""
    event = await get_event(stores, event_id)
    _require_organiser_authority(caller, event)
    return page_in_memory(
        event.registrations,
        key=lambda r: [0 if r.seat is Seat.CONFIRMED else 1, r.at, r.member_id],
        fields=3,
        cursor=cursor,
        limit=limit,
    )


async def upcoming(
    stores: Stores,
    *,
    region: str | None = None,
    scope: str | None = None,
    tag: str | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    cursor: str | None,
    limit: int,
) -> tuple[list[NetworkEvent], str | None]:
    listing = Listing.of(
        now=stores.clock.now(),
        region=region,
        scope=scope,
        tag=tag,
        starts_after=starts_after,
        starts_before=starts_before,
    )
    return await stores.events.upcoming(listing, cursor=cursor, limit=limit)


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
    if submission is not None and not reasons and submission.action == "publish":
        details, reasons = submissions.to_details(submission, node=node, now=stores.clock.now())
    if reasons or submission is None:
        return await _reject(stores, submission_id, node, external_id, reasons)
    event_id = submissions.event_id_for(node, submission.external_id)
    if submission.action == "cancel":
        reason = submission.cancel_reason or "Cancelled by the regional node"
        try:
            await _change(stores, event_id, lambda e: e.cancel(reason=reason))
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

    await _change(stores, event_id, revise)
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


async def issue_node_key(
    stores: Stores, *, caller: Caller, region: str, label: str
) -> tuple[NodeKey, str]:
    _require_node_authority(caller, region)
    key, presented = node_keys.issue(
        key_id=stores.new_id(),
        region=region,
        label=label,
        created_by=caller.member_id,
        now=stores.clock.now(),
    )
    await stores.node_keys.add(key)
    return key, presented


async def node_keys_of(
    stores: Stores, *, caller: Caller, region: str, cursor: str | None, limit: int
) -> tuple[list[NodeKey], str | None]:
    _require_node_authority(caller, region)
    return await stores.node_keys.page(region, cursor=cursor, limit=limit)


async def revoke_node_key(stores: Stores, *, caller: Caller, region: str, key_id: str) -> None:
    _require_node_authority(caller, region)
    key = await stores.node_keys.get(key_id)
    if key is None or key.region != region:
        raise NotFound("node_key_not_found", f"No key {key_id} for {region}")
    await stores.node_keys.revoke(key_id, stores.clock.now())


async def submit_over_api(
    stores: Stores, *, presented_key: str | None, idempotency_key: str | None, data: dict[str, Any]
) -> SubmissionOutcome:
    """A submission a node posts with its key: the same use case as the Kafka path; an
    `Idempotency-Key` makes a retried request one submission. Refused with every reason."""
    if not presented_key:
        raise Unauthorized("node_key_missing", "Send the node's key in X-Node-Key")
    node = await authenticate_node(stores, presented_key)
    submission_id = f"api:{node}:{idempotency_key}" if idempotency_key else stores.new_id()
    result = await submit(stores, submission_id=submission_id, node=node, data=data)
    if result.outcome == "rejected":
        raise Invalid(
            "submission_rejected", "The submission was not accepted", reasons=list(result.reasons)
        )
    return result


async def authenticate_node(stores: Stores, presented: str) -> str:
    """The region a node's API key speaks for."""
    parsed = node_keys.parse(presented)
    key = await stores.node_keys.get(parsed[0]) if parsed else None
    if parsed is None or key is None or not node_keys.proves(key, parsed[1]):
        raise Unauthorized("node_key_invalid", "The node key is not valid or was revoked")
    return key.region


async def send_due_reminders(stores: Stores) -> int:
    """Claims and emits every reminder due now; safe to run on every replica at once.
    Returns how many this call sent."""
    now = stores.clock.now()
    sent = 0
    for event in await stores.events.starting_between(now, now + LOOKAHEAD):
        for reminder in due(event, now=now):
            d = event.details
            fact = facts.EventReminderDue(
                event_id=event.id,
                region=event.region,
                member_id=reminder.member_id,
                window=reminder.window,
                title=d.title,
                starts_at=d.starts_at,
                join_url=d.join_url,
                venue=d.venue,
            )
            sent += await stores.reminders.claim(reminder.key, fact)
    return sent


async def complete_ended_events(stores: Stores) -> int:
    """Marks ended events completed; safe on every replica (the versioned write lets one
    decide, the others find it completed and change nothing). Returns how many this call
    completed."""
    completed = 0
    for event in await stores.events.ended_but_open(stores.clock.now()):
        completed += await _complete(stores, event.id)
    return completed


async def _complete(stores: Stores, event_id: str) -> bool:
    """True when this call completed it; another replica may have, first."""
    completed_here: list[bool] = []  # one per attempt: the last is the one saved

    def complete(event: NetworkEvent) -> None:
        was = event.status
        event.complete(now=stores.clock.now())
        completed_here.append(event.status is not was)

    await _change(stores, event_id, complete)
    return completed_here[-1]


FEED_HISTORY = timedelta(days=90)


def calendar_token(secret: str, member_id: str) -> str:
    """The capability in a member's private feed URL (calendar apps send no bearer token)."""
    return hmac.new(secret.encode(), f"calendar:{member_id}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]


async def event_calendar(stores: Stores, *, event_id: str) -> bytes:
    return calendar.calendar([await get_event(stores, event_id)], now=stores.clock.now())


def calendar_link(stores: Stores, *, caller: Caller, member_id: str) -> str:
    if caller.member_id != member_id:
        raise Forbidden("not_yours", "Members see only their own calendar link")
    token = calendar_token(stores.feed_secret, member_id)
    return f"/v1/members/{member_id}/calendar.ics?token={token}"


async def member_calendar(stores: Stores, *, member_id: str, token: str) -> bytes:
    if not hmac.compare_digest(token, calendar_token(stores.feed_secret, member_id)):
        raise Forbidden("bad_feed_token", "This calendar link is not valid")
    now = stores.clock.now()
    events = await stores.events.registered(member_id, since=now - FEED_HISTORY)
    return calendar.calendar(events, now=now, member_id=member_id, name="My KM Network events")


async def _reject(
    stores: Stores, submission_id: str, node: str, external_id: str | None, reasons: list[str]
) -> SubmissionOutcome:
    rejected = facts.SubmissionRejected(
        node=node, external_id=external_id, submission_id=submission_id, reasons=reasons
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


def _require_node_authority(caller: Caller, region: str) -> None:
    if region not in region_codes():
        raise NotFound("unknown_region", f"'{region}' is not a region")
    if not caller.governs(region):
        raise Forbidden("not_permitted", "Only the region's facilitators or an operator")


def _require_organiser_authority(caller: Caller, event: NetworkEvent) -> None:
    if caller.member_id == event.organiser_member_id or caller.governs(event.region):
        return
    raise Forbidden("not_permitted", "Only the organiser, the region's facilitators or an operator")


async def _change(
    stores: Stores, event_id: str, decide: Callable[[NetworkEvent], Any]
) -> NetworkEvent:
    return await change(stores.events, lambda: get_event(stores, event_id), decide)
