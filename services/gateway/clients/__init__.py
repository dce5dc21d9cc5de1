"""The gateway's clients of the domain services: `http` carries a call (the internal token,
the services' errors), `models` holds each service's request and answer models generated
from its committed OpenAPI document, and one typed client per service names every operation
the gateway uses (`operations` keeps them, for the test that holds them to the documents)."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.clients.conversations import Conversations
from services.gateway.clients.events import Events
from services.gateway.clients.http import Services
from services.gateway.clients.membership import Membership
from services.gateway.clients.notifications import Notifications
from services.gateway.clients.recommendations import Recommendations


@dataclass(frozen=True)
class Clients:
    """One typed client per service, over the same HTTP connections."""

    membership: Membership
    events: Events
    notifications: Notifications
    recommendations: Recommendations
    conversations: Conversations

    @classmethod
    def over(cls, services: Services) -> Clients:
        return cls(
            membership=Membership(services),
            events=Events(services),
            notifications=Notifications(services),
            recommendations=Recommendations(services),
            conversations=Conversations(services),
        )
