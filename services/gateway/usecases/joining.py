"""Joining: an application to join (from anyone, or from someone an NHS account vouched for,
whose address and account are the provider's, never what was typed), counted against the
anonymous limit per client; and a pending applicant's view of their application."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.models import membership as m
from services.gateway.clients.operations import request
from services.gateway.domain.sso import Verified
from services.gateway.stores import Stores
from services.gateway.usecases import limits
from shared.caller import Caller


@dataclass(frozen=True)
class Applying:
    name: str
    email: str
    password: str
    region: str
    organisation_id: str | None
    job_title: str
    interests: list[str]
    skills: list[str]
    bio: str
    proposed_organisation: str | None = None


async def apply(
    stores: Stores,
    clients: Clients,
    applying: Applying,
    *,
    verified: Verified | None,
    address: str,
) -> m.Received:
    """TooManyAttempts when the client has applied too often; ServiceRefused with
    membership's reasons."""
    await limits.count_anonymous_change(stores, address=address)
    fields = {
        "name": applying.name,
        "region": applying.region,
        "organisation_id": applying.organisation_id,
        "proposed_organisation": applying.proposed_organisation,
        "job_title": applying.job_title,
        "interests": applying.interests,
        "skills": applying.skills,
        "bio": applying.bio,
    }
    if verified is not None:
        return await clients.membership.apply(
            request(
                m.VerifiedApplication,
                **fields,
                email=verified.email,
                issuer=verified.issuer,
                subject=verified.subject,
            )
        )
    return await clients.membership.apply(
        request(m.Application, **fields, email=applying.email, password=applying.password)
    )


async def application(clients: Clients, caller: Caller) -> m.MemberView:
    return await clients.membership.member(caller, caller.member_id)
