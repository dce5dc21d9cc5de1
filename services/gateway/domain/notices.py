"""What a member may choose about their notifications: the categories, the channels offered
to them (a webhook only to those who keep a regional node), and how digests go."""

from __future__ import annotations

from collections.abc import Collection

CATEGORIES = {
    "membership": "Membership: applications, approvals, your roles",
    "events": "Events: new events for you, your places, reminders, cancellations",
    "plans": "Plans: the plans you lead or follow",
    "practice": "Practice: case studies on what you follow or care about",
    "conversations": "Conversations: replies in your threads, mentions, your answers accepted",
}
CHANNELS = {"in_app": "On the site", "email": "By email"}
WEBHOOK_CHANNEL = {"webhook": "To our regional node (webhook)"}
NODE_KEEPERS = ("facilitator", "operator")
DIGESTS = {"off": "Send each email at once", "daily": "One email a day", "weekly": "One a week"}


def keeps_node(roles: Collection[str]) -> bool:
    return any(role in roles for role in NODE_KEEPERS)


def channels_offered(roles: Collection[str]) -> dict[str, str]:
    """Webhooks are for regional nodes: offered to those who keep one."""
    return {**CHANNELS, **WEBHOOK_CHANNEL} if keeps_node(roles) else CHANNELS


def chosen_channels(roles: Collection[str], ticked: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per category, the ticked channels among those offered (another is never sent)."""
    offered = channels_offered(roles)
    return {c: [ch for ch in ticked.get(c, []) if ch in offered] for c in CATEGORIES}
