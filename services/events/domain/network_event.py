"""A network event and its registrations, as one aggregate: taking a seat, joining the
waitlist and promoting from it are one decision over one document, so capacity holds under
concurrency (the document write is versioned and locked, see shared/aggregates.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.events import events
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


@dataclass
class NetworkEvent:
    id: str
    title: str
    region: str | None
    capacity: int
    starts_at: datetime
    ends_at: datetime
    status: Status = Status.DRAFT
    registrations: list[Registration] = field(default_factory=list)
    version: int = 0
    facts: list[events.NetworkEventFact] = field(default_factory=list)

    @property
    def confirmed(self) -> list[Registration]:
        return [r for r in self.registrations if r.seat is Seat.CONFIRMED]

    @property
    def waitlist(self) -> list[Registration]:
        """First come, first served: registrations keep their arrival order."""
        return [r for r in self.registrations if r.seat is Seat.WAITLISTED]

    @property
    def seats_left(self) -> int:
        return max(self.capacity - len(self.confirmed), 0)

    def register(self, *, member_id: str, now: datetime) -> Registration:
        if self.status is not Status.PUBLISHED:
            raise Conflict("not_open", f"The event is {self.status.value}; registration is closed")
        if now >= self.starts_at:
            raise Conflict("already_started", "The event has started")
        if any(r.member_id == member_id for r in self.registrations):
            raise Conflict("already_registered", "You are already registered")
        seat = Seat.CONFIRMED if self.seats_left > 0 else Seat.WAITLISTED
        registration = Registration(member_id, seat, now)
        self.registrations.append(registration)
        if seat is Seat.CONFIRMED:
            self.facts.append(
                events.RegistrationConfirmed(
                    event_id=self.id, region=self.region, member_id=member_id
                )
            )
        else:
            self.facts.append(
                events.RegistrationWaitlisted(
                    event_id=self.id,
                    region=self.region,
                    member_id=member_id,
                    position=len(self.waitlist),
                )
            )
        return registration

    def cancel_registration(self, *, member_id: str) -> None:
        registration = next((r for r in self.registrations if r.member_id == member_id), None)
        if registration is None:
            raise Conflict("not_registered", "You are not registered for this event")
        self.registrations.remove(registration)
        had_seat = registration.seat is Seat.CONFIRMED
        self.facts.append(
            events.RegistrationCancelled(
                event_id=self.id, region=self.region, member_id=member_id, had_seat=had_seat
            )
        )
        if had_seat and self.status is Status.PUBLISHED:
            self._promote()

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
                events.RegistrationPromoted(
                    event_id=self.id, region=self.region, member_id=first.member_id
                )
            )
