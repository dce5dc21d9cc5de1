"""From a source fact to per-member jobs: the rule table says who and what; the read model
says which members that is; the jobs go out on knet.notification-jobs.v1 in chunks (one
record per chunk, its jobs in its outbox), so a fan-out to 100,000 is a few hundred writes.
A chunk is keyed by the source fact and its place, so a redelivered fact adds nothing; should
the audience have changed meanwhile, the workers' own dedupe still gives one each."""

from __future__ import annotations

from dataclasses import replace

from services.notifications import readers as read
from services.notifications.domain import rules
from services.notifications.domain.audiences import (
    Audience,
    Followers,
    Interested,
    Members,
    RegionRole,
    Registered,
)
from services.notifications.facts import NotificationJob
from services.notifications.stores import Stores


async def resolve(stores: Stores, audience: Audience, category: str) -> list[str]:
    match audience:
        case Members(ids):
            return list(ids)
        case RegionRole(region, role):
            return await stores.directory.with_role(region, role)
        case Interested(region, tags, everyone):
            return await stores.directory.interested(
                region=region, tags=[t.lower() for t in tags], everyone=everyone, category=category
            )
        case Registered(event_id):
            return await stores.audiences.members("event", event_id)
        case Followers(kind, target):
            return await stores.audiences.members(kind, target)
    raise TypeError(f"unknown audience {audience!r}")


async def notify(stores: Stores, *, source_id: str, source_type: str, fact: read.Regional) -> int:
    """The jobs this fact makes (0 when it concerns no one); written once per fact."""
    route = rules.route(source_type, fact)
    if route is None:
        return 0
    category = route.message.category.value
    members: dict[str, None] = {}
    for audience in route.audiences:
        for member_id in await resolve(stores, audience, category):
            if member_id and member_id not in route.exclude:
                members.setdefault(member_id)
    message = replace(route.message, region=fact.region)
    ids = list(members)
    size = stores.fanout_chunk
    written = 0
    for start in range(0, len(ids), size):
        jobs = [
            NotificationJob(
                source_id=source_id,
                source_type=source_type,
                member_id=m,
                message=message.as_dict(),
                region=message.region,
            )
            for m in ids[start : start + size]
        ]
        if await stores.fanouts.add(f"{source_id}|{start // size}", jobs):
            written += len(jobs)
    return written
