"""MongoDB persistence of members, organisations and contribution records (knet_membership):
one module per collection, and the indexes each declares."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from services.membership.repository.contributions import ContributionRepository
from services.membership.repository.members import (
    MemberRepository,
    directory_filter,
    from_document,
    to_document,
)
from services.membership.repository.organisations import (
    OrganisationRepository,
    organisation_document,
    organisation_filter,
)

INDEXES: dict[str, list[IndexModel]] = {
    # Each directory filter has an index that serves it and its (name, id) order: equality
    # fields first, then the sort (the integration tests check the queries really sent).
    "members": [
        IndexModel([("email", ASCENDING)], unique=True, name="email_unique"),
        IndexModel([("status", 1), ("name_lower", 1), ("_id", 1)], name="directory"),
        IndexModel([("region", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_region"),
        IndexModel(
            [("organisation_id", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_org"
        ),
        IndexModel(
            [("interests", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_interest"
        ),
        IndexModel([("skills", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_skill"),
        IndexModel([("roles", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_role"),
        IndexModel([("left_at", 1)], name="by_left_at"),
        # A reset link finds its member by the token's hash (sparse: few are waiting).
        IndexModel([("reset.token_hash", 1)], sparse=True, name="by_reset_token"),
        # A single sign-on finds its member by the account it links ("issuer#subject").
        IndexModel([("identities", 1)], sparse=True, name="by_identity"),
        # The moves waiting for a region's facilitators: sparse, as few members ask to move.
        IndexModel(
            [("move.pending_region", 1), ("move.requested_at", 1), ("_id", 1)],
            sparse=True,
            name="moves_waiting",
        ),
        # The moves asking for an organisation (a merge takes them along).
        IndexModel(
            [("move.organisation_id", 1), ("_id", 1)], sparse=True, name="moves_to_organisation"
        ),
    ],
    "organisations": [
        # Sparse: organisations without an ODS code leave the field out and are not in it.
        IndexModel([("ods_code", 1)], unique=True, sparse=True, name="ods_code_unique"),
        IndexModel([("region", 1), ("name_lower", 1), ("_id", 1)], name="by_region"),
        IndexModel([("name_lower", 1), ("_id", 1)], name="by_name"),
        # The list by status (active ones unless asked), in name order.
        IndexModel([("status", 1), ("name_lower", 1), ("_id", 1)], name="by_status"),
        # The unique index only refuses twins; this one finds codes (an import's `$in`).
        IndexModel([("ods_code", 1), ("_id", 1)], name="by_ods_code"),
        # The picker: each word typed is a range of the folded words of names.
        IndexModel([("name_words", 1), ("_id", 1)], name="by_name_word"),
    ],
    "contributions": [
        IndexModel([("member_id", 1), ("kind", 1)], name="by_member"),
        IndexModel([("at", 1)], name="by_at"),
    ],
}


__all__ = [
    "INDEXES",
    "ContributionRepository",
    "MemberRepository",
    "OrganisationRepository",
    "directory_filter",
    "from_document",
    "organisation_document",
    "organisation_filter",
    "to_document",
]
