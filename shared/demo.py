"""A demo network for a first `knet up`: members in every region with the key roles, events
with registrations, ballots, plans with progress, and case studies, so the site is alive on
first sight. It goes through the services' own APIs as their callers would (an internal token
per acting member), so every fact flows as in real use. Once only: the first demo applicant's
email is the marker (applying again is refused). Never in production; KNET_DEMO=0 turns it off.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.auth import issue_token
from shared.caller import Caller
from shared.reference import report
from shared.settings import PlatformSettings

PASSWORD = "Demo-Network-2026"
# The first start downloads nothing more, but Kafka and the store take their time.
READY_WITHIN = 300
DOMAIN = "demo.knet.example.nhs.uk"
REGIONS = ("LDN", "SE", "SW", "EOE", "MID", "NW", "NEY", "SCO", "WAL", "NI")
INTERESTS = (
    "evidence search",
    "peer assist",
    "after action review",
    "taxonomy",
    "communities of practice",
    "knowledge capture",
    "horizon scanning",
    "storytelling",
)
FIRST = ("Amira", "Ben", "Chloe", "Dev", "Efua", "Finn", "Grace", "Hamid", "Isla", "Jonah")
LAST = ("Okafor", "Patel", "Jones", "Murray", "Evans", "Byrne", "Khan", "Walsh", "Price", "Shaw")


@dataclass(frozen=True)
class DemoMember:
    id: str
    name: str
    email: str
    region: str
    roles: frozenset[str]

    @property
    def caller(self) -> Caller:
        return Caller(self.id, self.region, self.roles | {"member"})


class AlreadySeeded(Exception):
    pass


def enabled(settings: PlatformSettings, environ: Mapping[str, str]) -> bool:
    return settings.environment != "production" and environ.get("KNET_DEMO", "1") != "0"


def sign_ins() -> list[tuple[str, str]]:
    """What `knet up` prints: who to sign in as, to see each kind of page."""
    return [
        (f"member.ldn@{DOMAIN}", "a member in London"),
        (f"facilitator.ldn@{DOMAIN}", "London's facilitator (approvals, node keys, organising)"),
        (f"sponsor.nw@{DOMAIN}", "a sponsor in the North West (network health)"),
        (f"core.mid@{DOMAIN}", "a core group member in the Midlands"),
    ]


class Seeder:
    def __init__(
        self,
        settings: PlatformSettings,
        clients: Mapping[str, httpx.AsyncClient],
        now: datetime,
        environ: Mapping[str, str],
    ) -> None:
        self.settings, self.clients, self.now = settings, clients, now
        # Membership's first operator (its settings' defaults are the development ones).
        self.operator_email = environ.get("KNET_OPERATOR_EMAIL", "operator@knet.example.nhs.uk")
        self.operator_password = environ.get("KNET_OPERATOR_PASSWORD", "Share-What-Works-2016")
        self.random = random.Random(2016)  # the report's year: the same demo every time

    async def call(
        self, service: str, method: str, path: str, caller: Caller | None, body: Any = None
    ) -> Any:
        token = issue_token(caller or Caller("anonymous"), self.settings)
        response = await self.clients[service].request(
            method, path, json=body, headers={"authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        return response.json() if response.content else None

    async def operator(self) -> Caller:
        identity = await self.call(
            "membership",
            "POST",
            "/v1/sessions",
            None,
            {"email": self.operator_email, "password": self.operator_password},
        )
        return Caller(identity["member_id"], identity["region"], frozenset(identity["roles"]))

    async def member(
        self, operator: Caller, who: str, region: str, roles: set[str], n: int
    ) -> DemoMember:
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 3 + len(region)) % len(LAST)]}"
        email = f"{who}.{region.lower()}@{DOMAIN}"
        interests = self.random.sample(INTERESTS, 3)
        await self.call(
            "membership",
            "POST",
            "/v1/applications",
            None,
            {
                "name": name,
                "email": email,
                "password": PASSWORD,
                "region": region,
                "job_title": "Knowledge manager" if who != "member" else "Clinical librarian",
                "interests": interests,
                "skills": self.random.sample(INTERESTS, 2),
                "bio": f"Demo member: works on {interests[0]} in {region}.",
            },
        )
        # Applying answers the same for an address with an account: who it is, and whether the
        # demo was seeded before, is what signing in as them says.
        applied = await self.call(
            "membership", "POST", "/v1/sessions", None, {"email": email, "password": PASSWORD}
        )
        if applied["status"] != "pending":
            raise AlreadySeeded()
        applied["id"] = applied["member_id"]
        await self.call("membership", "POST", f"/v1/applications/{applied['id']}/approve", operator)
        if roles:
            await self.call(
                "membership",
                "PUT",
                f"/v1/members/{applied['id']}/roles",
                operator,
                {"roles": sorted({"member", *roles})},
            )
        return DemoMember(applied["id"], name, email, region, frozenset(roles))

    async def seed(self) -> dict[str, int]:
        operator = await self.operator()
        people: list[DemoMember] = []
        for n, region in enumerate(REGIONS):
            people.append(await self.member(operator, "facilitator", region, {"facilitator"}, n))
            people.append(await self.member(operator, "member", region, set(), n + 1))
            people.append(await self.member(operator, "colleague", region, set(), n + 2))
            if region in ("NW", "LDN", "SCO"):
                people.append(await self.member(operator, "sponsor", region, {"sponsor"}, n + 3))
            if region in ("MID", "LDN", "NEY"):
                people.append(await self.member(operator, "core", region, {"core"}, n + 4))
        # The report's own first applicant got the marker email; add a pending one to approve.
        await self.call(
            "membership",
            "POST",
            "/v1/applications",
            None,
            {
                "name": "Priya Nair",
                "email": f"applicant.ldn@{DOMAIN}",
                "password": PASSWORD,
                "region": "LDN",
                "job_title": "Library services manager",
                "interests": ["evidence search"],
            },
        )
        events = await self.events(people, operator)
        ballots = await self.ballots(people)
        plans = await self.plans(people)
        studies = await self.case_studies(people)
        threads = await self.conversations(people)
        return {
            "members": len(people),
            "events": events,
            "ballots": ballots,
            "plans": plans,
            "case_studies": studies,
            "conversations": threads,
        }

    async def events(self, people: list[DemoMember], operator: Caller) -> int:
        created = []
        national = self.event_body("National KM showcase", None, "conference", 21, 200)
        created.append(await self.call("events", "POST", "/v1/events", operator, national))
        for n, facilitator in enumerate(p for p in people if "facilitator" in p.roles):
            for k, (title, kind) in enumerate(
                (("Peer assist clinic", "workshop"), ("KM community call", "community_call"))
            ):
                body = self.event_body(
                    f"{title}: {facilitator.region}", facilitator.region, kind, 5 + n + k * 9, 25
                )
                created.append(
                    await self.call("events", "POST", "/v1/events", facilitator.caller, body)
                )
        for person in people:
            for event in self.random.sample(created, 3):
                if event["region"] in (None, person.region):
                    await self.call(
                        "events", "POST", f"/v1/events/{event['id']}/registrations", person.caller
                    )
        return len(created)

    def event_body(
        self, title: str, region: str | None, kind: str, days: int, capacity: int
    ) -> dict[str, Any]:
        start = (self.now + timedelta(days=days)).replace(
            hour=13, minute=0, second=0, microsecond=0
        )
        return {
            "title": title,
            "summary": "Bring a question; leave with three ideas to try.",
            "description": "A demo event of the KM Network.",
            "kind": kind,
            "mode": "online",
            "scope": "national" if region is None else "regional",
            "region": region,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1, minutes=30)).isoformat(),
            "join_url": "https://meet.example.nhs.uk/knet-demo",
            "tags": self.random.sample(INTERESTS, 2),
            "capacity": capacity,
        }

    async def ballots(self, people: list[DemoMember]) -> int:
        codes = [r["code"] for r in report()["recommendations"]]
        # Sharing (R1) and leadership (R3) resonate most, as they did in the report's survey.
        weights = {"R1": 5, "R3": 4, "R2": 3, "R5": 2, "R4": 1}
        for person in people:
            ranked = sorted(codes, key=lambda c: -weights.get(c, 0) * self.random.random())
            await self.call(
                "recommendations",
                "PUT",
                "/v1/members/me/ranking",
                person.caller,
                {"codes": ranked[: self.random.randint(3, 5)]},
            )
        return len(people)

    async def plans(self, people: list[DemoMember]) -> int:
        statuses = ("active", "active", "paused", "done")
        count = 0
        for n, facilitator in enumerate(p for p in people if "facilitator" in p.roles):
            code = f"R{n % 5 + 1}"
            plan = await self.call(
                "recommendations",
                "POST",
                "/v1/plans",
                facilitator.caller,
                {
                    "code": code,
                    "scope": "region",
                    "scope_id": facilitator.region,
                    "goal": f"Put {code} into practice across {facilitator.region}'s trusts",
                },
            )
            count += 1
            progress = {
                "summary": "Three trusts have named a KM lead; training booked.",
                "rag": ("green", "amber", "red")[n % 3],
                "evidence_links": ["https://example.nhs.uk/knet-demo/progress"],
            }
            path = f"/v1/plans/{plan['id']}"
            change = {"status": "active", "note": "Demo"}
            await self.call("recommendations", "POST", f"{path}/status", facilitator.caller, change)
            # Progress is reported while a plan runs; then some pause or finish.
            await self.call(
                "recommendations", "POST", f"{path}/progress", facilitator.caller, progress
            )
            if (status := statuses[n % len(statuses)]) != "active":
                change = {"status": status, "note": "Demo"}
                await self.call(
                    "recommendations", "POST", f"{path}/status", facilitator.caller, change
                )
        return count

    async def case_studies(self, people: list[DemoMember]) -> int:
        stories = (
            ("Peer assist before winter", "peer assist", "R2"),
            ("An evidence search service for ward teams", "evidence search", "R1"),
            ("After action reviews in theatres", "after action review", "R3"),
            ("A shared taxonomy for policies", "taxonomy", "R5"),
        )
        authors = [p for p in people if "facilitator" not in p.roles]
        for (title, technique, code), author in zip(stories, authors, strict=False):
            await self.call(
                "recommendations",
                "POST",
                "/v1/case-studies",
                author.caller,
                {
                    "title": title,
                    "context": "Teams kept repeating the same mistakes under pressure.",
                    "what_was_done": f"We ran {technique} sessions with the teams involved.",
                    "outcome": "Fewer repeated mistakes, and a habit of asking first.",
                    "region": author.region,
                    "recommendation_codes": [code],
                    "techniques": [technique],
                },
            )
        return len(stories)

    async def conversations(self, people: list[DemoMember]) -> int:
        """Questions on the network's recommendations, one answered, so that "ask the network"
        has something to show."""
        questions = (
            ("R4", "Who runs a clinical librarian service, and how did you start?", True),
            ("R1", "How do you measure the impact of evidence searches?", False),
            ("R2", "Peer assist: how many people is too many?", False),
        )
        askers = [p for p in people if "facilitator" not in p.roles]
        for (code, title, answered), asker, helper in zip(
            questions, askers, reversed(askers), strict=False
        ):
            started = await self.call(
                "conversations",
                "POST",
                "/v1/threads",
                asker.caller,
                {
                    "subject_kind": "recommendation",
                    "subject_id": code,
                    "title": title,
                    "tags": ["demo"],
                    "question": True,
                    "body": "We are starting out and would value **what worked** for you.",
                },
            )
            thread_id = started["thread"]["id"]
            reply = await self.call(
                "conversations",
                "POST",
                f"/v1/threads/{thread_id}/posts",
                helper.caller,
                {"body": "We did this last year: start small, with one willing team."},
            )
            if answered:
                await self.call(
                    "conversations",
                    "POST",
                    f"/v1/threads/{thread_id}/answer",
                    asker.caller,
                    {"post_id": reply["id"]},
                )
        return len(questions)


async def wait_until_ready(clients: Mapping[str, httpx.AsyncClient]) -> None:
    """Until every service answers ready (the caller bounds the wait)."""
    for client in clients.values():
        while True:
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)


async def seed(
    settings: PlatformSettings, urls: Mapping[str, str], environ: Mapping[str, str]
) -> dict[str, int] | None:
    """Seeds the demo network once; None when it was seeded before."""
    clients = {name: httpx.AsyncClient(base_url=url, timeout=30) for name, url in urls.items()}
    try:
        async with asyncio.timeout(READY_WITHIN):
            await wait_until_ready(clients)
        try:
            return await Seeder(settings, clients, datetime.now(UTC), environ).seed()
        except AlreadySeeded:
            return None
    finally:
        for client in clients.values():
            await client.aclose()
