"""Who may read what (services/membership/README.md): the directory, member pages, regions'
key players, suggestions and contribution records are for members; an applicant sees their
own application and nothing else; a role is checked before a body is read."""

from __future__ import annotations

import pytest

from tests.integration.membership.conftest import MembershipClient


async def test_member_only_reads_refuse_anonymous_and_pending_callers(
    membership: MembershipClient,
) -> None:
    applicant = await membership.apply("LDN")
    _, member = await membership.member_with_roles("LDN", ["member"])
    anonymous = membership.headers()
    pending = membership.headers(applicant["id"], set(), "LDN")
    for path in (
        "/v1/members",
        f"/v1/members/{applicant['id']}/suggestions",
        f"/v1/members/{applicant['id']}/contributions",
        "/v1/regions/LDN",
    ):
        for who in (anonymous, pending):
            response = await membership.http.get(path, headers=who)
            assert response.status_code == 403, (path, response.text)
        assert (await membership.http.get(path, headers=member)).status_code == 200, path
    own = await membership.http.get(f"/v1/members/{applicant['id']}", headers=pending)
    assert own.json()["status"] == "pending"
    other = await membership.http.get(f"/v1/members/{applicant['id']}", headers=anonymous)
    assert other.status_code == 403
    for public in ("/v1/regions", "/v1/organisations"):
        assert (await membership.http.get(public, headers=anonymous)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/v1/members/someone/roles"),
        ("post", "/v1/organisations"),
        ("post", "/v1/applications/someone/decline"),
    ],
)
async def test_the_role_is_checked_before_the_body_is_read(
    membership: MembershipClient, method: str, path: str
) -> None:
    _, member = await membership.member_with_roles("LDN", ["member"])
    response = await membership.http.request(method, path, json={"nonsense": 1}, headers=member)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "not_permitted", "not the body's schema"
