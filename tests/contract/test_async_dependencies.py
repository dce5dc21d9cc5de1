"""Every route's dependencies are `async def`: FastAPI runs a plain `def` dependency in its
thread pool, a hop per dependency per request (a profile of conversations' thread page found
four of them, a tenth of its time)."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.services import discover


def sync_dependencies(dependant: Dependant) -> set[str]:
    found = set()
    for dependency in dependant.dependencies:
        call = dependency.call
        if inspect.isfunction(call) and not inspect.iscoroutinefunction(call):
            found.add(f"{call.__module__}.{call.__qualname__}")
        found |= sync_dependencies(dependency)
    return found


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every route, included routers' too (FastAPI keeps an included router whole)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (router := getattr(route, "original_router", None)) is not None:
            found += api_routes(router.routes)
    return found


@pytest.mark.parametrize("name", [spec.name for spec in discover()])
def test_no_route_has_a_dependency_run_in_the_thread_pool(name: str) -> None:
    app = importlib.import_module(f"services.{name}.app").create_app()
    routes = api_routes(app.routes)
    assert len(routes) > 5, "the routes were found"
    found = set()
    for route in routes:
        found |= sync_dependencies(route.dependant)
    assert not found, f"make these async def: {sorted(found)}"
