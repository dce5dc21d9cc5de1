"""Event consumers: CloudEvents in, typed handlers called, failures retried then dead-lettered.

A consumer subscribes to topics as one Kafka consumer group and dispatches each record by its
CloudEvent `type` to the handler registered for it. Records arrive in batches and the offsets
are committed once the whole batch is handled, never before: a crash re-delivers, handlers
are idempotent, so nothing is lost and nothing is doubled. Within a batch, one aggregate's
records (same partition and CloudEvent subject, else Kafka key) are handled in order, and
different aggregates' records side by side (`concurrency` lanes at a time), so a handler's
store round trips overlap instead of queueing. Per record:

- not a CloudEvent (bad JSON, missing fields): dead-lettered at once, reason `malformed`;
- a type nobody here handles: skipped (tolerant reader, topics carry many types);
- `data` the handler's model rejects: dead-lettered at once, reason `schema-invalid`;
- handler raises a `DomainError`: dead-lettered at once, reason `rejected` (a retry can't help);
- handler raises anything else: retried with exponential backoff, then dead-lettered.

If even the dead-letter publish fails, the batch raises and FastStream seeks back to it
(NACK_ON_ERROR), so the records are re-delivered rather than skipped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy
from pydantic import BaseModel, ValidationError

from shared import deadletter
from shared.clock import Clock, SystemClock
from shared.cloudevents import CloudEvent, current_traceparent
from shared.errors import DomainError
from shared.logs import bind_event, unbind_event
from shared.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    HANDLER_LATENCY,
    MESSAGES_HANDLED,
    observe_all,
)
from shared.reading import DataRejected, Parsed, RecordReader, data_of, first_error

log = structlog.get_logger()

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[CloudEvent, M], Awaitable[None]]
# Handles every record of its type in a batch at once (bulk writes); idempotent like any.
BatchHandler = Callable[[list[tuple[CloudEvent, M]]], Awaitable[None]]
DeadLetterPublisher = Callable[[bytes | None, bytes | None, deadletter.Headers], Awaitable[None]]
# Told of a record that could not be read (malformed, or data its route's model rejects) after
# it is dead-lettered: the place to answer its sender when enough of it can still be read.
UnreadableHandler = Callable[[ConsumerRecord[bytes, bytes], str, str], Awaitable[None]]
# Makes a service's consumer from its group suffix and topics (ServiceContext.consumer; a
# plain EventConsumer in the handler tests).
ConsumerFactory = Callable[[str, Sequence[str]], "EventConsumer"]


@dataclass(frozen=True)
class _Route(Generic[M]):
    model: type[M]
    handler: Handler[M]
    # Metric children resolved once: `labels()` per message was a hot spot in `make bench`.
    handled_ok: Any
    latency: Any


class EventConsumer:
    def __init__(
        self,
        *,
        group: str,
        topics: Sequence[str],
        max_attempts: int = 3,
        backoff_seconds: float = 0.2,
        batch_size: int = 500,
        concurrency: int = 16,
        clock: Clock | None = None,
    ) -> None:
        self.group = group
        self.topics = tuple(topics)
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.clock = clock or SystemClock()
        self._routes: dict[str, _Route[Any]] = {}
        self._batch_routes: dict[str, tuple[type[BaseModel], BatchHandler[Any]]] = {}
        self._reader: RecordReader | None = None
        self._publish_dead_letter: DeadLetterPublisher | None = None
        self._on_unreadable: UnreadableHandler | None = None

    def on(self, event_type: str, model: type[M]) -> Callable[[Handler[M]], Handler[M]]:
        """Registers the handler of one event type; `model` is this consumer's reading of it."""

        def register(handler: Handler[M]) -> Handler[M]:
            if event_type in self._routes:
                raise ValueError(f"{self.group} already handles {event_type}")
            self._routes[event_type] = _Route(
                model,
                handler,
                handled_ok=MESSAGES_HANDLED.labels(self.group, event_type, "ok"),
                latency=HANDLER_LATENCY.labels(self.group, event_type),
            )
            self._reader = None
            return handler

        return register

    def on_batch(
        self, event_type: str, model: type[M]
    ) -> Callable[[BatchHandler[M]], BatchHandler[M]]:
        """Registers a handler given all of a batch's records of one type at once, for work
        that is cheaper in bulk (a fan-out's inbox writes). A failing call is retried whole
        with backoff; after the last attempt each record is dead-lettered."""

        def register(handler: BatchHandler[M]) -> BatchHandler[M]:
            if event_type in self._routes or event_type in self._batch_routes:
                raise ValueError(f"{self.group} already handles {event_type}")
            self._batch_routes[event_type] = (model, handler)
            self._reader = None
            return handler

        return register

    def on_unreadable(self, handler: UnreadableHandler) -> UnreadableHandler:
        """Registers what to do, besides dead-lettering, with a record that can't be read.
        It must be idempotent (a redelivered batch calls it again); if it raises, the batch is
        re-delivered."""
        self._on_unreadable = handler
        return handler

    @property
    def readers(self) -> dict[str, type[BaseModel]]:
        """Event type -> the model this consumer reads it with (for contract tests)."""
        found = {event_type: route.model for event_type, route in self._routes.items()}
        found.update({t: model for t, (model, _) in self._batch_routes.items()})
        return found

    def dead_letters_to(self, publish: DeadLetterPublisher) -> None:
        """Where dead letters go: the dead-letter topic once attached (handler tests collect
        them instead)."""
        self._publish_dead_letter = publish

    def attach(self, broker: KafkaBroker, dead_letters: DeadLetterPublisher) -> None:
        """Subscribes this consumer on the process's broker; call before the broker starts.
        Dead letters go to `dead_letters` (deadletter.DeadLetterProducer.send)."""
        self.dead_letters_to(dead_letters)

        @broker.subscriber(
            *self.topics,
            group_id=self.group,
            batch=True,
            max_records=self.batch_size,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            parser=_parse_batch_head_only,
            decoder=_skip_decoding,
            title=f"{self.group}",
        )
        async def on_batch(message: KafkaMessage) -> None:
            records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
            await self.handle_batch(records)
            self._record_lag(message, records)

    def _read(self, record: ConsumerRecord[bytes, bytes]) -> Parsed:
        if self._reader is None:
            self._reader = RecordReader(self.readers)
        return self._reader.read(record)

    async def handle_batch(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        lanes: dict[tuple[str, int, object], list[Parsed]] = {}
        in_bulk: dict[str, list[Parsed]] = {}
        for record in records:
            parsed = self._read(record)
            if isinstance(parsed[1], CloudEvent) and parsed[1].type in self._batch_routes:
                in_bulk.setdefault(parsed[1].type, []).append(parsed)
                continue
            subject = parsed[1].subject if isinstance(parsed[1], CloudEvent) else None
            lanes.setdefault((record.topic, record.partition, subject or record.key), []).append(
                parsed
            )
        for event_type, parsed_records in in_bulk.items():
            await self._handle_in_bulk(event_type, parsed_records)
        queue = list(lanes.values())
        queue.reverse()

        # Handled records are counted, and their latencies observed, once a batch per type: a
        # metric's lock per record cost more than the dispatch around it.
        took: dict[str, list[float]] = {}

        async def work() -> None:
            while queue:
                for record, event in queue.pop():
                    seconds = await self._handle(record, event)
                    if seconds is not None and isinstance(event, CloudEvent):
                        took.setdefault(event.type, []).append(seconds)

        try:
            if len(queue) == 1:
                await work()
                return
            # A TaskGroup: if one lane fails (the dead-letter topic unreachable), the others
            # stop too and the whole batch is re-delivered.
            async with asyncio.TaskGroup() as lanes_at_work:
                for _ in range(min(self.concurrency, len(queue))):
                    lanes_at_work.create_task(work())
        finally:
            for event_type, seconds in took.items():
                route = self._routes[event_type]
                route.handled_ok.inc(len(seconds))
                observe_all(route.latency, seconds)

    async def _handle_in_bulk(self, event_type: str, parsed: list[Parsed]) -> None:
        model, handler = self._batch_routes[event_type]
        readable: list[tuple[ConsumerRecord[bytes, bytes], CloudEvent, Any]] = []
        for record, event in parsed:
            assert isinstance(event, CloudEvent)
            try:
                readable.append((record, event, data_of(event, model)))
            except ValidationError as exc:
                await self._unreadable(
                    record, deadletter.SCHEMA_INVALID, first_error(exc), event_type
                )
        if not readable:
            return
        items = [(event, data) for _, event, data in readable]
        error: Exception | None = None
        for attempt in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            try:
                await handler(items)
            except DomainError as exc:
                error = exc
                break
            except Exception as exc:
                error = exc
                log.warning(
                    "batch handler failed", group=self.group, attempt=attempt, error=repr(exc)
                )
                if attempt < self.max_attempts:
                    MESSAGES_HANDLED.labels(self.group, event_type, "retried").inc(len(items))
                    await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
                continue
            HANDLER_LATENCY.labels(self.group, event_type).observe(time.perf_counter() - started)
            MESSAGES_HANDLED.labels(self.group, event_type, "ok").inc(len(items))
            return
        assert error is not None
        rejected = isinstance(error, DomainError)
        reason = deadletter.REJECTED if rejected else deadletter.HANDLER_FAILED
        text = f"{error.code}: {error.message}" if isinstance(error, DomainError) else repr(error)
        for record, _, _ in readable:
            await self._dead_letter(record, reason, text, self.max_attempts, event_type)

    async def _handle(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: CloudEvent | ValidationError | DataRejected,
    ) -> float | None:
        """How long its handler took when it handled the record at the first attempt (the
        caller counts those); None when it was skipped, dead-lettered or handled only after
        retries (counted here)."""
        if isinstance(event, ValidationError):
            await self._unreadable(record, deadletter.MALFORMED, first_error(event), "?")
            return None
        if isinstance(event, DataRejected):
            await self._unreadable(record, deadletter.SCHEMA_INVALID, event.error, event.type)
            return None
        route = self._routes.get(event.type)
        if route is None:
            MESSAGES_HANDLED.labels(self.group, event.type, "ignored").inc()
            return None
        token = bind_event(event)
        trace = current_traceparent.set(event.traceparent)
        try:
            try:
                data = data_of(event, route.model)
            except ValidationError as exc:
                await self._unreadable(
                    record, deadletter.SCHEMA_INVALID, first_error(exc), event.type
                )
                return None
            # The first attempt runs inline: it is the hot path, and almost always the only one.
            started = time.perf_counter()
            try:
                await route.handler(event, data)
            except Exception as exc:
                await self._retry_or_dead_letter(record, event, route, data, exc)
                return None
            return time.perf_counter() - started
        finally:
            current_traceparent.reset(trace)
            unbind_event(token)

    async def _retry_or_dead_letter(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: CloudEvent,
        route: _Route[Any],
        data: Any,
        error: Exception,
    ) -> None:
        attempt = 1
        while True:
            if isinstance(error, DomainError):
                reason, text = deadletter.REJECTED, f"{error.code}: {error.message}"
                break
            log.warning("handler failed", group=self.group, attempt=attempt, error=repr(error))
            if attempt >= self.max_attempts:
                reason, text = deadletter.HANDLER_FAILED, repr(error)
                break
            MESSAGES_HANDLED.labels(self.group, event.type, "retried").inc()
            await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            attempt += 1
            try:
                await route.handler(event, data)
            except Exception as exc:
                error = exc
            else:
                route.handled_ok.inc()
                return
        await self._dead_letter(record, reason, text, attempt, event.type)

    async def _unreadable(
        self, record: ConsumerRecord[bytes, bytes], reason: str, error: str, event_type: str
    ) -> None:
        await self._dead_letter(record, reason, error, 1, event_type)
        if self._on_unreadable is not None:
            await self._on_unreadable(record, reason, error)

    async def _dead_letter(
        self,
        record: ConsumerRecord[bytes, bytes],
        reason: str,
        error: str,
        attempts: int,
        event_type: str,
    ) -> None:
        if self._publish_dead_letter is None:
            raise RuntimeError("EventConsumer.attach() was not called")
        headers = deadletter.dead_letter_headers(
            record,
            group=self.group,
            reason=reason,
            error=error,
            attempts=attempts,
            failed_at=self.clock.now(),
        )
        await self._publish_dead_letter(record.value, record.key, headers)
        DEAD_LETTERS.labels(self.group, reason).inc()
        MESSAGES_HANDLED.labels(self.group, event_type, "dead_lettered").inc()
        log.error(
            "message dead-lettered",
            group=self.group,
            reason=reason,
            error=error,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )

    def _record_lag(
        self, message: KafkaMessage, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> None:
        consumer = getattr(message, "consumer", None)
        if consumer is None or not hasattr(consumer, "highwater"):
            return
        last: dict[TopicPartition, int] = {}
        for record in records:
            last[TopicPartition(record.topic, record.partition)] = record.offset
        for tp, offset in last.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                CONSUMER_LAG.labels(self.group, tp.topic, str(tp.partition)).set(
                    max(highwater - offset - 1, 0)
                )


async def _parse_batch_head_only(
    records: tuple[ConsumerRecord[bytes, bytes], ...],
    parse: Callable[[tuple[ConsumerRecord[bytes, bytes], ...]], Awaitable[KafkaMessage]],
) -> KafkaMessage:
    """FastStream's batch parser decodes every record's headers into a dict and collects the
    bodies, which this consumer never reads (it parses the records itself): about a tenth of
    the per-record cost in `make bench`. Parse the head only and hand over all the records;
    `raw_message` is also what a NACK rewinds, so redelivery still covers the whole batch.
    The head goes without its headers: FastStream decodes them as UTF-8, and one that is not
    would fail every delivery of the batch for ever instead of being dead-lettered."""
    message = await parse((replace(records[0], headers=[]),))
    message.raw_message = records
    return message


async def _skip_decoding(message: Any) -> None:
    """The consumer parses records itself; FastStream's JSON decoding would be wasted work."""
    return None
