"""A fact from another service: the read model first (an approval's welcome goes to an address
it just learned, and what waited for the member is released), then the jobs it makes."""

from __future__ import annotations

from datetime import datetime

from services.notifications import readers as read
from services.notifications.stores import Stores
from services.notifications.usecases import deliver, fanout, readmodel

# The facts that change what is known of a member, and those that attach a member to
# something (an event, a plan, a thread) whose news they then hear.
MEMBER_RECORDS = (
    read.MemberApplied,
    read.MemberApproved,
    read.MemberDeclined,
    read.MemberProfileUpdated,
    read.MemberRoleChanged,
    read.MemberLeft,
)
ATTACHMENTS = (
    read.Registration,
    read.Follow,
    read.ThreadStarted,
    read.PostAdded,
    read.ThreadFollowed,
    read.PlanCreated,
)


async def source_fact(
    stores: Stores, *, event_id: str, event_type: str, fact: read.Regional, as_of: datetime
) -> int:
    """The jobs the fact made (0 when it concerns no one, or came before)."""
    if isinstance(fact, MEMBER_RECORDS):
        await readmodel.member_fact(stores, fact, as_of)
        await deliver.release(stores, fact.member_id)
    if isinstance(fact, ATTACHMENTS):
        await readmodel.attachment_fact(stores, event_type, fact, as_of)
    return await fanout.notify(stores, source_id=event_id, source_type=event_type, fact=fact)
