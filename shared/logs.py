"""Structured JSON logs. Every line carries the service name and, while an event is being
handled or published, its CloudEvent id and trace id (bound through contextvars)."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar, Token
from typing import Any

import structlog

from shared.cloudevents import CloudEvent

# The event being handled or published. One ContextVar set per message costs far less than
# binding three structlog contextvars, and its fields are read only when a line is logged.
_current_event: ContextVar[CloudEvent | None] = ContextVar("knet_current_event", default=None)


def add_event_fields(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event = _current_event.get()
    if event is not None:
        event_dict.setdefault("event_id", event.id)
        event_dict.setdefault("event_type", event.type)
        if trace_id := trace_id_of(event.traceparent):
            event_dict.setdefault("trace_id", trace_id)
    return event_dict


# Capabilities carried in addresses (a calendar feed's token, an unsubscribe link's, a reset
# link's, an OpenID Connect code and state): never written to a log.
_SECRET_IN_QUERY = re.compile(r"([?&](?:token|key|secret|code|state|password)=)[^&\s\"]*", re.I)


def redact(text: str) -> str:
    return _SECRET_IN_QUERY.sub(r"\1[redacted]", text)


class _RedactSecrets(logging.Filter):
    """Rewrites the path of uvicorn's access lines (and any stdlib line) without the
    capabilities its query string carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def security_event(kind: str, *, alarm: bool = False, **fields: Any) -> None:
    """One line an auditor can search for (`security` names what happened: sign_in_failed,
    forbidden, role_changed, token_created, password_reset...), with who and from where;
    never a password, token or key. `alarm`: a refusal or failure (logged as a warning)."""
    (log.warning if alarm else log.info)(kind, security=kind, **fields)


class _Stderr:
    """Whatever sys.stderr is when a line is written: test runners swap it for a capture and
    close that after each test, and a logger holding the capture fails every later test."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    console = fmt == "console"
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer(colors=_colours(), pad_event_to=28)
        if console
        else structlog.processors.JSONRenderer()
    )
    # Facts are logged at debug: shown in a console, left out of JSON logs at INFO.
    level = "DEBUG" if console and level == "INFO" else level
    shared_processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_event_fields,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared_processors,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(_Stderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    # Libraries (uvicorn, aiokafka, faststream) log through stdlib: render them as JSON too.
    handler = logging.StreamHandler(_Stderr())
    handler.addFilter(_RedactSecrets())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
            foreign_pre_chain=[*shared_processors, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Libraries stay at INFO even when the console shows the platform's own debug lines.
    root.setLevel("INFO" if level == "DEBUG" and console else level)
    for name in ("faststream", "pymongo", "asyncio", "multipart", "python_multipart"):
        logging.getLogger(name).setLevel(logging.WARNING if console else level)
    # uvicorn's own (a `uvicorn.Config(log_level=...)` sets them, even without its log_config):
    # they follow the root, so its access lines show as they should.
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    structlog.contextvars.bind_contextvars(service=service)


def _colours() -> bool:
    """Colours when the terminal shows them: `knet up` runs services behind pipes, so it
    passes its own answer on (FORCE_COLOR); NO_COLOR always wins."""
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stderr.isatty()


def trace_id_of(traceparent: str | None) -> str | None:
    if traceparent and traceparent.count("-") == 3:
        return traceparent.split("-")[1]
    return None


def bind_event(event: CloudEvent) -> Token[CloudEvent | None]:
    """Log lines from here on carry this event's ids; pass the token to `unbind_event`.
    (A plain set/reset: a contextlib context manager cost more than parsing the event.)"""
    return _current_event.set(event)


def unbind_event(token: Token[CloudEvent | None]) -> None:
    _current_event.reset(token)


log = structlog.get_logger()
