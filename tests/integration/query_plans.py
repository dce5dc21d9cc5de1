"""Every query the services ran during the integration tests, checked against the indexes
they declare: the local store reports each query's shape and the plan that served it
(`knetQueryPlans`, deploy/local/store), so this checks the real filters, not a list of them.

A filter must be narrowed by a declared index (IXSCAN). A listing with no filter may walk an
index in its order (paged). Reading a whole collection in no order is allowed only where it is
the design, bounded and measured; each such read is listed with its reason."""

from __future__ import annotations

import re
from typing import Any

from pymongo import MongoClient

from shared.outbox import OUTBOX_INDEX
from shared.services import discover

# Every service's declared indexes (its repository's INDEXES), so a new service is checked too.
DECLARED = {spec.name: spec.module("repository").INDEXES for spec in discover()}
SERVICE_DATABASE = re.compile(rf"^knet_({'|'.join(DECLARED)})(?![a-z])")
# Every collection has these: MongoDB's _id index (the store keeps an ordered copy too).
ALWAYS = {"_id_", "_id_sorted", OUTBOX_INDEX.document["name"]}

WHOLE_READS = {
    ("recommendations", "ballots"): "the rankings round reads every ballot (bench: 100,000)",
    ("recommendations", "plans"): "the adoption view: one plan per recommendation and scope",
    ("recommendations", "recommendations"): "the catalogue: the report's five and a few more",
}


def reported_plans(mongodb_uri: str) -> list[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
    try:
        plans: list[dict[str, Any]] = client.admin.command("knetQueryPlans")["plans"]
    finally:
        client.close()
    return plans


def problems(plans: list[dict[str, Any]]) -> list[str]:
    found = []
    for plan in plans:
        database, collection = plan["ns"].split(".", 1)
        service = SERVICE_DATABASE.match(database)
        if service is None:
            continue  # a test's own database
        name = service[1]
        where = f"{name}.{collection} {plan['filter']} sort [{plan['sort']}]"
        declared = {model.document["name"] for model in DECLARED[name].get(collection, [])}
        used = re.findall(r"[\w]+", plan["plan"].removeprefix("OR"))
        if plan["stage"] == "IXSCAN":
            undeclared = set(used) - declared - ALWAYS
            if undeclared:
                found.append(f"{where}: served by undeclared {sorted(undeclared)}")
        elif plan["filter"] == "{}" and plan["stage"] == "FULL_IXSCAN":
            continue  # a listing of everything in an index's order, paged: the index serves it
        elif plan["filter"] == "{}" and (name, collection) in WHOLE_READS:
            continue
        else:
            found.append(f"{where}: {plan['stage']} {plan['plan']}".rstrip())
    return sorted(set(found))
