"""What only the gateway calls for its own pages, each marked gateway-only so the member API
never forwards it: checking a sign-in (a password, or an account elsewhere), changing and
resetting a password, and an application from someone whose account elsewhere verified
their address."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from services.membership import usecases
from services.membership.api import StoresDep
from services.membership.applications_api import Received
from services.membership.domain.member import Member
from shared.auth import GATEWAY_ONLY, MEMBERS, CurrentCaller
from shared.errors import NotFound
from shared.requests import (
    Label,
    Paragraphs,
    Region,
    RequestModel,
)

router = APIRouter(prefix="/v1")


class Credentials(RequestModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)


class Identity(BaseModel):
    member_id: str
    name: str
    region: str
    roles: list[str]
    status: str = Field(
        description="active, or pending: an applicant who may see only their application"
    )

    @classmethod
    def of(cls, member: Member) -> Identity:
        return cls(
            member_id=member.id,
            name=member.profile.name,
            region=member.region,
            roles=sorted(member.roles),
            status=member.status.value,
        )


class PasswordChange(RequestModel):
    current_password: str = Field(max_length=128)
    new_password: str = Field(max_length=128)


class ResetRequest(RequestModel):
    email: str = Field(max_length=254)


class ResetIssued(BaseModel):
    member_id: str
    email: str
    name: str
    token: str = Field(description="For the emailed link only: kept nowhere but as its hash")
    expires_at: datetime


class ResetAnswer(BaseModel):
    reset: ResetIssued | None = Field(description="None when no member has the address")


class ResetCompletion(RequestModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(max_length=128)


class PasswordSet(BaseModel):
    member_id: str


class VerifiedApplication(RequestModel):
    """An application from someone whose account elsewhere (an NHS account) verified their
    address, as the gateway checked: no password, and the account links to the member."""

    name: Label = Field(max_length=120)
    email: str = Field(max_length=254)
    region: Region
    organisation_id: str | None = Field(None, max_length=64)
    proposed_organisation: Label | None = Field(
        None, max_length=200, description="As in an application: its name when not listed"
    )
    job_title: Label = Field("", max_length=120)
    interests: list[str] = Field(default_factory=list, max_length=20)
    skills: list[str] = Field(default_factory=list, max_length=20)
    bio: Paragraphs = Field("", max_length=2000)
    issuer: str = Field(min_length=1, max_length=300)
    subject: str = Field(min_length=1, max_length=300)


@router.post(
    "/applications/verified", status_code=status.HTTP_202_ACCEPTED, openapi_extra=GATEWAY_ONLY
)
async def apply_verified(
    body: VerifiedApplication, stores: StoresDep, _: CurrentCaller
) -> Received:
    fields = body.model_dump(exclude={"issuer", "subject"})
    identity = f"{body.issuer}#{body.subject}"
    await usecases.apply_to_join(stores, **fields, password=None, identity=identity)
    return Received()


class SsoSignIn(RequestModel):
    issuer: str = Field(min_length=1, max_length=300)
    subject: str = Field(min_length=1, max_length=300)
    email: str = Field(
        max_length=254, description="Verified by the provider, as the gateway checked"
    )


@router.post("/sso-sign-ins", openapi_extra=GATEWAY_ONLY)
async def sso_sign_in(body: SsoSignIn, stores: StoresDep, _: CurrentCaller) -> Identity:
    """Who an account elsewhere signs in as (linked the first time by its verified address);
    404 `no_member` when nobody has the address: the gateway starts an application."""
    member = await usecases.sso_sign_in(
        stores, issuer=body.issuer, subject=body.subject, email=body.email
    )
    if member is None:
        raise NotFound("no_member", "No member has this address")
    return Identity.of(member)


@router.post(
    "/members/{member_id}/password",
    dependencies=[MEMBERS],
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=GATEWAY_ONLY,
)
async def change_password(
    member_id: str, body: PasswordChange, stores: StoresDep, caller: CurrentCaller
) -> None:
    """The member's new password, given the current one (the gateway then ends their other
    sessions and revokes their API tokens)."""
    await usecases.change_password(
        stores,
        actor_id=caller.member_id,
        member_id=member_id,
        current=body.current_password,
        new=body.new_password,
    )


@router.post("/password-resets", openapi_extra=GATEWAY_ONLY)
async def request_reset(body: ResetRequest, stores: StoresDep, _: CurrentCaller) -> ResetAnswer:
    """A reset link's token for the gateway to email (through notifications). Never forwarded
    to the public: the gateway answers a visitor the same whether or not the address exists."""
    link = await usecases.request_reset(stores, email=body.email)
    if link is None:
        return ResetAnswer(reset=None)
    return ResetAnswer(
        reset=ResetIssued(
            member_id=link.member_id,
            email=link.email,
            name=link.name,
            token=link.token,
            expires_at=link.expires_at,
        )
    )


@router.post("/password-resets/complete", openapi_extra=GATEWAY_ONLY)
async def complete_reset(body: ResetCompletion, stores: StoresDep, _: CurrentCaller) -> PasswordSet:
    member = await usecases.reset_password(stores, token=body.token, new=body.new_password)
    return PasswordSet(member_id=member.id)


@router.post("/sessions", openapi_extra=GATEWAY_ONLY)
async def sign_in(body: Credentials, stores: StoresDep, _: CurrentCaller) -> Identity:
    member = await usecases.sign_in(stores, email=body.email, password=body.password)
    return Identity.of(member)
