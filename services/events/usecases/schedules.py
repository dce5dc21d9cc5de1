"""What the scheduler does, safely on every replica at once: reminders, and completing events
that ended."""

from __future__ import annotations

from services.events import facts
from services.events.domain.network_event import NetworkEvent
from services.events.domain.reminders import LOOKAHEAD, due
from services.events.stores import Stores
from services.events.usecases.network_events import change_event


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

    await change_event(stores, event_id, complete)
    return completed_here[-1]
