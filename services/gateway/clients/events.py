"""The events service, as the gateway calls it, typed with the models generated from its
OpenAPI document (clients/models/events.py)."""

from __future__ import annotations

from datetime import datetime

from services.gateway.clients.http import Services
from services.gateway.clients.models import events as e
from services.gateway.clients.operations import get, request, send
from shared.caller import Caller

SERVICE = "events"

LIST = get(
    SERVICE,
    "/v1/events",
    e.PageEventView,
    *("region", "scope", "tag", "starts_after", "starts_before", "cursor", "limit"),
)
EVENT = get(SERVICE, "/v1/events/{event_id}", e.EventView)
ORGANISE = send(SERVICE, "POST", "/v1/events", e.EventView, e.EventIn)
ICS = get(SERVICE, "/v1/events/{event_id}.ics", bytes)
MY_SEAT = get(SERVICE, "/v1/events/{event_id}/registrations/me", e.RegistrationView)
REGISTER = send(SERVICE, "POST", "/v1/events/{event_id}/registrations", e.RegistrationView)
UNREGISTER = send(SERVICE, "DELETE", "/v1/events/{event_id}/registrations/me", type(None))
REGISTRATIONS = get(
    SERVICE, "/v1/events/{event_id}/registrations", e.PageRegistrationRow, "cursor", "limit"
)
ATTENDANCE = send(SERVICE, "POST", "/v1/events/{event_id}/attendance", e.EventView, e.Attendance)
MY_EVENTS = get(SERVICE, "/v1/members/{member_id}/events", e.PageMyEventView)
CALENDAR_LINK = get(SERVICE, "/v1/members/{member_id}/calendar-link", dict[str, str])
RENEW_CALENDAR_LINK = send(SERVICE, "POST", "/v1/members/{member_id}/calendar-link", dict[str, str])
STATISTICS = get(SERVICE, "/v1/statistics/events", list[e.MonthOfEventsView], "months")
NODE_KEYS = get(SERVICE, "/v1/regions/{region}/node-keys", e.PageKeyView, "cursor")
ISSUE_KEY = send(SERVICE, "POST", "/v1/regions/{region}/node-keys", e.IssuedKey, e.KeyRequest)
REVOKE_KEY = send(SERVICE, "DELETE", "/v1/regions/{region}/node-keys/{key_id}", type(None))


class Events:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def listed(
        self,
        caller: Caller | None,
        *,
        region: str = "",
        scope: str = "",
        tag: str = "",
        starts_after: datetime | None = None,
        starts_before: datetime | None = None,
        cursor: str | None = None,
        limit: int,
    ) -> e.PageEventView:
        query = {
            "region": region,
            "scope": scope,
            "tag": tag,
            "starts_after": starts_after.isoformat() if starts_after else None,
            "starts_before": starts_before.isoformat() if starts_before else None,
            "cursor": cursor,
            "limit": limit,
        }
        return await LIST(self._services, caller, query=query)

    async def event(self, caller: Caller, event_id: str) -> e.EventView:
        return await EVENT(self._services, caller, event_id=event_id)

    async def organise(self, caller: Caller, event: e.EventIn) -> e.EventView:
        return await ORGANISE(self._services, caller, body=event)

    async def ics(self, caller: Caller, event_id: str) -> bytes:
        return await ICS(self._services, caller, event_id=event_id)

    async def my_seat(self, caller: Caller, event_id: str) -> e.RegistrationView:
        return await MY_SEAT(self._services, caller, event_id=event_id)

    async def register(self, caller: Caller, event_id: str) -> e.RegistrationView:
        return await REGISTER(self._services, caller, event_id=event_id)

    async def unregister(self, caller: Caller, event_id: str) -> None:
        await UNREGISTER(self._services, caller, event_id=event_id)

    async def registrations(
        self, caller: Caller, event_id: str, *, cursor: str | None, limit: int
    ) -> e.PageRegistrationRow:
        query = {"cursor": cursor, "limit": limit}
        return await REGISTRATIONS(self._services, caller, event_id=event_id, query=query)

    async def record_attendance(
        self, caller: Caller, event_id: str, member_ids: list[str]
    ) -> e.EventView:
        body = request(e.Attendance, member_ids=member_ids)
        return await ATTENDANCE(self._services, caller, event_id=event_id, body=body)

    async def my_events(self, caller: Caller) -> e.PageMyEventView:
        return await MY_EVENTS(self._services, caller, member_id=caller.member_id)

    async def calendar_link(self, caller: Caller, *, renew: bool = False) -> str:
        """The member's private feed's path, as the events service serves it."""
        operation = RENEW_CALENDAR_LINK if renew else CALENDAR_LINK
        return (await operation(self._services, caller, member_id=caller.member_id))["path"]

    async def statistics(self, caller: Caller, *, months: int) -> list[e.MonthOfEventsView]:
        return await STATISTICS(self._services, caller, query={"months": months})

    async def node_keys(self, caller: Caller, region: str, *, cursor: str | None) -> e.PageKeyView:
        return await NODE_KEYS(self._services, caller, region=region, query={"cursor": cursor})

    async def issue_key(self, caller: Caller, region: str, label: str) -> e.IssuedKey:
        body = request(e.KeyRequest, label=label)
        return await ISSUE_KEY(self._services, caller, region=region, body=body)

    async def revoke_key(self, caller: Caller, region: str, key_id: str) -> None:
        await REVOKE_KEY(self._services, caller, region=region, key_id=key_id)
