"""The check of the services' real queries (tests/integration/query_plans.py) fails on what it
must: a scan, an index walked whole for its order, an index the service never declared, a
whole read that is not on the list; and passes what MongoDB would serve from an index."""

from __future__ import annotations

from typing import Any

from tests.integration.query_plans import problems


def plan(ns: str, stage: str, index: str = "", filter_: str = "{status: 1}") -> dict[str, Any]:
    return {"ns": ns, "filter": filter_, "sort": "", "plan": index, "stage": stage}


def test_indexed_queries_and_listed_whole_reads_pass() -> None:
    assert (
        problems(
            [
                plan("knet_membership.members", "IXSCAN", "directory"),
                plan("knet_membership_test1.members", "IXSCAN", "OR(by_interest, by_skill)"),
                plan("knet_events.network_events", "IXSCAN", "outbox_pending"),
                plan("knet_recommendations.ballots", "COLLSCAN", filter_="{}"),
                plan(
                    "knet_recommendations.case_studies", "FULL_IXSCAN", "_id_sorted", filter_="{}"
                ),
                plan("knet_test_123.anything", "COLLSCAN"),  # a test's own database
            ]
        )
        == []
    )


def test_scans_walks_and_undeclared_indexes_are_reported() -> None:
    found = problems(
        [
            plan("knet_membership.members", "COLLSCAN", filter_="{bio: 1}"),
            plan("knet_membership.members", "FULL_IXSCAN", "_id_sorted"),
            plan("knet_events.network_events", "IXSCAN", "OR(by_region, made_up)"),
            plan("knet_membership.members", "COLLSCAN", filter_="{}"),
        ]
    )
    assert found == [
        "events.network_events {status: 1} sort []: served by undeclared ['made_up']",
        "membership.members {bio: 1} sort []: COLLSCAN",
        "membership.members {status: 1} sort []: FULL_IXSCAN _id_sorted",
        "membership.members {} sort []: COLLSCAN",
    ]
