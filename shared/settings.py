"""One settings object per process, read from KNET_* environment variables.

Development defaults make `make run` work on a laptop; outside development the
settings refuse the insecure ones (the shared signing secret above all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-internal-token-secret-change-me"
REPO_ROOT = Path(__file__).resolve().parent.parent


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KNET_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_controller_port: int = 9093
    topic_partitions: int = Field(default=12, ge=1)
    topic_replication: int = Field(default=1, ge=1)

    # Kafka's credentials: SASL/SCRAM-SHA-512 as this service's own user when set, over TLS
    # when `kafka_tls` (the CA that signed the brokers' certificates in `kafka_ca_file`).
    # Production takes both: the brokers' ACLs name what each service may read and write.
    kafka_username: str = ""
    kafka_password: str = ""
    kafka_tls: bool = False
    kafka_ca_file: Path | None = None

    mongodb_uri: str = "mongodb://127.0.0.1:27017/"
    # Appended to every service database name (knet_<service><suffix>): isolates tests and
    # benchmarks that share one store.
    database_suffix: str = ""

    data_dir: Path = REPO_ROOT / ".data"
    cache_dir: Path = REPO_ROOT / ".cache"

    internal_token_secret: str = DEVELOPMENT_SECRET
    # Seals secrets kept for later use (webhooks' signing secrets, shared/sealed.py). In
    # development it may be left out (derived from the internal token secret); production
    # sets its own, so one leaked secret does not open the other.
    secrets_key: str = ""
    internal_token_ttl_seconds: int = Field(default=60, ge=5, le=3600)
    # How old a caller's roles may be: the gateway reads them from membership again after
    # this, and services that judge what a role set up allow for it.
    role_refresh_seconds: float = Field(default=60, gt=0)

    handler_max_attempts: int = Field(default=3, ge=1, le=20)
    handler_backoff_seconds: float = Field(default=0.2, ge=0)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)

    log_level: str = "INFO"
    # "console": one readable line per request or fact, coloured on a terminal (what `knet up`
    # asks for when it runs in one); "json" for production and for anything reading the logs.
    log_format: Literal["json", "console"] = "json"

    # 127.0.0.1 on a laptop; 0.0.0.0 inside a container (set by docker-compose.yml). Each
    # service's port is in its spec (services/<name>/spec.py), KNET_<NAME>_PORT overriding it.
    bind_host: str = "127.0.0.1"

    @model_validator(mode="after")
    def _refuse_insecure_defaults(self) -> PlatformSettings:
        # Only a laptop's development run takes the secret everyone can read in this file;
        # tests and benchmarks make their own (tests/conftest.py), production sets its own.
        if self.environment != "development":
            if self.internal_token_secret == DEVELOPMENT_SECRET:
                raise ValueError(
                    "KNET_INTERNAL_TOKEN_SECRET must be set outside development"
                    " (the development secret is public)"
                )
            if len(self.internal_token_secret) < 32:
                raise ValueError("KNET_INTERNAL_TOKEN_SECRET must be at least 32 characters")
        if self.environment == "production":
            if len(self.secrets_key) < 32 or self.secrets_key == self.internal_token_secret:
                raise ValueError(
                    "KNET_SECRETS_KEY must be set in production: 32+ characters, its own"
                )
            if not (self.kafka_username and self.kafka_password and self.kafka_tls):
                raise ValueError(
                    "production talks to Kafka as its own user over TLS: set KNET_KAFKA_USERNAME,"
                    " KNET_KAFKA_PASSWORD and KNET_KAFKA_TLS=true"
                )
            if "@" not in self.mongodb_uri.split("//", 1)[-1].split("/", 1)[0]:
                raise ValueError(
                    "production signs in to MongoDB as its own user: put the service's user and"
                    " password in KNET_MONGODB_URI"
                )
        return self

    @property
    def kafka_port(self) -> int:
        return int(self.kafka_bootstrap.rsplit(":", 1)[1])

    @property
    def mongodb_port(self) -> int:
        hostport = self.mongodb_uri.split("//", 1)[1].split("/", 1)[0]
        return int(hostport.rsplit(":", 1)[1])
