from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.auth import Caller, issue_token, verify_token
from shared.clock import ManualClock
from shared.errors import Unauthorized
from shared.settings import PlatformSettings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="KNET_INTERNAL_TOKEN_SECRET"):
        PlatformSettings(environment="production")
    with pytest.raises(ValidationError, match="32 characters"):
        PlatformSettings(environment="production", internal_token_secret="short")
    ok = PlatformSettings(environment="production", internal_token_secret="x" * 40)
    assert ok.environment == "production"


def test_settings_read_knet_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNET_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    monkeypatch.setenv("KNET_MONGODB_URI", "mongodb://127.0.0.1:27018/")
    settings = PlatformSettings()
    assert settings.kafka_port == 19092
    assert settings.mongodb_port == 27018


def test_internal_token_round_trip() -> None:
    settings = PlatformSettings()
    caller = Caller(member_id="m1", region="LDN", roles=frozenset({"member", "facilitator"}))
    assert verify_token(issue_token(caller, settings), settings) == caller


def test_expired_token_is_refused() -> None:
    settings = PlatformSettings(internal_token_ttl_seconds=30)
    clock = ManualClock(datetime.now(UTC) - timedelta(minutes=5))
    token = issue_token(Caller(member_id="m1"), settings, clock)
    with pytest.raises(Unauthorized) as error:
        verify_token(token, settings)
    assert error.value.code == "token_expired"


def test_token_signed_with_another_secret_is_refused() -> None:
    token = issue_token(Caller(member_id="m1"), PlatformSettings(internal_token_secret="a" * 40))
    with pytest.raises(Unauthorized) as error:
        verify_token(token, PlatformSettings(internal_token_secret="b" * 40))
    assert error.value.code == "token_invalid"
