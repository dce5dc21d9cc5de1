"""MongoDB persistence (knet_notifications): the members read model and who is attached to
what, fan-out chunks (their jobs in the outbox), the inbox (each item with its `delivered`
fact in the outbox), and deliveries by email and webhook (the delivery log)."""

from __future__ import annotations

from pymongo import IndexModel

from services.notifications.repository.deliveries import Deliveries
from services.notifications.repository.inbox import Inbox
from services.notifications.repository.jobs import Fanouts, Waiting
from services.notifications.repository.members import Audiences, Directory, opted_in

INDEXES: dict[str, list[IndexModel]] = {
    "members": [
        IndexModel([("region", 1), ("roles", 1), ("status", 1)], name="by_region_role"),
        IndexModel([("interests", 1), ("status", 1), ("region", 1)], name="by_interest"),
        IndexModel([("opted_in", 1), ("status", 1), ("region", 1)], name="by_opt_in"),
    ],
    "audiences": [IndexModel([("kind", 1), ("target", 1), ("active", 1)], name="by_target")],
    "waiting": [IndexModel([("member_id", 1)], name="by_member")],
    "inbox": [
        IndexModel([("member_id", 1), ("created_at", -1), ("_id", -1)], name="by_member"),
        IndexModel([("member_id", 1), ("unread", 1)], name="unread"),
        # How far a fan-out has gone (operators, the benchmark): counted from the index.
        IndexModel([("source_id", 1)], name="by_source"),
    ],
    "deliveries": [
        # The retry loop's pending deliveries, and the emails held for digests, by time due.
        IndexModel([("status", 1), ("next_attempt_at", 1)], name="due"),
        IndexModel([("digest_id", 1), ("status", 1)], name="by_digest"),
        IndexModel([("member_id", 1), ("created_at", -1), ("_id", -1)], name="by_member"),
    ],
}

__all__ = [
    "INDEXES",
    "Audiences",
    "Deliveries",
    "Directory",
    "Fanouts",
    "Inbox",
    "Waiting",
    "opted_in",
]
