"""Organisations: the list and the picker, a facilitator's changes in their region (add,
confirm a member's proposal, rename, merge, close), an operator's import of NHS Digital's
extracts, and members following a merge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from services.membership.domain.member import Member, Status
from services.membership.domain.organisation import (
    Organisation,
    OrganisationQuery,
    OrganisationStatus,
)
from services.membership.domain.permissions import require_region_authority
from services.membership.stores import Stores
from services.membership.usecases.common import actor_of
from shared.errors import Conflict, Invalid, NotFound
from shared.retry import change

# Members moved per page while following a merge (each is its own conditional write).
_MERGE_PAGE = 200


async def register_organisation(
    stores: Stores,
    *,
    actor_id: str,
    name: str,
    region: str,
    kind: str = "other",
    ods_code: str | None = None,
) -> Organisation:
    actor = await actor_of(stores, actor_id)
    organisation = Organisation.register(
        organisation_id=stores.new_id(),
        name=name,
        region=region,
        kind=kind,
        ods_code=ods_code,
        by=actor.id,
    )
    require_region_authority(actor, organisation.region)
    await stores.organisations.add(organisation)
    return organisation


async def get_organisation(stores: Stores, organisation_id: str) -> Organisation:
    found = await stores.organisations.get(organisation_id)
    if found is None:
        raise NotFound("organisation_not_found", f"No organisation {organisation_id}")
    return found


async def organisations_page(
    stores: Stores, *, query: OrganisationQuery, cursor: str | None, limit: int
) -> tuple[list[Organisation], str | None]:
    return await stores.organisations.page(query, cursor=cursor, limit=limit)


async def organisations_named(
    stores: Stores, organisation_ids: Sequence[str]
) -> list[Organisation]:
    return await stores.organisations.named(list(dict.fromkeys(organisation_ids))[:200])


async def _change_organisation(
    stores: Stores,
    actor_id: str,
    organisation_id: str,
    decide: Callable[[Organisation, Member], object],
) -> Organisation:
    actor = await actor_of(stores, actor_id)

    async def load() -> Organisation:
        return await get_organisation(stores, organisation_id)

    def decided(organisation: Organisation) -> object:
        require_region_authority(actor, organisation.region)
        return decide(organisation, actor)

    return await change(stores.organisations, load, decided)


async def confirm_organisation(
    stores: Stores, *, actor_id: str, organisation_id: str
) -> Organisation:
    return await _change_organisation(
        stores, actor_id, organisation_id, lambda o, actor: o.confirm(by=actor.id)
    )


async def revise_organisation(
    stores: Stores,
    *,
    actor_id: str,
    organisation_id: str,
    name: str | None = None,
    kind: str | None = None,
    ods_code: str | None = None,
    reopen: bool = False,
) -> Organisation:
    return await _change_organisation(
        stores,
        actor_id,
        organisation_id,
        lambda o, actor: o.revise(
            by=actor.id, name=name, kind=kind, ods_code=ods_code, reopen=reopen
        ),
    )


async def close_organisation(
    stores: Stores, *, actor_id: str, organisation_id: str
) -> Organisation:
    return await _change_organisation(
        stores, actor_id, organisation_id, lambda o, actor: o.close(by=actor.id)
    )


async def merge_organisation(
    stores: Stores, *, actor_id: str, organisation_id: str, into_organisation_id: str
) -> Organisation:
    """Merges one into another of its region. The fact moves the members (this service's
    consumer) and the plans (recommendations'), each exactly once, crash or not."""
    survivor = await get_organisation(stores, into_organisation_id)
    actor = await actor_of(stores, actor_id)
    require_region_authority(actor, survivor.region)
    return await _change_organisation(
        stores,
        actor_id,
        organisation_id,
        lambda o, actor: o.merge_into(survivor, by=actor.id),
    )


async def follow_merge(stores: Stores, *, organisation_id: str, into_organisation_id: str) -> int:
    """Moves every member of a merged organisation to the one it merged into; how many moved.
    Idempotent (a member already moved is not in the page again), so a redelivered fact
    finishes what a crash left."""
    moved = 0
    while True:
        members = await stores.members.of_organisation(organisation_id, limit=_MERGE_PAGE)
        if not members:
            return moved
        for member in members:
            await change(
                stores.members,
                _loader(stores, member.id),
                lambda m: m.follow_merge(
                    from_organisation_id=organisation_id,
                    into_organisation_id=into_organisation_id,
                ),
            )
            moved += 1


def _loader(stores: Stores, member_id: str) -> Callable[[], Awaitable[Member]]:
    async def load() -> Member:
        found = await stores.members.get(member_id)
        if found is None:
            raise NotFound("member_not_found", f"No member {member_id}")
        return found

    return load


async def organisation_to_join(
    stores: Stores, organisation_id: str | None, *, region: str, member_id: str | None = None
) -> Organisation | None:
    """The organisation a member names, if it is open to them: it exists, is in their region
    and is active (or proposed by them)."""
    if not organisation_id:
        return None
    found = await stores.organisations.get(organisation_id)
    if found is None:
        raise Invalid("unknown_organisation", f"No organisation {organisation_id}")
    if found.region != region:
        raise Invalid("organisation_elsewhere", f"{found.name} is in {found.region}, not {region}")
    proposer = found.status is OrganisationStatus.PROPOSED and found.proposed_by == member_id
    if found.status is not OrganisationStatus.ACTIVE and not proposer:
        raise Invalid(
            "organisation_not_open", f"{found.name} is {found.status.value}: choose another"
        )
    return found


async def confirm_with_member(stores: Stores, *, actor_id: str, member: Member) -> None:
    """A facilitator who approves a member (or their move) into an organisation the member
    proposed confirms the organisation too: one decision, not two."""
    organisation_id = member.profile.organisation_id
    if not organisation_id or member.status is not Status.ACTIVE:
        return
    found = await stores.organisations.get(organisation_id)
    if found is not None and found.status is OrganisationStatus.PROPOSED:
        await confirm_organisation(stores, actor_id=actor_id, organisation_id=organisation_id)


@dataclass(frozen=True)
class Imported:
    """One row of an extract, as the import reads it (tools/ods.py)."""

    ods_code: str
    name: str
    region: str | None  # None: the extract's grouping is not one of the network's regions
    kind: str
    closed: bool


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (ODS code, why)


async def import_organisations(
    stores: Stores, rows: Sequence[Imported], report: ImportReport | None = None
) -> ImportReport:
    """Adds what is new (by ODS code) and brings what is there up to date: its name, its kind
    and whether it closed. Run again, it changes nothing. An organisation never changes region
    here (members' remit hangs on it): a row that says it has is skipped with the reason."""
    report = report or ImportReport()
    known = await stores.organisations.by_ods_codes([r.ods_code for r in rows])
    for row in rows:
        if row.region is None:
            report.skipped.append((row.ods_code, "its region is not one of the network's"))
            continue
        existing = known.get(row.ods_code)
        try:
            if existing is None:
                await stores.organisations.add(
                    Organisation.register(
                        organisation_id=stores.new_id(),
                        name=row.name,
                        region=row.region,
                        kind=row.kind,
                        ods_code=row.ods_code,
                        closed=row.closed,
                    )
                )
                report.added += 1
            elif existing.region != row.region:
                report.skipped.append(
                    (row.ods_code, f"it moved from {existing.region} to {row.region}")
                )
            elif _bring_up_to_date(existing, row):
                await stores.organisations.save(existing)
                report.updated += 1
            else:
                report.unchanged += 1
        except (Invalid, Conflict) as exc:
            report.skipped.append((row.ods_code, exc.message))
    return report


def _bring_up_to_date(organisation: Organisation, row: Imported) -> bool:
    if organisation.status is OrganisationStatus.MERGED:
        return False  # merged here on purpose: the extract does not undo it
    changed = organisation.revise(by=None, name=row.name, kind=row.kind, reopen=not row.closed)
    if row.closed and organisation.close(by=None):
        changed.append("status")
    return bool(changed)
