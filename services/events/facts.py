"""What the events service publishes on knet.events.v1 (key and subject: the network event id).
The regional-submission contract (what nodes send) is in domain/submission.py."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict

from services.events.domain.submission import EventSubmission
from shared import topics
from shared.cloudevents import Fact

# What regional nodes send: named here so that `knet contracts` publishes its schema too.
SUBMISSION_CONTRACT = EventSubmission

_EVENT = {"event_id": "01a21b9e794bac135f8ad1fbd4", "region": "LDN"}


class NetworkEventFact(Fact):
    topic: ClassVar[str] = topics.EVENTS
    event_id: str
    region: str | None


class EventPublished(NetworkEventFact):
    """A network event was published and is open for registration."""

    event_type: ClassVar[str] = "uk.nhs.knet.event.published.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EVENT,
                    "title": "Peer assist clinic",
                    "kind": "workshop",
                    "mode": "online",
                    "scope": "regional",
                    "starts_at": "2027-01-12T10:00:00Z",
                    "ends_at": "2027-01-12T12:00:00Z",
                    "capacity": 30,
                    "tags": ["R4"],
                    "organiser_member_id": "m1",
                    "organiser_node": None,
                }
            ]
        }
    )
    title: str
    kind: str
    mode: str
    scope: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    tags: list[str]
    organiser_member_id: str | None
    organiser_node: str | None


class EventUpdated(NetworkEventFact):
    """A published event's details changed; `changed` names the fields."""

    event_type: ClassVar[str] = "uk.nhs.knet.event.updated.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EVENT,
                    "changed": ["starts_at"],
                    "title": "Peer assist clinic",
                    "starts_at": "2027-01-12T11:00:00Z",
                    "ends_at": "2027-01-12T13:00:00Z",
                }
            ]
        }
    )
    changed: list[str]
    title: str
    starts_at: datetime
    ends_at: datetime


class EventCancelled(NetworkEventFact):
    """A network event was cancelled; everyone registered is told why."""

    event_type: ClassVar[str] = "uk.nhs.knet.event.cancelled.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EVENT,
                    "title": "Peer assist clinic",
                    "reason": "Speaker unwell",
                    "registered_member_ids": ["m2", "m3"],
                }
            ]
        }
    )
    title: str
    reason: str
    registered_member_ids: list[str]


class RegistrationConfirmed(NetworkEventFact):
    """A member has a seat."""

    event_type: ClassVar[str] = "uk.nhs.knet.registration.confirmed.v1"
    model_config = ConfigDict(json_schema_extra={"examples": [{**_EVENT, "member_id": "m2"}]})
    member_id: str


class RegistrationWaitlisted(NetworkEventFact):
    """The event was full: the member is on the waitlist at this position."""

    event_type: ClassVar[str] = "uk.nhs.knet.registration.waitlisted.v1"
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_EVENT, "member_id": "m2", "position": 1}]}
    )
    member_id: str
    position: int


class RegistrationPromoted(NetworkEventFact):
    """A seat freed up and the first member on the waitlist got it."""

    event_type: ClassVar[str] = "uk.nhs.knet.registration.promoted.v1"
    model_config = ConfigDict(json_schema_extra={"examples": [{**_EVENT, "member_id": "m3"}]})
    member_id: str


class RegistrationCancelled(NetworkEventFact):
    """A member cancelled their registration (seat or waitlist place)."""

    event_type: ClassVar[str] = "uk.nhs.knet.registration.cancelled.v1"
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_EVENT, "member_id": "m2", "had_seat": True}]}
    )
    member_id: str
    had_seat: bool


class AttendanceRecorded(NetworkEventFact):
    """The organiser recorded that a member attended."""

    event_type: ClassVar[str] = "uk.nhs.knet.attendance.recorded.v1"
    model_config = ConfigDict(json_schema_extra={"examples": [{**_EVENT, "member_id": "m2"}]})
    member_id: str


class EventReminderDue(NetworkEventFact):
    """A registered member should be reminded: the event starts within `window`."""

    event_type: ClassVar[str] = "uk.nhs.knet.event.reminder_due.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EVENT,
                    "member_id": "m2",
                    "window": "24h",
                    "title": "Peer assist clinic",
                    "starts_at": "2027-01-12T10:00:00Z",
                    "join_url": "https://meet.example/x",
                    "venue": None,
                }
            ]
        }
    )
    member_id: str
    window: str
    title: str
    starts_at: datetime
    join_url: str | None
    venue: str | None


class EventCompleted(NetworkEventFact):
    """A published event has ended (attendance may still be recorded afterwards)."""

    event_type: ClassVar[str] = "uk.nhs.knet.event.completed.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {**_EVENT, "title": "Peer assist clinic", "seats_taken": 28, "attended": 0}
            ]
        }
    )
    title: str
    seats_taken: int
    attended: int


class SubmissionRejected(Fact):
    """A regional node's submission was not accepted; `reasons` says why, all at once."""

    event_type: ClassVar[str] = "uk.nhs.knet.submission.rejected.v1"
    topic: ClassVar[str] = topics.EVENTS
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "node": "LDN",
                    "external_id": "ldn-2027-01-peer-assist",
                    "submission_id": "01a21b9e7",
                    "reasons": ["ends_at: must be after starts_at"],
                    "region": "LDN",
                }
            ]
        }
    )
    node: str
    external_id: str | None
    submission_id: str
    reasons: list[str]
    # The node's region, so that the node routes its own rejections (None: a node unknown).
    region: str | None = None
