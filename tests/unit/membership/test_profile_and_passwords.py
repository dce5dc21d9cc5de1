import pytest

from services.membership.domain.passwords import check_strength, hash_password, verify_password
from services.membership.domain.profile import Profile
from shared.emails import normalise_email
from shared.errors import Invalid


def test_email_is_normalised() -> None:
    assert normalise_email("  Ada.Lovelace@NHS.net ") == "ada.lovelace@nhs.net"


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@nhs.net", "a b@nhs.net"])
def test_invalid_email(email: str) -> None:
    with pytest.raises(Invalid) as error:
        normalise_email(email)
    assert error.value.code == "invalid_email"


def test_tags_are_normalised_and_bounded() -> None:
    p = Profile.create(name=" Ada  Lovelace ", interests=["Peer  Assist", "peer assist", ""])
    assert p.name == "Ada Lovelace"
    assert p.interests == ("peer assist",)
    with pytest.raises(Invalid):
        Profile.create(name="A", skills=[f"s{i}" for i in range(21)])


@pytest.mark.parametrize("links", [["ftp://x"], ["javascript:alert(1)"], ["https://a"] * 6])
def test_links_must_be_few_and_http(links: list[str]) -> None:
    with pytest.raises(Invalid) as error:
        Profile.create(name="A", links=links)
    assert error.value.code == "invalid_links"


@pytest.mark.parametrize(
    "password",
    [
        "short1!",
        "alllowercaseletters",
        "password1234",
        "ada.lovelace-2026!",
        "aaaaaaaaaaaaaaaaaaaaaa",
        # What an attacker found accepted: a common password with a digit for a letter and a
        # year, and a season, a year and punctuation.
        "Passw0rd2026",
        "Summer2024!!",
        "Welcome123456",
        "adalovelace2026",  # the member's own details and a year
        "qwertyuiop1234",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid) as error:
        check_strength(password, email="ada.lovelace@nhs.net", name="Ada Lovelace")
    assert error.value.code == "weak_password"


@pytest.mark.parametrize(
    "password",
    [
        "Knowledge-Network-2016",
        "correct horse battery staple",
        "librarian at the trust",  # no capitals, digits or symbols needed: length and words
        # Long ones are checked quickly (the first 72 characters).
        "a passphrase of unrelated words: kettle, orchard, lantern, pebble and then many more",
    ],
)
def test_strong_passwords_pass(password: str) -> None:
    check_strength(password, email="ada.lovelace@nhs.net", name="Ada Lovelace")


def test_argon2id_hash_verifies_only_the_right_password() -> None:
    hashed = hash_password("Knowledge-Network-2016")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(hashed, "Knowledge-Network-2016")
    assert not verify_password(hashed, "knowledge-network-2016")
    assert not verify_password(None, "Knowledge-Network-2016")
