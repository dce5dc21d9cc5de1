"""The service app factory: every domain service is a FastAPI app with its Kafka broker in the
lifespan, its indexes ensured at start, its outbox relay and schedulers running beside it, and
the same operational endpoints (/metrics, /health/live, /health/ready)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import AsyncMongoClient, IndexModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import topics
from shared.body_limit import BodyLimit
from shared.broker import Headers, Publisher, make_broker
from shared.clock import Clock, SystemClock
from shared.cloudevents import current_traceparent, new_traceparent
from shared.consumer import EventConsumer
from shared.http_errors import ERROR_RESPONSES, install_error_handlers
from shared.logs import configure_logging, log
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.mongo import Db, connect, ensure_indexes, ping, service_database
from shared.outbox import OUTBOX_INDEX, OutboxRelay, OutboxWakeup
from shared.services import ServiceSpec
from shared.settings import PlatformSettings

BackgroundLoop = Callable[[], Coroutine[Any, Any, None]]
S = TypeVar("S")

# The NHS default for open code; the documents say so, as OpenAPI linters ask.
LICENSE_INFO = {"name": "MIT", "identifier": "MIT"}


def serve(spec: ServiceSpec, app: FastAPI) -> None:
    """What `python -m services.<name>` runs: the app on its port (KNET_<NAME>_PORT)."""
    settings: PlatformSettings = app.state.settings
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1, so
    # anything on the same host could name its own client address (the gateway adds the
    # middleware itself for the proxies it is told to trust, KNET_TRUSTED_PROXIES).
    uvicorn.run(
        app,
        host=settings.bind_host,
        port=spec.bound_port(),
        log_config=None,
        proxy_headers=False,
    )


def stores_of(kind: type[S]) -> Callable[[Request], Awaitable[S]]:
    """The FastAPI dependency that hands a route its service's stores (set at start).
    Dependencies are `async def`: FastAPI runs a plain `def` in its thread pool, a hop per
    dependency per request (a profile of a thread's page found 4 of them)."""

    async def stores(request: Request) -> S:
        found = request.app.state.stores
        assert isinstance(found, kind)
        return found

    return stores


def settle_heap() -> None:
    """Once a process has started: what it holds for its whole life (modules, models,
    settings, connections) leaves the garbage collector's generations, so the collections
    that every message's short-lived objects trigger no longer scan it (Python's gc.freeze).
    Consuming ran at 0.65 of raw aiokafka's rate without it (docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()


def stop_if_cancelled() -> None:
    """Ends a loop whose task was cancelled even if the round swallowed the CancelledError (a
    library's clean-up may): otherwise the loop slept its full interval (an hour in the tests)
    and the service's shutdown waited for it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def every(seconds: float, name: str, work: Callable[[], Awaitable[object]]) -> BackgroundLoop:
    """A background loop that runs `work` now and then every `seconds`. A failed round is
    logged and tried again on the next tick: one bad round must not end the loop for good."""

    async def loop() -> None:
        while True:
            try:
                await work()
            except Exception as exc:
                # Nor may a broken log sink end it (a closed stderr raises from the logger).
                with contextlib.suppress(Exception):
                    log.warning("background round failed", loop=name, error=repr(exc))
            stop_if_cancelled()
            await asyncio.sleep(seconds)

    return loop


@dataclass
class ServiceContext:
    """What a service's composition root wires its repositories and consumers to."""

    name: str
    settings: PlatformSettings
    mongo: AsyncMongoClient[dict[str, Any]]
    db: Db
    broker: KafkaBroker
    publisher: Publisher
    clock: Clock = field(default_factory=SystemClock)
    # Tells the outbox relay of this process's outbox writes (create_service_app names them).
    outbox_wakeup: OutboxWakeup = field(default_factory=OutboxWakeup)

    @classmethod
    def create(
        cls, name: str, settings: PlatformSettings, clock: Clock | None = None
    ) -> ServiceContext:
        wakeup = OutboxWakeup()
        mongo = connect(settings, listeners=[wakeup])
        db = service_database(mongo, name, settings.database_suffix)
        clock = clock or SystemClock()
        return cls(
            name=name,
            settings=settings,
            mongo=mongo,
            db=db,
            broker=make_broker(settings, client_id=f"knet-{name}"),
            publisher=Publisher(settings, client_id=f"knet-{name}"),
            clock=clock,
            outbox_wakeup=wakeup,
        )

    async def send(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
        """The outbox relay's send: queued on the process's producer; awaiting the answer
        waits for Kafka's confirmation."""
        encoded = [(name, text.encode()) for name, text in headers.items()]
        return await self.publisher.send(topic, key, value, encoded)

    def consumer(self, group_suffix: str, topics: Sequence[str]) -> EventConsumer:
        return EventConsumer(
            group=f"knet-{self.name}-{group_suffix}",
            topics=topics,
            max_attempts=self.settings.handler_max_attempts,
            backoff_seconds=self.settings.handler_backoff_seconds,
            clock=self.clock,
        )


def create_service_app(
    ctx: ServiceContext,
    *,
    http: Sequence[APIRouter],
    indexes: Mapping[str, Sequence[IndexModel]],
    outbox_collections: Sequence[str] = (),
    consumers: Sequence[EventConsumer] = (),
    on_start: Callable[[], Awaitable[None]] | None = None,
    background: Sequence[BackgroundLoop] = (),
    title: str | None = None,
    body_limits: Mapping[str, int] | None = None,
    public_document: bool = False,
) -> FastAPI:
    """`body_limits`: the largest request body per path prefix, where a route takes less
    than shared.body_limit's default. In production nothing serves interactive docs, and
    only a `public_document` (the gateway's member API) serves its OpenAPI document: a
    service's is for the gateway and the tests, read from the code, not over the network."""
    configure_logging(ctx.name, ctx.settings.log_level, ctx.settings.log_format)
    all_indexes: dict[str, list[IndexModel]] = {
        name: list(models) for name, models in indexes.items()
    }
    for name in outbox_collections:
        all_indexes.setdefault(name, []).append(OUTBOX_INDEX)
    ctx.outbox_wakeup.collections = set(outbox_collections)
    relay = OutboxRelay(
        ctx.db,
        outbox_collections,
        ctx.send,
        poll_seconds=ctx.settings.outbox_poll_seconds,
        wakeup=ctx.outbox_wakeup,
    )
    loops: list[BackgroundLoop] = [relay.run_forever] if outbox_collections else []
    loops.extend(background)

    async def dead_letter(value: bytes | None, key: bytes | None, headers: Headers) -> None:
        await ctx.publisher.send_and_wait(topics.DEAD_LETTERS, key, value, headers)

    for consumer in consumers:
        consumer.attach(ctx.broker, dead_letter)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await ensure_indexes(ctx.db, all_indexes)
        if on_start is not None:
            await on_start()
        await ctx.publisher.start()
        await ctx.broker.start()
        settle_heap()
        # After the broker connected, so the relay's first round can publish.
        tasks = [asyncio.create_task(loop()) for loop in loops]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ctx.broker.stop()
            await ctx.publisher.stop()
            await ctx.mongo.close()

    internal = ctx.settings.environment != "production"
    app = FastAPI(
        title=title or f"KM Network {ctx.name}",
        version="1",
        license_info=LICENSE_INFO,
        lifespan=lifespan,
        docs_url="/docs" if internal else None,
        redoc_url="/redoc" if internal else None,
        openapi_url="/openapi.json" if internal or public_document else None,
        responses=ERROR_RESPONSES,
        servers=[{"url": "/", "description": "this service, called by the gateway"}],
    )
    app.state.settings = ctx.settings
    app.state.ctx = ctx
    app.state.consumers = list(consumers)
    install_error_handlers(app)
    install_operational_routes(app, ctx.name, ready=lambda: _ready(ctx))
    for router in http:
        app.include_router(router)
    app.add_middleware(BodyLimit, limits=body_limits or {})
    app.add_middleware(HttpMetrics, service=ctx.name)
    return app


async def _ready(ctx: ServiceContext) -> dict[str, bool]:
    kafka_ok = False
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(2.0):
            kafka_ok = await ctx.publisher.ping()
    return {"kafka": kafka_ok, "mongodb": await ping(ctx.mongo)}


def install_operational_routes(
    app: FastAPI, service: str, ready: Callable[[], Awaitable[dict[str, bool]]]
) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/health/ready", include_in_schema=False)
    async def readiness() -> JSONResponse:
        checks = await ready()
        status = 200 if all(checks.values()) else 503
        return JSONResponse({"ready": status == 200, "checks": checks}, status)


class HttpMetrics:
    """RED metrics per route template (not per raw path, which would explode cardinality).
    A plain ASGI middleware: BaseHTTPMiddleware costs a task per request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        trace = current_traceparent.set(_traceparent(scope))

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            current_traceparent.reset(trace)
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(
                time.perf_counter() - started
            )


def _traceparent(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"traceparent":
            text: str = value.decode("latin-1")
            if text.count("-") == 3:
                return text
    return new_traceparent()
