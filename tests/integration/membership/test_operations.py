"""Every process serves /metrics, /health/live and /health/ready (Kafka and MongoDB reachable)."""

from __future__ import annotations

from tests.integration.membership.conftest import MembershipClient


async def test_health_and_metrics(membership: MembershipClient) -> None:
    live = await membership.http.get("/health/live")
    assert live.json() == {"status": "ok", "service": "membership"}
    ready = await membership.http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"kafka": True, "mongodb": True}}

    member = membership.headers("m-1", roles={"member"})
    missing = await membership.http.get("/v1/members/nobody", headers=member)
    assert missing.status_code == 404
    metrics = (await membership.http.get("/metrics")).text
    assert (
        'knet_http_requests_total{method="GET",route="/v1/members/{member_id}",service="membership",status="404"}'
        in metrics
    )
    assert "knet_http_request_duration_seconds_bucket" in metrics
    assert "knet_outbox_backlog" in metrics
