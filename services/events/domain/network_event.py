"""A network event and its registrations, as one aggregate: taking a seat, joining the
waitlist and promoting from it are one decision over one document, so capacity holds under
concurrency (the document write is versioned and locked, see shared/aggregates.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum

from services.events import facts as fact
from services.events.domain.details import EventDetails, check
from shared.errors import Conflict, Invalid


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Seat(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


@dataclass
class Registration:
    member_id: str
    seat: Seat
    at: datetime
    attended: bool = False
    # The member's region when they registered: a national event's registrations still
    # concern a region, which its facts carry for regional nodes to route by.
    member_region: str | None = None


@dataclass
class NetworkEvent:
    id: str
    details: EventDetails
    capacity: int
    organiser_member_id: str | None = None
    organiser_node: str | None = None  # the region code of the regional node that submitted it
    status: Status = Status.DRAFT
    registrations: list[Registration] = field(default_factory=list)
    cancel_reason: str | None = None
    version: int = 0
    facts: list[fact.NetworkEventFact] = field(default_factory=list)

    @classmethod
    def draft(
        cls,
        *,
        event_id: str,
        details: EventDetails,
        capacity: int,
        now: datetime,
        organiser_member_id: str | None = None,
        organiser_node: str | None = None,
    ) -> NetworkEvent:
        if (organiser_member_id is None) == (organiser_node is None):
            raise Invalid("invalid_organiser", "An event has one organiser: a member or a node")
        event = cls(
            id=event_id,
            details=check(details, now=now),
            capacity=1,
            organiser_member_id=organiser_member_id,
            organiser_node=organiser_node,
        )
        event.change_capacity(capacity)
        return event

    @property
    def title(self) -> str:
        return self.details.title

    @property
    def region(self) -> str | None:
        return self.details.region

    @property
    def starts_at(self) -> datetime:
        return self.details.starts_at

    def publish(self) -> None:
        if self.status is not Status.DRAFT:
            raise Conflict("not_draft", f"The event is {self.status.value}, not a draft")
        self.status = Status.PUBLISHED
        d = self.details
        self.facts.append(
            fact.EventPublished(
                event_id=self.id,
                region=d.region,
                title=d.title,
                kind=d.kind.value,
                mode=d.mode.value,
                scope=d.scope.value,
                starts_at=d.starts_at,
                ends_at=d.ends_at,
                capacity=self.capacity,
                tags=list(d.tags),
                organiser_member_id=self.organiser_member_id,
                organiser_node=self.organiser_node,
            )
        )

    def revise(self, details: EventDetails, *, now: datetime) -> None:
        """New details; published events tell their registrants what changed."""
        if self.status in (Status.CANCELLED, Status.COMPLETED):
            raise Conflict("closed", f"The event is {self.status.value}")
        details = check(details, now=now)
        changed = [
            f.name
            for f in fields(EventDetails)
            if getattr(details, f.name) != getattr(self.details, f.name)
        ]
        if not changed:
            return
        self.details = details
        if self.status is Status.PUBLISHED:
            self.facts.append(
                fact.EventUpdated(
                    event_id=self.id,
                    region=details.region,
                    changed=changed,
                    title=details.title,
                    starts_at=details.starts_at,
                    ends_at=details.ends_at,
                )
            )

    def cancel(self, *, reason: str) -> None:
        if self.status is Status.CANCELLED:
            return
        if self.status is Status.COMPLETED:
            raise Conflict("closed", "The event has taken place")
        reason = " ".join(reason.split())
        if not 1 <= len(reason) <= 1000:
            raise Invalid("reason_required", "Say why (1 to 1000 characters): registrants are told")
        self.status, self.cancel_reason = Status.CANCELLED, reason
        self.facts.append(
            fact.EventCancelled(
                event_id=self.id,
                region=self.region,
                title=self.title,
                reason=reason,
                registered_member_ids=[r.member_id for r in self.registrations],
            )
        )

    def complete(self, *, now: datetime) -> None:
        """A published event that has ended is completed (once); attendance can still be
        recorded afterwards, since organisers often do it the next day."""
        if self.status is not Status.PUBLISHED or now < self.details.ends_at:
            return
        self.status = Status.COMPLETED
        self.facts.append(
            fact.EventCompleted(
                event_id=self.id,
                region=self.region,
                title=self.title,
                seats_taken=len(self.confirmed),
                attended=sum(r.attended for r in self.confirmed),
            )
        )

    @property
    def confirmed(self) -> list[Registration]:
        return [r for r in self.registrations if r.seat is Seat.CONFIRMED]

    @property
    def waitlist(self) -> list[Registration]:
        """First come, first served: registrations keep their arrival order."""
        return [r for r in self.registrations if r.seat is Seat.WAITLISTED]

    def place_of(self, member_id: str) -> tuple[Registration, int | None] | None:
        """A member's registration and, on the waitlist, their place in it (1 is next)."""
        for registration in self.registrations:
            if registration.member_id == member_id:
                if registration.seat is Seat.CONFIRMED:
                    return registration, None
                return registration, self.waitlist.index(registration) + 1
        return None

    @property
    def seats_left(self) -> int:
        return max(self.capacity - len(self.confirmed), 0)

    def _region_of(self, registration: Registration) -> str | None:
        return self.region or registration.member_region

    def register(
        self, *, member_id: str, now: datetime, member_region: str | None = None
    ) -> Registration:
        if self.status is not Status.PUBLISHED:
            raise Conflict("not_open", f"The event is {self.status.value}; registration is closed")
        if now >= self.starts_at:
            raise Conflict("already_started", "The event has started")
        if any(r.member_id == member_id for r in self.registrations):
            raise Conflict("already_registered", "You are already registered")
        seat = Seat.CONFIRMED if self.seats_left > 0 else Seat.WAITLISTED
        registration = Registration(member_id, seat, now, member_region=member_region)
        self.registrations.append(registration)
        region = self._region_of(registration)
        if seat is Seat.CONFIRMED:
            self.facts.append(
                fact.RegistrationConfirmed(event_id=self.id, region=region, member_id=member_id)
            )
        else:
            self.facts.append(
                fact.RegistrationWaitlisted(
                    event_id=self.id,
                    region=region,
                    member_id=member_id,
                    position=len(self.waitlist),
                )
            )
        return registration

    def cancel_registration(self, *, member_id: str) -> None:
        if self.status is Status.COMPLETED:
            raise Conflict("closed", "The event has taken place")
        registration = next((r for r in self.registrations if r.member_id == member_id), None)
        if registration is None:
            raise Conflict("not_registered", "You are not registered for this event")
        self.registrations.remove(registration)
        had_seat = registration.seat is Seat.CONFIRMED
        self.facts.append(
            fact.RegistrationCancelled(
                event_id=self.id,
                region=self._region_of(registration),
                member_id=member_id,
                had_seat=had_seat,
            )
        )
        if had_seat and self.status is Status.PUBLISHED:
            self._promote()

    def record_attendance(self, *, member_ids: list[str], now: datetime) -> None:
        """Marks members as having attended; recording someone twice records nothing more."""
        if self.status is Status.CANCELLED:
            raise Conflict("cancelled", "The event was cancelled")
        if now < self.starts_at:
            raise Conflict("not_started", "Attendance is recorded once the event has started")
        seated = {r.member_id: r for r in self.confirmed}
        unknown = sorted(set(member_ids) - set(seated))
        if unknown:
            raise Invalid("not_registered", "Only members with a seat can attend", members=unknown)
        for member_id in dict.fromkeys(member_ids):
            registration = seated[member_id]
            if not registration.attended:
                registration.attended = True
                self.facts.append(
                    fact.AttendanceRecorded(
                        event_id=self.id,
                        region=self._region_of(registration),
                        member_id=member_id,
                    )
                )

    def change_capacity(self, capacity: int) -> None:
        if not 1 <= capacity <= 100_000:
            raise Invalid("invalid_capacity", "Capacity is between 1 and 100,000")
        self.capacity = capacity
        self._promote()

    def _promote(self) -> None:
        while self.seats_left > 0 and self.waitlist:
            first = self.waitlist[0]
            first.seat = Seat.CONFIRMED
            self.facts.append(
                fact.RegistrationPromoted(
                    event_id=self.id, region=self._region_of(first), member_id=first.member_id
                )
            )
