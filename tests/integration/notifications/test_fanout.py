"""Fan-out at national size: one national event to 10,000 members who take events news
reaches every one of them exactly once (counted by member id in the inbox), through the jobs
topic and the workers, and the source fact delivered again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.events import facts as events
from services.notifications.domain.preferences import Preferences
from services.notifications.repository import Directory, Inbox, opted_in
from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.notifications.conftest import Notifications

MEMBERS = 10_000


async def test_a_national_event_reaches_ten_thousand_members_once_each(
    notifications: Notifications,
) -> None:
    n = notifications
    tag = new_id()[-8:]
    now = datetime.now(UTC)
    defaults = Preferences()
    # No email for these: the point is the fan-out, not 10,000 messages to the test's server.
    quiet = defaults.changed(channels={"events": ["in_app"]})
    assert isinstance(n.stores.directory, Directory)
    directory = n.stores.directory.collection
    ids = [f"fan{tag}-{i:05d}" for i in range(MEMBERS)]
    for start in range(0, MEMBERS, 1000):
        await directory.insert_many(
            [
                {
                    "_id": member_id,
                    "name": member_id,
                    "email": f"{member_id}@nhs.net",
                    "region": "LDN",
                    "roles": ["member"],
                    "interests": [],
                    "status": "active",
                    "preferences": quiet.as_dict(),
                    "opted_in": opted_in(quiet),
                    "as_of": now,
                }
                for member_id in ids[start : start + 1000]
            ]
        )
    event_id = f"e{tag}"
    fact = events.EventPublished(
        event_id=event_id,
        region=None,
        title=f"National showcase {tag}",
        kind="conference",
        mode="online",
        scope="national",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=3),
        capacity=500,
        tags=[],
        organiser_member_id=None,
        organiser_node=None,
    )
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
