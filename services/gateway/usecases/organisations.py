"""The organisation picker: what a person typed, matched against the organisations of their
region (words that begin words of the name, as membership answers), and the one they chose
kept in view; "not listed" proposes a new one by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.gateway.clients import Clients
from services.gateway.clients.models import membership as m
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
    return Choices(matches, text, chosen, proposed, field_names(prefix))


def chosen_organisation(chosen: str, proposed: str) -> tuple[str | None, str | None]:
    """(organisation id, name proposed) as membership takes them."""
    if chosen == NOT_LISTED:
        return None, " ".join(proposed.split()) or None
    return chosen or None, None
