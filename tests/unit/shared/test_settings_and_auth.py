from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from pydantic import ValidationError

from shared.auth import Caller, issue_token, verify_token
from shared.clock import ManualClock
from shared.errors import Unauthorized
from shared.settings import DEVELOPMENT_SECRET, PlatformSettings


@pytest.mark.parametrize("environment", ["test", "production"])
def test_only_development_takes_the_development_secret(
    environment: Literal["test", "production"],
) -> None:
    with pytest.raises(ValidationError, match="KNET_INTERNAL_TOKEN_SECRET"):
        PlatformSettings(environment=environment, internal_token_secret=DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="32 characters"):
        PlatformSettings(environment=environment, internal_token_secret="short")
    assert PlatformSettings(environment="development", internal_token_secret=DEVELOPMENT_SECRET)


def test_production_seals_with_a_key_of_its_own() -> None:
    secret = "x" * 40
    with pytest.raises(ValidationError, match="KNET_SECRETS_KEY"):
        PlatformSettings(environment="production", internal_token_secret=secret)
    with pytest.raises(ValidationError, match="KNET_SECRETS_KEY"):
        PlatformSettings(environment="production", internal_token_secret=secret, secrets_key=secret)
    ok = PlatformSettings(
        environment="production", internal_token_secret=secret, secrets_key="y" * 40
    )
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
