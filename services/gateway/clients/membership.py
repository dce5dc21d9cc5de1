"""The membership service, as the gateway calls it: every operation it uses, typed with the
models generated from membership's OpenAPI document (clients/models/membership.py)."""

from __future__ import annotations

from services.gateway.clients.http import Services
from services.gateway.clients.models import membership as m
from services.gateway.clients.operations import get, request, send
from shared.caller import Caller

SERVICE = "membership"

MEMBER = get(SERVICE, "/v1/members/{member_id}", m.MemberView)
DIRECTORY = get(
    SERVICE,
    "/v1/members",
    m.PageMemberView,
    *("name", "region", "organisation_id", "interest", "skill", "role", "cursor", "limit"),
)
NAMES = get(SERVICE, "/v1/members/names", m.NamesView, "id")
SUGGESTIONS = get(SERVICE, "/v1/members/{member_id}/suggestions", list[m.SuggestionView], "limit")
CONTRIBUTIONS = get(SERVICE, "/v1/members/{member_id}/contributions", dict[str, int])
CHANGE_PROFILE = send(SERVICE, "PATCH", "/v1/members/{member_id}", m.MemberView, m.ProfileChanges)
SET_ROLES = send(SERVICE, "PUT", "/v1/members/{member_id}/roles", m.MemberView, m.Roles)
ASK_TO_MOVE = send(SERVICE, "POST", "/v1/members/{member_id}/move", m.MemberView, m.MoveIn)
WITHDRAW_MOVE = send(SERVICE, "DELETE", "/v1/members/{member_id}/move", m.MemberView)
APPLICATIONS = get(SERVICE, "/v1/applications", m.PageMemberView, "region", "cursor", "limit")
MOVES = get(SERVICE, "/v1/moves", m.PageMemberView, "region", "cursor", "limit")
APPROVE = send(SERVICE, "POST", "/v1/applications/{member_id}/approve", m.MemberView)
DECLINE = send(SERVICE, "POST", "/v1/applications/{member_id}/decline", m.MemberView, m.Decision)
APPROVE_MOVE = send(SERVICE, "POST", "/v1/members/{member_id}/move/approve", m.MemberView)
DECLINE_MOVE = send(
    SERVICE, "POST", "/v1/members/{member_id}/move/decline", m.MemberView, m.Decision
)
ORGANISATIONS = get(
    SERVICE,
    "/v1/organisations",
    m.PageOrganisationView,
    "q",
    "region",
    "kind",
    "status",
    "ids",
    "cursor",
    "limit",
)
ORGANISATION = get(SERVICE, "/v1/organisations/{organisation_id}", m.OrganisationView)
ADD_ORGANISATION = send(SERVICE, "POST", "/v1/organisations", m.OrganisationView, m.OrganisationIn)
CHANGE_ORGANISATION = send(
    SERVICE,
    "PATCH",
    "/v1/organisations/{organisation_id}",
    m.OrganisationView,
    m.OrganisationChanges,
)
CONFIRM_ORGANISATION = send(
    SERVICE, "POST", "/v1/organisations/{organisation_id}/confirm", m.OrganisationView
)
CLOSE_ORGANISATION = send(
    SERVICE, "POST", "/v1/organisations/{organisation_id}/close", m.OrganisationView
)
MERGE_ORGANISATION = send(
    SERVICE, "POST", "/v1/organisations/{organisation_id}/merge", m.OrganisationView, m.MergeIn
)
REGION = get(SERVICE, "/v1/regions/{code}", m.RegionView)
STATISTICS = get(SERVICE, "/v1/statistics/members", m.NetworkStatistics, "months")
APPLY = send(SERVICE, "POST", "/v1/applications", m.Received, m.Application)
APPLY_VERIFIED = send(
    SERVICE, "POST", "/v1/applications/verified", m.Received, m.VerifiedApplication
)
SIGN_IN = send(SERVICE, "POST", "/v1/sessions", m.Identity, m.Credentials)
SSO_SIGN_IN = send(SERVICE, "POST", "/v1/sso-sign-ins", m.Identity, m.SsoSignIn)
CHANGE_PASSWORD = send(
    SERVICE, "POST", "/v1/members/{member_id}/password", type(None), m.PasswordChange
)
ASK_RESET = send(SERVICE, "POST", "/v1/password-resets", m.ResetAnswer, m.ResetRequest)
COMPLETE_RESET = send(
    SERVICE, "POST", "/v1/password-resets/complete", m.PasswordSet, m.ResetCompletion
)


class Membership:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def member(self, caller: Caller | None, member_id: str) -> m.MemberView:
        return await MEMBER(self._services, caller, member_id=member_id)

    async def directory(
        self, caller: Caller, *, cursor: str | None, limit: int, **filters: str
    ) -> m.PageMemberView:
        query = {**filters, "cursor": cursor, "limit": limit}
        return await DIRECTORY(self._services, caller, query=query)

    async def names(self, caller: Caller, member_ids: list[str]) -> dict[str, str]:
        return (await NAMES(self._services, caller, query={"id": member_ids})).names

    async def suggestions(
        self, caller: Caller, member_id: str, *, limit: int
    ) -> list[m.SuggestionView]:
        return await SUGGESTIONS(
            self._services, caller, member_id=member_id, query={"limit": limit}
        )

    async def contributions(self, caller: Caller, member_id: str) -> dict[str, int]:
        return await CONTRIBUTIONS(self._services, caller, member_id=member_id)

    async def change_profile(
        self, caller: Caller, member_id: str, changes: m.ProfileChanges
    ) -> m.MemberView:
        return await CHANGE_PROFILE(self._services, caller, member_id=member_id, body=changes)

    async def set_roles(self, caller: Caller, member_id: str, roles: list[str]) -> m.MemberView:
        body = request(m.Roles, roles=roles)
        return await SET_ROLES(self._services, caller, member_id=member_id, body=body)

    async def ask_to_move(
        self,
        caller: Caller,
        member_id: str,
        *,
        region: str,
        organisation_id: str | None,
        proposed_organisation: str | None = None,
    ) -> m.MemberView:
        body = request(
            m.MoveIn,
            region=region,
            organisation_id=organisation_id,
            proposed_organisation=proposed_organisation,
        )
        return await ASK_TO_MOVE(self._services, caller, member_id=member_id, body=body)

    async def withdraw_move(self, caller: Caller, member_id: str) -> m.MemberView:
        return await WITHDRAW_MOVE(self._services, caller, member_id=member_id)

    async def applications(
        self, caller: Caller, *, region: str, cursor: str | None, limit: int
    ) -> m.PageMemberView:
        query = {"region": region, "cursor": cursor, "limit": limit}
        return await APPLICATIONS(self._services, caller, query=query)

    async def moves(self, caller: Caller, *, region: str, limit: int) -> m.PageMemberView:
        return await MOVES(self._services, caller, query={"region": region, "limit": limit})

    async def approve(self, caller: Caller, member_id: str) -> m.MemberView:
        return await APPROVE(self._services, caller, member_id=member_id)

    async def decline(self, caller: Caller, member_id: str, reason: str) -> m.MemberView:
        body = request(m.Decision, reason=reason)
        return await DECLINE(self._services, caller, member_id=member_id, body=body)

    async def approve_move(self, caller: Caller, member_id: str) -> m.MemberView:
        return await APPROVE_MOVE(self._services, caller, member_id=member_id)

    async def decline_move(self, caller: Caller, member_id: str, reason: str) -> m.MemberView:
        body = request(m.Decision, reason=reason)
        return await DECLINE_MOVE(self._services, caller, member_id=member_id, body=body)

    async def organisations(
        self,
        *,
        cursor: str | None = None,
        limit: int = 50,
        q: str | None = None,
        region: str | None = None,
        kind: str | None = None,
        status: list[str] | None = None,
    ) -> m.PageOrganisationView:
        """Active ones unless `status` names others; `q`: words that begin words of the
        name (the picker)."""
        query = {
            "cursor": cursor,
            "limit": limit,
            "q": q,
            "region": region,
            "kind": kind,
            "status": status,
        }
        return await ORGANISATIONS(self._services, None, query=query)

    async def organisations_named(self, ids: list[str]) -> dict[str, m.OrganisationView]:
        """These ones (any status), by id: what a page needs to name its items' organisations."""
        if not ids:
            return {}
        page = await ORGANISATIONS(self._services, None, query={"ids": sorted(set(ids))})
        return {o.id: o for o in page.items}

    async def organisation(self, organisation_id: str) -> m.OrganisationView:
        return await ORGANISATION(self._services, None, organisation_id=organisation_id)

    async def add_organisation(self, caller: Caller, body: m.OrganisationIn) -> m.OrganisationView:
        return await ADD_ORGANISATION(self._services, caller, body=body)

    async def change_organisation(
        self, caller: Caller, organisation_id: str, body: m.OrganisationChanges
    ) -> m.OrganisationView:
        return await CHANGE_ORGANISATION(
            self._services, caller, organisation_id=organisation_id, body=body
        )

    async def confirm_organisation(
        self, caller: Caller, organisation_id: str
    ) -> m.OrganisationView:
        return await CONFIRM_ORGANISATION(self._services, caller, organisation_id=organisation_id)

    async def close_organisation(self, caller: Caller, organisation_id: str) -> m.OrganisationView:
        return await CLOSE_ORGANISATION(self._services, caller, organisation_id=organisation_id)

    async def merge_organisation(
        self, caller: Caller, organisation_id: str, into_organisation_id: str
    ) -> m.OrganisationView:
        body = request(m.MergeIn, into_organisation_id=into_organisation_id)
        return await MERGE_ORGANISATION(
            self._services, caller, organisation_id=organisation_id, body=body
        )

    async def region(self, caller: Caller | None, code: str) -> m.RegionView:
        return await REGION(self._services, caller, code=code)

    async def statistics(self, caller: Caller, *, months: int) -> m.NetworkStatistics:
        return await STATISTICS(self._services, caller, query={"months": months})

    async def apply(self, application: m.Application | m.VerifiedApplication) -> m.Received:
        if isinstance(application, m.VerifiedApplication):
            return await APPLY_VERIFIED(self._services, None, body=application)
        return await APPLY(self._services, None, body=application)

    async def sign_in(self, email: str, password: str) -> m.Identity:
        body = request(m.Credentials, email=email, password=password)
        return await SIGN_IN(self._services, None, body=body)

    async def sso_sign_in(self, *, issuer: str, subject: str, email: str) -> m.Identity:
        body = request(m.SsoSignIn, issuer=issuer, subject=subject, email=email)
        return await SSO_SIGN_IN(self._services, None, body=body)

    async def change_password(
        self, caller: Caller, member_id: str, *, current: str, new: str
    ) -> None:
        body = request(m.PasswordChange, current_password=current, new_password=new)
        await CHANGE_PASSWORD(self._services, caller, member_id=member_id, body=body)

    async def ask_reset(self, email: str) -> m.ResetAnswer:
        return await ASK_RESET(self._services, None, body=request(m.ResetRequest, email=email))

    async def complete_reset(self, token: str, new_password: str) -> m.PasswordSet:
        body = request(m.ResetCompletion, token=token, new_password=new_password)
        return await COMPLETE_RESET(self._services, None, body=body)
