import json
import logging

import pytest
import structlog

from shared.cloudevents import make_event
from shared.logs import bind_event, configure_logging, security_event, unbind_event
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


def test_console_lines_are_for_people_and_show_facts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    configure_logging("tests", fmt="console")
    log = structlog.get_logger()
    log.debug("fact published", type="uk.nhs.knet.member.joined.v1", subject="m1")
    logging.getLogger("uvicorn.access").info('%s - "%s %s"  %d', "127.0.0.1", "GET", "/", 200)
    lines = capsys.readouterr().err.strip().splitlines()[-2:]
    assert "fact published" in lines[0]
    assert "type=uk.nhs.knet.member.joined.v1" in lines[0]
    assert '"GET /"  200' in lines[1]
    assert "\x1b[" not in "".join(lines), "no colour codes when asked for none"
    for line in lines:
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)
    configure_logging("tests")  # the JSON default for the tests that follow


def test_json_logs_leave_facts_out_at_info(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("tests")
    structlog.get_logger().debug("fact published", type="t")
    assert "fact published" not in capsys.readouterr().err


def test_capabilities_in_addresses_never_reach_the_logs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("tests")
    access = logging.getLogger("uvicorn.access")
    for path in (
        "/v1/members/m1/calendar.ics?token=abc123secret",
        "/unsubscribe?token=eyJhbGciOi.secret&x=1",
        "/password/reset?token=reset-secret",
        "/sign-in/nhs/callback?code=oidc-code&state=oidc-state",
    ):
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1", "GET", path, "1.1", 200)
    logged = capsys.readouterr().err
    for secret in ("abc123secret", "eyJhbGciOi", "reset-secret", "oidc-code", "oidc-state"):
        assert secret not in logged
    assert logged.count("[redacted]") == 5
    assert "&x=1" in logged, "the rest of the address stays"


def test_a_security_event_names_what_happened_and_whom(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("tests")
    security_event("sign_in_failed", alarm=True, account="3f2a", client="10.0.0.9")
    (line,) = [json.loads(x) for x in capsys.readouterr().err.strip().splitlines()[-1:]]
    assert (line["security"], line["level"], line["client"]) == (
        "sign_in_failed",
        "warning",
        "10.0.0.9",
    )
