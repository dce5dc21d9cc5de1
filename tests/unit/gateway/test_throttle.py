"""Sign-in throttling (services/gateway/domain/throttle.py): a client guessing an account
slows itself down, not the owner; the account is the mailbox as membership compares it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.gateway.domain import throttle
from services.gateway.domain.throttle import Failures, Limits

NOW = datetime(2026, 12, 4, 10, 0, 7, tzinfo=UTC)
LIMITS = Limits(window=timedelta(minutes=15))
NONE = Failures()


def wait(pair: Failures = NONE, address: Failures = NONE, account: Failures = NONE) -> int:
    return throttle.wait(pair=pair, address=address, account=account, now=NOW, limits=LIMITS)


def test_a_few_tries_are_free_then_each_waits_twice_as_long_up_to_a_cap() -> None:
    assert wait(Failures(4, NOW)) == 0
    assert [wait(Failures(n, NOW)) for n in (5, 6, 7, 10)] == [1, 2, 4, 32]
    assert wait(Failures(50, NOW)) == 15 * 60
    assert wait(Failures(10_000, NOW)) == 15 * 60, "no overflow on a long attack"
    assert wait(Failures(7, NOW - timedelta(seconds=4))) == 0, "waited long enough"


def test_one_client_at_many_accounts_and_many_clients_at_one_are_stopped_for_the_window() -> None:
    end = (15 * 60) - (NOW.minute % 15 * 60 + NOW.second)
    assert wait(address=Failures(49, NOW)) == 0
    assert wait(address=Failures(50, NOW)) == end
    assert wait(account=Failures(99, NOW)) == 0
    assert wait(account=Failures(100, NOW)) == end


def test_the_account_is_the_mailbox_as_membership_compares_it() -> None:
    plain = throttle.account_key("sec.x@example.nhs.uk")
    for spelling in (
        "sec.x@example\u3002nhs\u3002uk",  # ideographic full stops in the domain
        " SEC.X@Example.NHS.UK ",
        "sec.x@EXAMPLE.nhs.uk",
    ):
        assert throttle.account_key(spelling) == plain, spelling
    assert throttle.pair_key(" SEC.X@example\u3002nhs.uk", "10.0.0.1") == ("pair:10.0.0.1|" + plain)
    assert throttle.account_key("not an address") == "account:not an address"
