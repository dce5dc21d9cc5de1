"""What the gateway's use cases need from storage, as protocols: MongoDB (repository.py) and in
memory (tests/fakes/gateway.py), held to one behaviour by
tests/integration/stores/test_gateway_stores.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.gateway.domain.api_tokens import ApiToken
from services.gateway.domain.sessions import Session, Timeouts
from services.gateway.domain.sso import Attempt
from services.gateway.domain.throttle import Failures, Limits
from shared.clock import Clock


class Sessions(Protocol):
    async def add(self, session: Session) -> None: ...

    async def get(self, id_hash: str) -> Session | None: ...

    async def save(self, session: Session) -> None:
        """Keeps the last write: a session's fields are the gateway's own view, not shared."""

    async def remove(self, id_hash: str) -> None: ...

    async def remove_member(self, member_id: str) -> int:
        """Every session of a member (sign out everywhere, a removal); how many there were."""

    async def remove_older_than(self, created_before: datetime) -> int: ...


class SignInFailures(Protocol):
    async def get(self, key: str, window: datetime) -> Failures: ...

    async def add(self, key: str, window: datetime, at: datetime) -> None:
        """One more failure for `key` in `window`, the last at `at`."""

    async def clear(self, key: str, window: datetime) -> None: ...

    async def remove_before(self, window: datetime) -> int: ...


class ApiTokens(Protocol):
    async def add(self, token: ApiToken) -> None: ...

    async def get(self, id_hash: str) -> ApiToken | None: ...

    async def save(self, token: ApiToken) -> None:
        """Keeps the last write (its identity and last use); a removed token stays removed."""

    async def of_member(self, member_id: str) -> list[ApiToken]:
        """A member's tokens, newest first (a few at most: MAX_PER_MEMBER)."""

    async def remove(self, member_id: str, id_hash: str) -> bool:
        """True when the member had that token."""

    async def remove_member(self, member_id: str) -> int: ...


class DeadLetterDecisions(Protocol):
    """What operators decided about dead letters (Kafka keeps every record; the decision is
    what takes one off the list)."""

    async def claim(self, entry: str, *, decision: str, by: str, at: datetime, note: str) -> bool:
        """Records the decision; False when the entry was decided already (nothing written)."""

    async def release(self, entry: str) -> None:
        """Forgets a decision whose action failed, so it can be taken again."""

    async def decided(self, entries: list[str]) -> dict[str, dict[str, Any]]: ...


class SsoAttempts(Protocol):
    """Single sign-on attempts waiting for the provider's answer, by their state's hash."""

    async def add(self, attempt: Attempt) -> None: ...

    async def take(self, state_hash: str) -> Attempt | None:
        """The attempt, removed: a state answers once (a replayed callback finds nothing)."""

    async def remove_before(self, created_before: datetime) -> int: ...


@dataclass
class Stores:
    sessions: Sessions
    failures: SignInFailures
    decisions: DeadLetterDecisions
    tokens: ApiTokens
    clock: Clock
    timeouts: Timeouts
    limits: Limits
    sso: SsoAttempts
