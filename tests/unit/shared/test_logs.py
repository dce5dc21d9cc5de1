import json

import pytest
import structlog

from shared.cloudevents import make_event
from shared.logs import bind_event, configure_logging, unbind_event
from tests.unit.shared.test_cloudevents import ThingHappened


def test_lines_logged_while_handling_an_event_carry_its_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("tests")
    # A fresh logger: one cached by an earlier test would still write to that test's stderr.
    log = structlog.get_logger()
    event = make_event(ThingHappened(thing_id="t", count=1), source="/s", subject="t")
    token = bind_event(event)
    try:
        log.info("handling")
    finally:
        unbind_event(token)
    log.info("after")
    first, second = (json.loads(line) for line in capsys.readouterr().err.strip().splitlines()[-2:])
    assert first["event_id"] == event.id
    assert first["trace_id"] == event.traceparent.split("-")[1]  # type: ignore[union-attr]
    assert first["service"] == "tests"
    assert "event_id" not in second
