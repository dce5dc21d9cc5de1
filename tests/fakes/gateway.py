"""In-memory stores with the same protocols and behaviour as repository.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.gateway.domain.api_tokens import ApiToken
from services.gateway.domain.sessions import Session
from services.gateway.domain.sso import Attempt
from services.gateway.domain.throttle import Failures


class InMemorySessions:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    async def add(self, session: Session) -> None:
        self.sessions[session.id_hash] = session

    async def get(self, id_hash: str) -> Session | None:
        return self.sessions.get(id_hash)

    async def save(self, session: Session) -> None:
        if session.id_hash in self.sessions:
            self.sessions[session.id_hash] = session

    async def remove(self, id_hash: str) -> None:
        self.sessions.pop(id_hash, None)

    async def remove_member(self, member_id: str) -> int:
        mine = [k for k, s in self.sessions.items() if s.member_id == member_id]
        for key in mine:
            del self.sessions[key]
        return len(mine)

    async def remove_older_than(self, created_before: datetime) -> int:
        old = [k for k, s in self.sessions.items() if s.created_at < created_before]
        for key in old:
            del self.sessions[key]
        return len(old)


class InMemorySignInFailures:
    def __init__(self) -> None:
        self.failures: dict[tuple[str, datetime], Failures] = {}

    async def get(self, key: str, window: datetime) -> Failures:
        return self.failures.get((key, window), Failures())

    async def add(self, key: str, window: datetime, at: datetime) -> None:
        found = self.failures.get((key, window), Failures())
        latest = max(found.last_at, at) if found.last_at else at
        self.failures[(key, window)] = Failures(found.count + 1, latest)

    async def clear(self, key: str, window: datetime) -> None:
        self.failures.pop((key, window), None)

    async def remove_before(self, window: datetime) -> int:
        old = [k for k in self.failures if k[1] < window]
        for key in old:
            del self.failures[key]
        return len(old)


class InMemorySsoAttempts:
    def __init__(self) -> None:
        self.attempts: dict[str, Attempt] = {}

    async def add(self, attempt: Attempt) -> None:
        self.attempts[attempt.state_hash] = attempt

    async def take(self, state_hash: str) -> Attempt | None:
        return self.attempts.pop(state_hash, None)

    async def remove_before(self, created_before: datetime) -> int:
        old = [k for k, a in self.attempts.items() if a.created_at < created_before]
        for key in old:
            del self.attempts[key]
        return len(old)


class InMemoryDeadLetterDecisions:
    def __init__(self) -> None:
        self.decisions: dict[str, dict[str, Any]] = {}

    async def claim(self, entry: str, *, decision: str, by: str, at: datetime, note: str) -> bool:
        if entry in self.decisions:
            return False
        self.decisions[entry] = {"decision": decision, "by": by, "at": at, "note": note}
        return True

    async def release(self, entry: str) -> None:
        self.decisions.pop(entry, None)

    async def decided(self, entries: list[str]) -> dict[str, dict[str, Any]]:
        return {e: dict(self.decisions[e]) for e in entries if e in self.decisions}


class InMemoryApiTokens:
    def __init__(self) -> None:
        self.tokens: dict[str, ApiToken] = {}

    async def add(self, token: ApiToken) -> None:
        self.tokens[token.id_hash] = token

    async def get(self, id_hash: str) -> ApiToken | None:
        return self.tokens.get(id_hash)

    async def save(self, token: ApiToken) -> None:
        if token.id_hash in self.tokens:
            self.tokens[token.id_hash] = token

    async def of_member(self, member_id: str) -> list[ApiToken]:
        mine = [t for t in self.tokens.values() if t.identity.member_id == member_id]
        return sorted(mine, key=lambda t: t.identity.created_at, reverse=True)

    async def remove(self, member_id: str, id_hash: str) -> bool:
        token = self.tokens.get(id_hash)
        if token is None or token.identity.member_id != member_id:
            return False
        del self.tokens[id_hash]
        return True

    async def remove_member(self, member_id: str) -> int:
        mine = [k for k, t in self.tokens.items() if t.identity.member_id == member_id]
        for key in mine:
            del self.tokens[key]
        return len(mine)
