"""Topic names: one per aggregate, versioned. Keys are aggregate ids so one aggregate's
events keep their order."""

from __future__ import annotations

MEMBERSHIP = "knet.membership.v1"
EVENTS = "knet.events.v1"
RECOMMENDATIONS = "knet.recommendations.v1"
REGIONAL_SUBMISSIONS = "knet.regional-submissions.v1"
NOTIFICATION_JOBS = "knet.notification-jobs.v1"
NOTIFICATIONS = "knet.notifications.v1"
CONVERSATIONS = "knet.conversations.v1"
DEAD_LETTERS = "knet.dlq.v1"

ALL = (
    MEMBERSHIP,
    EVENTS,
    RECOMMENDATIONS,
    REGIONAL_SUBMISSIONS,
    NOTIFICATION_JOBS,
    NOTIFICATIONS,
    CONVERSATIONS,
    DEAD_LETTERS,
)
