"""Fan-out at national size: one national event to 10,000 members who take events news
reaches every one of them exactly once (counted by member id in the inbox), through the jobs
topic and the workers, and the source fact delivered again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notifications.repository import Directory, Inbox
from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.notifications.conftest import Notifications
from tests.integration.notifications.fanout import national_event, seed_members

MEMBERS = 10_000


async def test_a_national_event_reaches_ten_thousand_members_once_each(
    notifications: Notifications,
) -> None:
    n = notifications
    tag = new_id()[-8:]
    now = datetime.now(UTC)
    ids = [f"fan{tag}-{i:05d}" for i in range(MEMBERS)]
    assert isinstance(n.stores.directory, Directory)
    await seed_members(n.stores.directory.collection.database, ids, now=now)
    event_id = f"e{tag}"
    fact = national_event(event_id, now=now)
    record = await n.publish(fact, subject=event_id, source="/services/events")
    await n.producer.send_and_wait("knet.events.v1", record, key=event_id.encode())  # again
    assert isinstance(n.stores.inbox, Inbox)
    inbox = n.stores.inbox.collection
    mine = {"member_id": {"$gte": f"fan{tag}-", "$lt": f"fan{tag}-~"}}

    async def everyone() -> bool:
        return bool(await inbox.count_documents(mine) >= MEMBERS)

    await eventually(everyone, timeout=240, what=f"{MEMBERS:,} inbox writes")
    members = [d["member_id"] async for d in inbox.find(mine, {"member_id": 1})]
    assert len(members) == MEMBERS
    assert sorted(members) == ids, "every one, exactly once"
