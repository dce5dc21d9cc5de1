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


LOCKED_DOWN = {
    "environment": "production",
    "internal_token_secret": "x" * 40,
    "secrets_key": "y" * 40,
    "kafka_username": "membership",
    "kafka_password": "z" * 40,
    "kafka_tls": True,
    "mongodb_uri": "mongodb://membership:pw@mongodb:27017/knet_membership?replicaSet=rs0",
}


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ({"secrets_key": ""}, "KNET_SECRETS_KEY"),
        ({"secrets_key": "x" * 40}, "KNET_SECRETS_KEY"),  # the token secret again
        ({"kafka_username": ""}, "KNET_KAFKA_USERNAME"),
        ({"kafka_tls": False}, "KNET_KAFKA_TLS"),
        ({"mongodb_uri": "mongodb://mongodb:27017/?replicaSet=rs0"}, "KNET_MONGODB_URI"),
    ],
)
def test_production_trusts_no_network_without_its_own_credentials(
    unset: dict[str, object], named: str
) -> None:
    assert PlatformSettings(**LOCKED_DOWN).environment == "production"  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=named):
        PlatformSettings(**{**LOCKED_DOWN, **unset})  # type: ignore[arg-type]


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
