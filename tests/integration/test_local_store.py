"""The local store keeps what it acknowledged across kill -9, keeps its file compact under
updates, and serves the platform's query shapes from its indexes. Each test runs a store of
its own (the launcher `knet infra up` uses), so killing it touches no other test."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient, IndexModel, InsertOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.settings import PlatformSettings
from tools.infra import store
from tools.infra.processes import free_port, read_pid

WRITERS = 16


@pytest.fixture
async def own_store(tmp_path: Path, infra: PlatformSettings) -> AsyncIterator[PlatformSettings]:
    settings = PlatformSettings(
        environment="test",
        mongodb_uri=f"mongodb://127.0.0.1:{free_port()}/",
        data_dir=tmp_path,
        cache_dir=infra.cache_dir,
    )
    store.start(settings)
    yield settings
    store.stop(settings)


def client(settings: PlatformSettings) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(settings.mongodb_uri, serverSelectionTimeoutMS=5000)


def kill_hard(settings: PlatformSettings) -> None:
    pid = read_pid(store.pid_file(settings))
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)  # our child: reap it, so its pid reads as gone
    store.pid_file(settings).unlink()


async def test_every_acknowledged_write_survives_kill_9(own_store: PlatformSettings) -> None:
    mongo = client(own_store)
    things = mongo["knet_store_test"]["things"]
    await things.insert_one({"_id": "counter", "n": 0})

    async def writer(w: int) -> None:
        for i in range(w, 2000, WRITERS):
            await things.insert_one({"_id": f"t{i}", "pad": "x" * 500})
            await things.update_one({"_id": "counter"}, {"$inc": {"n": 1}})

    await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    # Every write above was acknowledged; the kill comes right after the last one.
    kill_hard(own_store)
    await mongo.close()

    store.start(own_store)
    mongo = client(own_store)
    things = mongo["knet_store_test"]["things"]
    assert await things.count_documents({"_id": {"$regex": "^t"}}) == 2000, "no insert lost"
    counter = await things.find_one({"_id": "counter"})
    assert counter is not None
    assert counter["n"] == 2000, "no increment lost"
    await mongo.close()


async def test_unique_indexes_hold_across_a_restart(own_store: PlatformSettings) -> None:
    """Unique indexes (every _id, and those declared) are rebuilt from the documents when the
    store opens: after kill -9 they still find and still refuse."""
    mongo = client(own_store)
    people = mongo["knet_store_test"]["people"]
    await people.create_indexes([IndexModel([("email", 1)], name="by_email", unique=True)])
    await people.insert_many([{"_id": f"p{i}", "email": f"p{i}@nhs.net"} for i in range(500)])
    kill_hard(own_store)
    await mongo.close()

    store.start(own_store)
    mongo = client(own_store)
    people = mongo["knet_store_test"]["people"]
    assert await people.find_one({"_id": "p250"}) == {"_id": "p250", "email": "p250@nhs.net"}
    with pytest.raises(DuplicateKeyError):
        await people.insert_one({"_id": "p7", "email": "new@nhs.net"})
    with pytest.raises(DuplicateKeyError):
        await people.insert_one({"_id": "new", "email": "p7@nhs.net"})
    with pytest.raises(DuplicateKeyError):
        await people.update_one({"_id": "p8"}, {"$set": {"email": "p9@nhs.net"}})
    await people.update_one({"_id": "p8"}, {"$set": {"email": "moved@nhs.net"}})
    await people.insert_one({"_id": "p8-again", "email": "p8@nhs.net"})  # freed by the update
    await people.delete_one({"_id": "p9"})
    await people.insert_one({"_id": "p9", "email": "p9@nhs.net"})  # freed by the delete
    assert await people.count_documents({}) == 501
    await mongo.close()


async def test_the_data_file_stops_growing_under_updates(own_store: PlatformSettings) -> None:
    mongo = client(own_store)
    documents = mongo["knet_store_test"]["documents"]
    await documents.insert_many([{"_id": i, "n": 0, "pad": "y" * 1000} for i in range(1000)])
    data_file = store.data_dir(own_store) / "knet.mv.db"

    async def update(total: int) -> None:
        async def writer(w: int) -> None:
            for k in range(w, total, WRITERS):
                await documents.update_one({"_id": k % 1000}, {"$inc": {"n": 1}})

        await asyncio.gather(*(writer(w) for w in range(WRITERS)))

    await update(10_000)
    after_ten_thousand = data_file.stat().st_size
    await update(90_000)
    after_all = data_file.stat().st_size
    assert after_all <= 2 * after_ten_thousand, (after_ten_thousand, after_all)
    total = sum([d["n"] async for d in documents.find({}, {"n": 1})])
    assert total == 100_000
    await mongo.close()


async def test_the_platforms_query_shapes_are_served_by_indexes(
    own_store: PlatformSettings,
) -> None:
    mongo = client(own_store)
    db = mongo["knet_store_test"]
    members = db["members"]
    await members.create_indexes(
        [
            IndexModel([("region", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="r"),
            IndexModel([("interests", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="i"),
            IndexModel([("outbox.event.id", 1)], name="outbox", sparse=True),
        ]
    )
    await members.insert_many(
        [
            {
                "_id": f"m{i:04d}",
                "name_lower": f"name{i:04d}",
                "region": "LDN" if i % 2 else "NW",
                "status": "active",
                "interests": ["evidence", "libraries"] if i % 3 else [],
                "outbox": [{"event": {"id": f"e{i}"}}] if i == 7 else [],
            }
            for i in range(1000)
        ]
    )
    await db.command("knetResetQueryPlans")
    page = (
        await members.find(
            {
                "region": "LDN",
                "status": "active",
                "$or": [
                    {"name_lower": {"$gt": "name0500"}},
                    {"name_lower": "name0500", "_id": {"$gt": "m0500"}},
                ],
            }
        )
        .sort([("name_lower", 1), ("_id", 1)])
        .limit(3)
        .to_list()
    )
    assert [d["_id"] for d in page] == ["m0501", "m0503", "m0505"]
    by_interest = await members.find({"interests": "evidence", "status": "active"}).to_list()
    assert len(by_interest) == len([i for i in range(1000) if i % 3])
    pending = await members.find({"outbox.event.id": {"$exists": True}}, {"_id": 1}).to_list()
    assert pending == [{"_id": "m0007"}]
    prefix = await members.find(
        {"region": "NW", "status": "active", "name_lower": {"$regex": "^name000"}}
    ).to_list()
    assert [d["_id"] for d in prefix] == ["m0000", "m0002", "m0004", "m0006", "m0008"]
    assert await members.count_documents({"region": "LDN", "status": "active"}) == 500

    plans = {p["filter"]: p["plan"] for p in (await db.command("knetQueryPlans"))["plans"]}
    assert set(plans.values()) == {"r", "i", "outbox"}, plans
    await mongo.close()


async def test_collections_and_databases_drop_and_come_back(own_store: PlatformSettings) -> None:
    mongo = client(own_store)
    db = mongo["knet_store_drop_test"]
    await db["things"].create_indexes([IndexModel([("kind", 1)], name="by_kind")])
    await db["things"].insert_one({"_id": "a", "kind": "x"})
    await db["things"].drop()
    assert await db["things"].find_one({"_id": "a"}) is None
    await db["things"].insert_one({"_id": "a", "kind": "y"})
    assert await db["things"].find_one({"kind": "y"}) == {"_id": "a", "kind": "y"}
    await mongo.drop_database("knet_store_drop_test")
    assert await db["things"].count_documents({}) == 0
    await db["things"].insert_one({"_id": "b"})
    assert await db["things"].count_documents({}) == 1
    await mongo.close()


async def test_null_equality_through_an_index_and_counts_of_refused_inserts(
    own_store: PlatformSettings,
) -> None:
    """Two answers MongoDB gives and mongo-java-server did not: `{k: None}` through an index
    (null and missing alike; it failed with "Unknown error: null"), and a bulk insert's count
    when some documents are refused as duplicates (it counted every document sent)."""
    mongo = client(own_store)
    things = mongo["knet_store_null_test"]["things"]
    await things.create_indexes([IndexModel([("m", 1), ("r", 1)], name="by_m_r")])
    await things.insert_many(
        [{"_id": 1, "m": "a", "r": None}, {"_id": 2, "m": "a", "r": 5}, {"_id": 3, "m": "a"}]
    )
    assert await things.count_documents({"m": "a", "r": None}) == 2
    assert await things.count_documents({"m": "a", "r": {"$eq": None}}) == 2
    assert [d["_id"] async for d in things.find({"m": "a", "r": None}).sort("_id", 1)] == [1, 3]

    writes = [InsertOne({"_id": i}) for i in (2, 4, 3, 5)]
    with pytest.raises(BulkWriteError) as unordered:
        await things.bulk_write(writes, ordered=False)
    assert unordered.value.details["nInserted"] == 2
    with pytest.raises(BulkWriteError) as ordered:
        await things.bulk_write(
            [InsertOne({"_id": 6}), InsertOne({"_id": 1}), InsertOne({"_id": 7})]
        )
    assert ordered.value.details["nInserted"] == 1, "ordered: stops at the first refusal"
    assert await things.count_documents({}) == 6
    await mongo.close()


async def test_an_update_in_place_never_meets_a_commit(own_store: PlatformSettings) -> None:
    """mongo-java-server updates the very document instance the store's page holds; a commit
    serialising that page on another thread while an update changed it threw
    ConcurrentModificationException, and MVStore closed the store for good ("This store is
    closed" for every later command: found by a CI run). A large document updated by many
    writers while others insert, and so commit, elsewhere: the store stays open and every
    update counts."""
    mongo = client(own_store)
    db = mongo["knet_store_test"]
    wide = {f"f{i}": "y" * 100 for i in range(400)}
    await db["wide"].insert_one({"_id": "x", "n": 0, **wide})

    async def update(i: int) -> None:
        await db["wide"].update_one({"_id": "x"}, {"$inc": {"n": 1}, "$set": {f"g{i % 400}": i}})

    async def insert(i: int) -> None:
        await db["others"].insert_one({"_id": i, "v": "z" * 50})

    for round_ in range(30):
        await asyncio.gather(
            *(update(round_ * 60 + i) for i in range(60)),
            *(insert(round_ * 60 + i) for i in range(60)),
        )
    found = await db["wide"].find_one({"_id": "x"})
    assert found is not None
    assert found["n"] == 30 * 60
    await mongo.close()
