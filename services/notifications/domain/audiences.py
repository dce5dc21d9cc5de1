"""Who a notification is for, said declaratively by the rules and resolved to member ids by
the read model (usecases/fanout.py). Pure values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Members:
    """These members (the applicant, a plan's owner, those registered)."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class RegionRole:
    """Active members of a region who hold a role (the region's facilitators)."""

    region: str
    role: str


@dataclass(frozen=True)
class Interested:
    """Active members whose interests match one of the tags, in a region (None: everywhere),
    or, with `everyone`, every active member there who opted in to the category."""

    region: str | None
    tags: tuple[str, ...]
    everyone: bool = False


@dataclass(frozen=True)
class Registered:
    """Members registered for an event (seat or waitlist)."""

    event_id: str


@dataclass(frozen=True)
class Followers:
    """Members who follow a recommendation or a plan, or take part in a thread."""

    kind: str
    target: str


Audience = Members | RegionRole | Interested | Registered | Followers
