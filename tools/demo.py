"""A demo network for a first `knet up`: members in every region with the key roles, events
with registrations, ballots, plans with progress, and case studies, so the site is alive on
first sight. It goes through the services' own APIs as their callers would (the gateway's
typed clients, an internal token per acting member), so every fact flows as in real use.
Once only: the first demo applicant's email is the marker (applying again is refused). Never
in production; KNET_DEMO=0 turns it off."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused, Services, ServiceUnavailable
from services.gateway.clients.models import conversations as c
from services.gateway.clients.models import events as e
from services.gateway.clients.models import membership as m
from services.gateway.clients.models import recommendations as r
from services.gateway.clients.operations import request
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
# Real organisations in every region (ODS codes where NHS Digital's extracts give them), so
# the demo's local plans belong to places people know.
ORGANISATIONS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "LDN": (
        ("Guy's and St Thomas' NHS Foundation Trust", "trust", "RJ1"),
        ("Barts Health NHS Trust", "trust", "R1H"),
    ),
    "SE": (
        ("Oxford University Hospitals NHS Foundation Trust", "trust", "RTH"),
        ("University Hospitals Sussex NHS Foundation Trust", "trust", "RYR"),
    ),
    "SW": (
        ("Royal Devon University Healthcare NHS Foundation Trust", "trust", "RH8"),
        ("North Bristol NHS Trust", "trust", "RVJ"),
    ),
    "EOE": (
        ("Cambridge University Hospitals NHS Foundation Trust", "trust", "RGT"),
        ("Norfolk and Norwich University Hospitals NHS Foundation Trust", "trust", "RM1"),
    ),
    "MID": (
        ("University Hospitals Birmingham NHS Foundation Trust", "trust", "RRK"),
        ("Nottingham University Hospitals NHS Trust", "trust", "RX1"),
    ),
    "NW": (
        ("Alder Hey Children's NHS Foundation Trust", "trust", "RBS"),
        ("Manchester University NHS Foundation Trust", "trust", "R0A"),
    ),
    "NEY": (
        ("Leeds Teaching Hospitals NHS Trust", "trust", "RR8"),
        ("The Newcastle upon Tyne Hospitals NHS Foundation Trust", "trust", "RTD"),
    ),
    "SCO": (
        ("NHS Greater Glasgow and Clyde", "other", None),
        ("NHS Lothian Library and Knowledge Service", "library_and_knowledge_service", None),
    ),
    "WAL": (
        ("Cardiff and Vale University Health Board", "other", "7A4"),
        ("Betsi Cadwaladr University Health Board", "other", "7A1"),
    ),
    "NI": (
        ("Belfast Health and Social Care Trust", "trust", None),
        ("Western Health and Social Care Trust", "trust", None),
    ),
}
# How long the demo waits for a member's organisation to reach the recommendations service.
READ_MODEL_WAIT = 30.0


@dataclass(frozen=True)
class DemoMember:
    id: str
    name: str
    email: str
    region: str
    roles: frozenset[str]
    organisation_id: str | None = None

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
        clients: Clients,
        now: datetime,
        environ: Mapping[str, str],
    ) -> None:
        self.settings, self.clients, self.now = settings, clients, now
        # Membership's first operator (its settings' defaults are the development ones).
        self.operator_email = environ.get("KNET_OPERATOR_EMAIL", "operator@knet.example.nhs.uk")
        self.operator_password = environ.get("KNET_OPERATOR_PASSWORD", "Share-What-Works-2016")
        self.random = random.Random(2016)  # the report's year: the same demo every time
        self.named = 0  # people named so far: each demo person has a name of their own
        self.organisations: dict[str, list[str]] = {}  # region -> its organisations' ids

    async def operator(self) -> Caller:
        who = await self.clients.membership.sign_in(self.operator_email, self.operator_password)
        return Caller(who.member_id, who.region, frozenset(who.roles))

    async def member(
        self, operator: Caller, who: str, region: str, roles: set[str], n: int
    ) -> DemoMember:
        i = self.named
        self.named += 1
        # Ten first names and ten surnames give a hundred people before any name repeats.
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i + i // len(FIRST)) % len(LAST)]}"
        email = f"{who}.{region.lower()}@{DOMAIN}"
        places = self.organisations.get(region, [])
        organisation = places[n % len(places)] if places else None
        interests = self.random.sample(INTERESTS, 3)
        await self.clients.membership.apply(
            request(
                m.Application,
                name=name,
                email=email,
                password=PASSWORD,
                region=region,
                organisation_id=organisation,
                job_title="Knowledge manager" if who != "member" else "Clinical librarian",
                interests=interests,
                skills=self.random.sample(INTERESTS, 2),
                bio=f"Demo member: works on {interests[0]} in {region}.",
            )
        )
        # Applying answers the same for an address with an account: who it is, and whether the
        # demo was seeded before, is what signing in as them says.
        applied = await self.clients.membership.sign_in(email, PASSWORD)
        if applied.status != "pending":
            raise AlreadySeeded()
        await self.clients.membership.approve(operator, applied.member_id)
        if roles:
            await self.clients.membership.set_roles(
                operator, applied.member_id, sorted({"member", *roles})
            )
        return DemoMember(applied.member_id, name, email, region, frozenset(roles), organisation)

    async def add_organisations(self, operator: Caller) -> int:
        """The demo's organisations, or the ones of the same name already there (an operator
        may have imported NHS Digital's extracts first)."""
        for region, listed in ORGANISATIONS.items():
            for name, kind, ods_code in listed:
                found = await self.clients.membership.organisations(q=name, region=region, limit=5)
                same = [o.id for o in found.items if o.name == name]
                if not same:
                    body = request(
                        m.OrganisationIn, name=name, region=region, kind=kind, ods_code=ods_code
                    )
                    same = [(await self.clients.membership.add_organisation(operator, body)).id]
                self.organisations.setdefault(region, []).append(same[0])
        return sum(len(ids) for ids in self.organisations.values())

    async def seed(self) -> dict[str, int]:
        operator = await self.operator()
        organisations = await self.add_organisations(operator)
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
        await self.clients.membership.apply(
            request(
                m.Application,
                name="Priya Nair",
                email=f"applicant.ldn@{DOMAIN}",
                password=PASSWORD,
                region="LDN",
                job_title="Library services manager",
                interests=["evidence search"],
            )
        )
        events = await self.events(people, operator)
        ballots = await self.ballots(people)
        plans = await self.plans(people)
        studies = await self.case_studies(people)
        threads = await self.conversations(people)
        return {
            "organisations": organisations,
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
        created.append(await self.clients.events.organise(operator, national))
        for n, facilitator in enumerate(p for p in people if "facilitator" in p.roles):
            for k, (title, kind) in enumerate(
                (("Peer assist clinic", "workshop"), ("KM community call", "community_call"))
            ):
                body = self.event_body(
                    f"{title}: {facilitator.region}", facilitator.region, kind, 5 + n + k * 9, 25
                )
                created.append(await self.clients.events.organise(facilitator.caller, body))
        for person in people:
            for event in self.random.sample(created, 3):
                if event.region in (None, person.region):
                    await self.clients.events.register(person.caller, event.id)
        return len(created)

    def event_body(
        self, title: str, region: str | None, kind: str, days: int, capacity: int
    ) -> e.EventIn:
        start = (self.now + timedelta(days=days)).replace(
            hour=13, minute=0, second=0, microsecond=0
        )
        return request(
            e.EventIn,
            title=title,
            summary="Bring a question; leave with three ideas to try.",
            description="A demo event of the KM Network.",
            kind=kind,
            mode="online",
            scope="national" if region is None else "regional",
            region=region,
            starts_at=start,
            ends_at=start + timedelta(hours=1, minutes=30),
            join_url="https://meet.example.nhs.uk/knet-demo",
            tags=self.random.sample(INTERESTS, 2),
            capacity=capacity,
        )

    async def ballots(self, people: list[DemoMember]) -> int:
        codes = [rec["code"] for rec in report()["recommendations"]]
        # Sharing (R1) and leadership (R3) resonate most, as they did in the report's survey.
        weights = {"R1": 5, "R3": 4, "R2": 3, "R5": 2, "R4": 1}
        for person in people:
            ranked = sorted(codes, key=lambda c: -weights.get(c, 0) * self.random.random())
            await self.clients.recommendations.rank(
                person.caller, ranked[: self.random.randint(3, 5)]
            )
        return len(people)

    async def plans(self, people: list[DemoMember]) -> int:
        """Regional plans by each region's facilitator, national plans by a sponsor, and
        local plans by members for their organisations, with a mix of statuses, RAG ratings
        and some milestones and actions already overdue."""
        count = 0
        for n, facilitator in enumerate(p for p in people if "facilitator" in p.roles):
            code = f"R{n % 5 + 1}"
            goal = f"Put {code} into practice across {facilitator.region}'s trusts"
            await self.run_plan(facilitator, code, "region", facilitator.region, goal, n)
            count += 1
        sponsor = next(p for p in people if "sponsor" in p.roles)
        for n, code in enumerate(("R1", "R3")):
            goal = f"A national programme for {code}, led with the regions"
            await self.run_plan(sponsor, code, "national", None, goal, n + 1)
            count += 1
        local = [p for p in people if p.organisation_id and not p.roles]
        for n, person in enumerate(local):
            code = f"R{(n * 2) % 5 + 1}"
            goal = f"{code} in practice at our trust: start with the teams who asked"
            await self.run_plan(person, code, "organisation", person.organisation_id, goal, n)
            count += 1
        return count

    async def run_plan(
        self,
        lead: DemoMember,
        code: str,
        scope: str,
        scope_id: str | None,
        goal: str,
        n: int,
    ) -> None:
        recommendations = self.clients.recommendations
        body = request(
            r.PlanIn,
            code=code,
            scope=scope,
            scope_id=scope_id,
            region=lead.region if scope == "organisation" else None,
            goal=goal,
        )
        plan = await self.started(lead, body)
        await recommendations.change_status(lead.caller, plan.id, status="active", note="Demo")
        today = self.now.date()
        # One milestone met on time, one due later, and every third plan one already missed.
        await recommendations.add_milestone(
            lead.caller, plan.id, title="KM lead named", target_on=today + timedelta(days=30)
        )
        if n % 3 == 0:
            await recommendations.add_milestone(
                lead.caller,
                plan.id,
                title="Baseline survey done",
                target_on=today - timedelta(days=7),
            )
            await recommendations.add_action(
                lead.caller,
                plan.id,
                title="Book the launch session",
                due_on=today - timedelta(days=3),
            )
        await recommendations.report_progress(
            lead.caller,
            plan.id,
            summary="Three teams have named a KM lead; training booked.",
            rag=("green", "amber", "red")[n % 3],
            evidence_links=["https://example.nhs.uk/knet-demo/progress"],
        )
        statuses = ("active", "active", "paused", "done")
        if (status := statuses[n % len(statuses)]) != "active":
            await recommendations.change_status(lead.caller, plan.id, status=status, note="Demo")

    async def started(self, lead: DemoMember, body: r.PlanIn) -> r.PlanView:
        """The plan, once the recommendations service has learnt the lead's organisation
        from membership's facts (a local plan asked before that is refused: not theirs yet)."""
        waited = 0.0
        while True:
            try:
                return await self.clients.recommendations.start_plan(lead.caller, body)
            except ServiceRefused as refused:
                if refused.code != "scope_not_permitted" or waited >= READ_MODEL_WAIT:
                    raise
            await asyncio.sleep(0.5)
            waited += 0.5

    async def case_studies(self, people: list[DemoMember]) -> int:
        stories = (
            ("Peer assist before winter", "peer assist", "R2"),
            ("An evidence search service for ward teams", "evidence search", "R1"),
            ("After action reviews in theatres", "after action review", "R3"),
            ("A shared taxonomy for policies", "taxonomy", "R5"),
        )
        authors = [p for p in people if "facilitator" not in p.roles]
        for (title, technique, code), author in zip(stories, authors, strict=False):
            await self.clients.recommendations.share(
                author.caller,
                request(
                    r.CaseStudyIn,
                    title=title,
                    context="Teams kept repeating the same mistakes under pressure.",
                    what_was_done=f"We ran {technique} sessions with the teams involved.",
                    outcome="Fewer repeated mistakes, and a habit of asking first.",
                    region=author.region,
                    recommendation_codes=[code],
                    techniques=[technique],
                ),
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
        talk = self.clients.conversations
        askers = [p for p in people if "facilitator" not in p.roles]
        for (code, title, answered), asker, helper in zip(
            questions, askers, reversed(askers), strict=False
        ):
            started = await talk.start(
                asker.caller,
                request(
                    c.ThreadIn,
                    subject_kind="recommendation",
                    subject_id=code,
                    title=title,
                    tags=["demo"],
                    question=True,
                    body="We are starting out and would value **what worked** for you.",
                ),
            )
            thread_id = started.thread.id
            reply = await talk.reply(
                helper.caller,
                thread_id,
                body="We did this last year: start small, with one willing team.",
                quoted_post_id=None,
            )
            if answered:
                await talk.accept(asker.caller, thread_id, reply.id)
        return len(questions)


async def wait_until_ready(services: Services) -> None:
    """Until every service answers ready (the caller bounds the wait)."""
    for name in services.clients:
        while True:
            try:
                if (await services.probe(name, "/health/ready")).status_code == 200:
                    break
            except ServiceUnavailable:
                pass
            await asyncio.sleep(0.5)


async def seed(
    settings: PlatformSettings, urls: Mapping[str, str], environ: Mapping[str, str]
) -> dict[str, int] | None:
    """Seeds the demo network once; None when it was seeded before."""
    services = Services(settings, urls, timeout=30)
    try:
        async with asyncio.timeout(READY_WITHIN):
            await wait_until_ready(services)
        try:
            return await Seeder(settings, Clients.over(services), datetime.now(UTC), environ).seed()
        except AlreadySeeded:
            return None
    finally:
        await services.close()
