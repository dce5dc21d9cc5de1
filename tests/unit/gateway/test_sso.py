"""What an ID token's claims must say before anyone is let in (services/gateway/domain/
sso.py): each rule refuses with its own code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.gateway.domain import sso
from shared.errors import DomainError

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
ISSUER = "https://login.microsoftonline.com/nhs/v2.0"
SECRET = "an-applicant-token-secret-of-32-bytes-or-more"
_, ATTEMPT = sso.begin("/", NOW)


def claims(**change: Any) -> dict[str, Any]:
    return {
        "iss": ISSUER,
        "aud": "knet",
        "sub": "abc",
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
        "iat": int(NOW.timestamp()),
        "nonce": ATTEMPT.nonce,
        "email": "Ada.Lovelace@NHS.net",
        "email_verified": True,
        "name": "Ada Lovelace",
        **change,
    }


def check(found: dict[str, Any], *, trust: bool = False) -> sso.Verified:
    return sso.verified(
        found,
        attempt=ATTEMPT,
        issuer=ISSUER,
        client_id="knet",
        allowed_domains=frozenset({"nhs.net"}),
        trust_emails=trust,
        now=NOW,
    )


def test_a_good_token_names_the_account_and_its_address() -> None:
    who = check(claims())
    assert (who.issuer, who.subject, who.email) == (ISSUER, "abc", "ada.lovelace@nhs.net")
    assert check(claims(email="a@mail.nhs.net")).email == "a@mail.nhs.net", "a subdomain"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"iss": "https://evil.example"}, "sso_wrong_issuer"),
        ({"aud": "someone-else"}, "sso_wrong_audience"),
        ({"aud": ["knet", "other"], "azp": "other"}, "sso_wrong_audience"),
        ({"exp": int((NOW - timedelta(minutes=2)).timestamp())}, "sso_token_expired"),
        ({"iat": int((NOW + timedelta(minutes=5)).timestamp())}, "sso_token_invalid"),
        ({"nonce": "another attempt's"}, "sso_nonce_mismatch"),
        ({"nonce": None}, "sso_nonce_mismatch"),
        ({"email_verified": False}, "sso_email_unverified"),
        ({"email": None}, "sso_email_unverified"),
        ({"email": "eve@nhs.net.evil.example"}, "sso_domain_not_allowed"),
        ({"email": "eve@notnhs.net"}, "sso_domain_not_allowed"),
        ({"sub": ""}, "sso_token_invalid"),
    ],
)
def test_each_rule_refuses_with_its_code(change: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as refused:
        check(claims(**change))
    assert refused.value.code == code


def test_a_provider_that_vouches_for_its_addresses_needs_no_email_verified() -> None:
    entra = claims(email=None, email_verified=None, preferred_username="ada@nhs.net")
    with pytest.raises(DomainError):
        check(entra)
    assert check(entra, trust=True).email == "ada@nhs.net"


def test_an_applicant_token_carries_who_for_half_an_hour() -> None:
    who = check(claims())
    token = sso.applicant_token(SECRET, who, NOW)
    assert sso.read_applicant_token(SECRET, token, NOW + timedelta(minutes=29)) == who
    assert sso.read_applicant_token(SECRET, token, NOW + timedelta(minutes=31)) is None
    assert sso.read_applicant_token(SECRET[::-1], token, NOW) is None
    assert sso.read_applicant_token(SECRET, None, NOW) is None
