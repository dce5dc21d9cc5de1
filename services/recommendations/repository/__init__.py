"""MongoDB persistence (knet_recommendations), one module per resource: the catalogue, the
members read model, ballots and the rankings snapshot, plans, case studies and follows."""

from __future__ import annotations

from pymongo import IndexModel

from services.recommendations.repository.ballots import Ballots, Rankings
from services.recommendations.repository.case_studies import CaseStudies
from services.recommendations.repository.catalogue import Catalogue
from services.recommendations.repository.follows import Follows
from services.recommendations.repository.members import Members
from services.recommendations.repository.plans import Plans, plan_document

__all__ = [
    "INDEXES",
    "Ballots",
    "CaseStudies",
    "Catalogue",
    "Follows",
    "Members",
    "Plans",
    "Rankings",
    "plan_document",
]

INDEXES: dict[str, list[IndexModel]] = {
    "plans": [
        IndexModel([("plan_key", 1)], unique=True, name="one_per_scope"),
        IndexModel([("code", 1), ("_id", 1)], name="by_code"),
        IndexModel([("region", 1), ("_id", 1)], name="by_region"),
        IndexModel([("status", 1), ("_id", 1)], name="by_status"),
        IndexModel([("scope", 1), ("_id", 1)], name="by_scope"),
        IndexModel([("scope_id", 1), ("_id", 1)], name="by_scope_id"),
        IndexModel([("parent_plan_id", 1), ("_id", 1)], name="by_parent"),
        IndexModel([("owner_member_id", 1), ("_id", 1)], name="by_owner"),
        IndexModel([("co_lead_member_ids", 1), ("_id", 1)], name="by_co_lead"),
        IndexModel([("next_overdue_check", 1)], name="overdue_watch"),
    ],
    "case_studies": [
        IndexModel([("recommendation_codes", 1), ("_id", -1)], name="by_code"),
        IndexModel([("region", 1), ("_id", -1)], name="by_region"),
        IndexModel([("techniques", 1), ("_id", -1)], name="by_technique"),
        IndexModel([("author_member_id", 1)], name="by_author"),
        IndexModel([("words", 1), ("_id", -1)], name="by_word"),
    ],
    "follows": [IndexModel([("member_id", 1), ("_id", 1)], name="by_member")],
    "ballots": [
        IndexModel([("region", 1)], name="by_region"),
        IndexModel([("updated_at", 1)], name="by_change"),
    ],
}
