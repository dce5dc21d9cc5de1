"""One spelling per mailbox: what membership compares when it signs a member in or finds an
address taken, and what the gateway keys its sign-in throttle on. Two spellings that
membership treats as one (case, Unicode forms, an internationalised domain written with
ideographic full stops) must never count as two accounts to the throttle."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from shared.errors import Invalid


def normalise_email(email: str) -> str:
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid("invalid_email", f"'{email}' is not a valid email address") from exc
    return checked.normalized.lower()
