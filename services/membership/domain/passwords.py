"""Password policy (pure) and hashing: argon2id with OWASP's minimum parameters
(19 MiB memory, 2 iterations, 1 lane)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON = frozenset(
    {
        "password1234",
        "passwordpassword",
        "123456789012",
        "qwertyuiopas",
        "letmein12345",
        "welcome12345",
        "nhspassword1",
        "changeme1234",
        "iloveyou1234",
        "administrator",
    }
)

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def check_strength(password: str, *, email: str, name: str) -> None:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    classes = sum(
        any(test(c) for c in password)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    # A long passphrase of plain words is strong; a short one needs a mix of characters.
    if len(password) < 20 and classes < 2:
        problems.append("a mix of letters, digits or symbols, or 20+ characters")
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if lowered in _COMMON or len(set(lowered)) < 5:
        problems.append("not a common or repetitive password")
    if len(local) >= 4 and local in lowered:
        problems.append("not containing your email address")
    if any(len(part) >= 4 and part.lower() in lowered for part in name.split()):
        problems.append("not containing your name")
    if problems:
        raise Invalid("weak_password", "The password needs " + "; ".join(problems), needs=problems)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists: callers pass DUMMY_HASH for none."""
    try:
        return HASHER.verify(password_hash or DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


DUMMY_HASH = HASHER.hash("no account has this password, it only keeps timing even")
