"""Password policy (pure) and hashing: argon2id with OWASP's minimum parameters
(19 MiB memory, 2 iterations, 1 lane).

The policy follows NIST SP 800-63B: a minimum length and no composition rules (a mix of
character kinds makes passwords harder to remember, not to guess), checked against what
attackers try first. That is zxcvbn's estimate of the guesses a password takes: it ships
the common and breached passwords (30,000 of them), English words, names and surnames, and
knows their keyboard patterns, dates, repeats and l33t spellings, so "Passw0rd2026" and
"Summer2024!!" are seen for what they are; the member's own name and address and the
network's words count as known. No network is needed to check."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from shared.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's score 4: at least 10^10 guesses, out of reach of an online attack by far and of
# an offline one against argon2id for years.
MIN_GUESSES_LOG10 = 10.0
# Words an attacker of this network would try first.
NETWORK_WORDS = ("knet", "nhs", "knowledge", "network", "km", "library")
# zxcvbn's own bound (its work grows with length); what lies past it adds guesses, not risk.
CHECKED_LENGTH = 72

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def check_strength(password: str, *, email: str, name: str) -> None:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    if not problems:
        local = email.split("@")[0]
        known = [email, local, *local.replace(".", " ").split(), *name.split(), *NETWORK_WORDS]
        estimate = zxcvbn(password[:CHECKED_LENGTH], user_inputs=known)
        if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
            warning = estimate["feedback"].get("warning") or ""
            problems.append(
                "to be harder to guess: not a common password, nor common words, names, dates"
                " or your own details with a few changes"
                + (f" ({warning.rstrip('.')})" if warning else "")
                + ". A few unrelated words make a strong one"
            )
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
