"""The organisation picker: what a person typed, matched against the organisations of their
region (words that begin words of the name, as membership answers), and the one they chose
kept in view; "not listed" proposes a new one by name."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from services.gateway.clients import Clients
from services.gateway.clients.models import membership as m
from services.gateway.clients.models import recommendations as r
from shared.caller import Caller
from shared.reference import regions

NOT_LISTED = "not_listed"
# Enough to find one's own among similar names; a longer list means typing more of it.
CHOICES = 20


@dataclass(frozen=True)
class Choices:
    """`fields`: the names of the picker's three fields in its form (a form may prefix them)."""

    matches: list[m.OrganisationView]
    searched: str
    chosen: str
    proposed: str
    fields: dict[str, str] = field(default_factory=dict)
    # A member may say theirs is not listed; a facilitator merging chooses from the list.
    proposals: bool = True
    legend: str = "Choose your organisation"


def field_names(prefix: str = "") -> dict[str, str]:
    return {
        "search": f"{prefix}organisation_search",
        "chosen": f"{prefix}organisation_id",
        "proposed": f"{prefix}proposed_organisation",
    }


async def choices(
    clients: Clients,
    *,
    searched: str,
    region: str | None,
    chosen: str,
    proposed: str = "",
    prefix: str = "",
) -> Choices:
    text = " ".join(searched.split())[:200]
    in_region = region if region in regions() else None
    matches: list[m.OrganisationView] = []
    if text:
        page = await clients.membership.organisations(q=text, region=in_region, limit=CHOICES)
        matches = page.items
    if chosen and chosen != NOT_LISTED and all(o.id != chosen for o in matches):
        named = await clients.membership.organisations_named([chosen])
        if chosen in named:
            matches = [named[chosen], *matches]
    if prefix == "merge_":
        return Choices(
            matches,
            text,
            chosen,
            "",
            field_names(prefix),
            proposals=False,
            legend="Choose the organisation it merges into",
        )
    return Choices(matches, text, chosen, proposed, field_names(prefix))


def chosen_organisation(chosen: str, proposed: str) -> tuple[str | None, str | None]:
    """(organisation id, name proposed) as membership takes them."""
    if chosen == NOT_LISTED:
        return None, " ".join(proposed.split()) or None
    return chosen or None, None


STATUS_WORDS = {
    "proposed": "Proposed: waiting for a facilitator",
    "active": "Active",
    "merged": "Merged into another organisation",
    "closed": "Closed",
}
KINDS = {
    "trust": "NHS trust",
    "icb": "Integrated care board",
    "primary_care": "Primary care",
    "commissioning_support": "Commissioning support",
    "national_body": "National body",
    "education_and_training": "Education and training",
    "library_and_knowledge_service": "Library and knowledge service",
    "other": "Other",
}
LISTED = 50


@dataclass(frozen=True)
class Listing:
    organisations: list[m.OrganisationView]
    next_cursor: str | None
    may_add: bool  # the caller governs some region (a facilitator, an operator)


async def listing(
    clients: Clients,
    caller: Caller,
    *,
    text: str,
    region: str,
    kind: str,
    status: str,
    cursor: str | None,
) -> Listing:
    page = await clients.membership.organisations(
        q=" ".join(text.split()) or None,
        region=region if region in regions() else None,
        kind=kind if kind in KINDS else None,
        status=[status] if status in STATUS_WORDS else None,
        cursor=cursor,
        limit=LISTED,
    )
    may_add = caller.has("operator") or caller.has("facilitator")
    return Listing(page.items, page.next_cursor, may_add)


@dataclass(frozen=True)
class OrganisationPage:
    organisation: m.OrganisationView
    merged_into: m.OrganisationView | None
    members: list[m.MemberView]
    more_members: bool
    plans: list[r.PlanRow]
    governs: bool  # the caller may confirm, rename, merge and close it


async def organisation_page(
    clients: Clients, caller: Caller, organisation_id: str
) -> OrganisationPage:
    """Its members (members see each other; this page is for members), its plans."""
    organisation = await clients.membership.organisation(organisation_id)
    people, plans, merged = await asyncio.gather(
        clients.membership.directory(
            caller, cursor=None, limit=LISTED, organisation_id=organisation_id
        ),
        clients.recommendations.plans(
            caller, scope="organisation", scope_id=organisation_id, limit=LISTED
        ),
        clients.membership.organisations_named(
            [organisation.merged_into] if organisation.merged_into else []
        ),
    )
    return OrganisationPage(
        organisation=organisation,
        merged_into=merged.get(organisation.merged_into or ""),
        members=people.items,
        more_members=people.next_cursor is not None,
        plans=plans.items,
        governs=caller.governs(organisation.region),
    )
