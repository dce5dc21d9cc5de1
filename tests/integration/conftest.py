from collections.abc import Iterator

import pytest
from pymongo import MongoClient

from shared.settings import PlatformSettings
from tests.integration.query_plans import problems, reported_plans


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.infra)


@pytest.fixture(scope="session", autouse=True)
def queries_use_declared_indexes(infra: PlatformSettings) -> Iterator[None]:
    """After the integration tests: every query the services ran was served by an index they
    declare (tests/integration/query_plans.py). Reported as an error of the last test."""
    client: MongoClient[dict[str, object]] = MongoClient(infra.mongodb_uri)
    client.admin.command("knetResetQueryPlans")
    client.close()
    yield
    found = problems(reported_plans(infra.mongodb_uri))
    assert not found, "queries not served by a declared index:\n" + "\n".join(found)
