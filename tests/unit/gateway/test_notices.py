"""The notifications page use cases on fake services: webhooks offered and sent only for those
who keep a regional node, a notification's link followed only on this site, the unread count
absent (not an error page) while notifications is away."""

from __future__ import annotations

import httpx
import pytest

from services.gateway.usecases import notices
from shared.caller import Caller
from tests.unit.gateway.fakes import FakeServices

N = "notifications"
MEMBER = Caller("m1", "LDN", frozenset({"member"}))
FACILITATOR = Caller("f1", "LDN", frozenset({"member", "facilitator"}))
PREFERENCES = {
    "channels": {"events": ["in_app"]},
    "digest": "off",
    "digest_hour": 8,
    "email_failing": False,
    "webhook_url": None,
    "webhook_failing": False,
}


@pytest.mark.parametrize(
    ("caller", "sent"),
    [(MEMBER, ["in_app", "email"]), (FACILITATOR, ["in_app", "email", "webhook"])],
)
async def test_only_channels_offered_are_chosen(caller: Caller, sent: list[str]) -> None:
    fake = FakeServices()
    fake.answer(N, "PUT", "/v1/members/me/preferences", PREFERENCES)
    ticked = {"events": ["in_app", "email", "webhook", "pigeon"], "nowhere": ["email"]}
    await notices.choose(fake.clients(), caller, ticked=ticked, digest="daily", digest_hour=7)
    body = fake.sent[0].body
    assert body["channels"]["events"] == sent
    assert body["channels"]["plans"] == []
    assert set(body["channels"]) == {"membership", "events", "plans", "practice", "conversations"}
    assert (body["digest"], body["digest_hour"]) == ("daily", 7)


@pytest.mark.parametrize(
    ("link", "goes"),
    [("/events/e1", "/events/e1"), ("//evil.example/x", "/"), ("https://evil.example", "/")],
)
async def test_opening_a_notification_marks_it_read_and_stays_on_the_site(
    link: str, goes: str
) -> None:
    fake = FakeServices()
    fake.answer(N, "POST", "/v1/members/me/notifications/n1/read", None, status=204)
    assert await notices.open_one(fake.clients(), MEMBER, "n1", link) == goes
    assert [s.path for s in fake.sent] == ["/v1/members/me/notifications/n1/read"]


async def test_the_unread_count_is_absent_while_notifications_is_away() -> None:
    fake = FakeServices()
    fake.answer(N, "GET", "/v1/members/me/notifications/unread", lambda _: httpx.Response(503))
    assert await notices.unread_count(fake.clients(), MEMBER) is None
    fake.answer(N, "GET", "/v1/members/me/notifications/unread", {"unread": 4})
    assert await notices.unread_count(fake.clients(), MEMBER) == 4


async def test_a_webhook_answers_with_its_secret_once_and_the_preferences() -> None:
    fake = FakeServices()
    fake.answer(
        N, "PUT", "/v1/members/me/webhook", {"url": "https://node.example/hook", "secret": "s3"}
    )
    fake.answer(N, "GET", "/v1/members/me/preferences", PREFERENCES)
    answer = await notices.set_webhook(fake.clients(), FACILITATOR, "https://node.example/hook")
    assert answer.secret == "s3"
    assert fake.sent[0].body == {"url": "https://node.example/hook"}
