"""Rendering a page, and what every page knows: the session, its CSRF token, the CSP nonce,
the navigation for the caller's roles. Routes (web/*_pages.py) only gather data and call
`render`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    select_autoescape,
)
from markupsafe import Markup, escape

from services.gateway.clients import Clients
from services.gateway.clients.http import Services
from services.gateway.domain.numbers import whole_number as whole_number
from services.gateway.domain.ratings import rag_words
from services.gateway.domain.sessions import Session
from services.gateway.stores import Stores
from services.gateway.usecases import sessions
from services.gateway.web import components, security
from shared.errors import Forbidden
from shared.reference import regions
from shared.settings import PlatformSettings

UK_TIME = ZoneInfo("Europe/London")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

environment = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja", "templates")]
    ),
    autoescape=select_autoescape(["html", "jinja"], default_for_string=True, default=True),
    # The NHS.UK macros read missing parameters through chains (params.hint.text).
    undefined=ChainableUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # Templates are read once: checking each file's time on every page cost a stat per
    # template per request (restart to see a template change, as for code).
    auto_reload=False,
)
components.install(environment)
environment.globals["regions"] = {code: region.name for code, region in regions().items()}


def options(
    choices: dict[str, str], selected: str | None = None, blank: str | None = None
) -> list[dict[str, Any]]:
    """Items for an NHS.UK select, with `blank` first when the choice may be left open."""
    items = [{"value": "", "text": blank}] if blank is not None else []
    return items + [
        {"value": value, "text": text, "selected": value == selected}
        for value, text in choices.items()
    ]


def ticks(choices: dict[str, str], checked: Any = ()) -> list[dict[str, Any]]:
    """Items for NHS.UK radios or checkboxes; `checked` is one value or several."""
    chosen = {checked} if isinstance(checked, str) else set(checked or ())
    return [
        {"value": value, "text": text, "checked": value in chosen}
        for value, text in choices.items()
    ]


def when(instant: str | datetime, with_time: bool = True) -> str:
    """An instant from a service (a datetime, or ISO 8601 text) as people in the UK read it."""
    try:
        moment = (
            instant if isinstance(instant, datetime) else datetime.fromisoformat(instant)
        ).astimezone(UK_TIME)
    except (TypeError, ValueError):
        return str(instant)
    day = f"{moment:%a} {moment.day} {moment:%b %Y}"
    return f"{day}, {moment:%H:%M}" if with_time else day


def on_day(value: str | date) -> str:
    """A calendar date (a milestone's) as people in the UK read it: Wed 31 Mar 2027."""
    try:
        found = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{found:%a} {found.day} {found:%b %Y}"


def live_filter(path: str) -> Markup:
    """htmx on a filter form: a changed filter shows its results in place (the page's main
    content, cut from the same page the form would load: results, or problems beside their
    fields), and the address follows. Without JavaScript the form submits as usual."""
    return Markup(
        f'hx-get="{escape(path)}" hx-trigger="change, submit" hx-target="#maincontent" '
        'hx-select="#maincontent" hx-swap="outerHTML" hx-push-url="true"'
    )


environment.filters["when"] = when
environment.filters["day"] = on_day
environment.globals["rag_words"] = rag_words
environment.globals["live_filter"] = live_filter
environment.globals["options"] = options
environment.globals["ticks"] = ticks


async def stores_of(request: Request) -> Stores:
    stores: Stores = request.app.state.stores
    return stores


async def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def clients_of(request: Request) -> Clients:
    clients: Clients = request.app.state.clients
    return clients


StoresDep = Annotated[Stores, Depends(stores_of)]
ServicesDep = Annotated[Services, Depends(services_of)]
ClientsDep = Annotated[Clients, Depends(clients_of)]


async def session_of(request: Request) -> Session | None:
    """The caller's session, read once per request."""
    try:
        found: Session | None = request.state.session
    except AttributeError:
        settings: PlatformSettings = request.app.state.settings
        secret = request.cookies.get(security.session_cookie_name(settings))
        found = await sessions.current(await stores_of(request), await clients_of(request), secret)
        request.state.session = found
    return found


MaybeSession = Annotated[Session | None, Depends(session_of)]


class SignInNeeded(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class ApplicationPending(Exception):
    """A pending applicant asked for a member's page: they see their application instead."""


async def member_session(request: Request, session: MaybeSession) -> Session:
    if session is None:
        raise SignInNeeded(request.url.path)
    if not session.is_member:
        raise ApplicationPending()
    return session


MemberSession = Annotated[Session, Depends(member_session)]


def with_role(*roles: str) -> Any:
    async def check(session: MemberSession) -> Session:
        if not any(role in session.roles for role in roles):
            raise Forbidden("not_permitted", "This page is for " + " and ".join(roles) + "s")
        return session

    return Depends(check)


async def checked_form(request: Request, session: MaybeSession) -> dict[str, str]:
    """The posted form, after its CSRF token was checked."""
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    token = fields.pop("csrf_token", "")
    if session is not None:
        if not session.csrf_ok(token):
            raise Forbidden("csrf_failed", "This form has expired. Go back, reload and try again.")
    else:
        settings: PlatformSettings = request.app.state.settings
        seed = request.cookies.get(security.PRE_SESSION_COOKIE)
        security.check_pre_session_token(settings, seed, token)
    request.state.form_lists = {
        key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form
    }
    return fields


Form = Annotated[dict[str, str], Depends(checked_form)]


def client_address(request: Request) -> str:
    """The client's address as the gateway believes it: the connection's, or what a trusted
    proxy forwarded (KNET_TRUSTED_PROXIES; the app's middleware rewrote it then)."""
    return request.client.host if request.client else "unknown"


def form_list(request: Request, key: str) -> list[str]:
    lists: dict[str, list[str]] = getattr(request.state, "form_lists", {})
    return lists.get(key, [])


@dataclass
class Problems:
    """Validation problems for a form: beside each field and in the summary at the top."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def summary(self) -> list[dict[str, str]]:
        return [{"text": m, "href": f"#{n}"} for n, m in self.by_field.items()]

    def refused(
        self,
        refusal: Any,
        fields: tuple[str, ...],
        default: str,
        renames: dict[str, str] | None = None,
    ) -> None:
        """A service's refusal beside the field it names, or beside `default` when it names
        none of the form's fields. Problems come as {"field", "problem"} (request validation)
        or as "field: problem" (a domain check listing all it found); `renames` maps the
        service's field names to the form's."""
        renames = renames or {}
        listed = refusal.problems or refusal.details.get("problems", [])
        for problem in listed:
            if isinstance(problem, dict):
                name, text = str(problem.get("field", "")), str(problem.get("problem"))
            else:
                name, _, text = str(problem).partition(": ")
                name, text = (name, text) if text else ("", name)
            name = renames.get(name.split(".")[0], name.split(".")[0])
            self.add(name if name in fields else default, text)
        if not self:
            # A domain code names its field: invalid_evidence_link, summary_required.
            named = [f for f in fields if f.rstrip("s") in refusal.code]
            self.add(max(named, key=len) if named else default, refusal.message)

    def of(self, name: str) -> dict[str, str] | None:
        message = self.by_field.get(name)
        return {"text": message} if message else None


def navigation(session: Session | None, path: str) -> list[dict[str, Any]]:
    if session is None or not session.is_member:
        return []
    items = [
        ("/people", "People"),
        ("/events", "Events"),
        ("/recommendations", "Recommendations"),
        ("/plans", "Plans"),
        ("/case-studies", "Case studies"),
        ("/conversations", "Conversations"),
        ("/notifications", "Notifications"),
    ]
    if {"facilitator", "operator"} & session.roles:
        items.append(("/approvals", "Approvals"))
    if {"sponsor", "facilitator", "operator"} & session.roles:
        items.append(("/network-health", "Network health"))
    if "operator" in session.roles:
        items.append(("/operations", "Operations"))
    return [
        {"href": href, "text": text, "current": path == href or path.startswith(href + "/")}
        for href, text in items
    ]


def render(
    request: Request, template: str, *, title: str, status: int = 200, **context: Any
) -> HTMLResponse:
    settings: PlatformSettings = request.app.state.settings
    session: Session | None = getattr(request.state, "session", None)
    seed = request.cookies.get(security.PRE_SESSION_COOKIE) or security.new_seed()
    csrf = session.csrf_token() if session else security.pre_session_token(settings, seed)
    html = environment.get_template(template).render(
        request=request,
        title=title,
        session=session,
        csrf_token=csrf,
        cspNonce=request.scope.get("state", {}).get("csp_nonce"),
        assetPath="/static/nhsuk/assets",
        navigation=navigation(session, request.url.path),
        # Whether signing in with an NHS account is set up here (sign-in and apply offer it).
        sso_offered=getattr(request.app.state, "oidc", None) is not None,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    # Pages hold personal data: never cached by the browser or anyone between.
    response.headers["cache-control"] = "no-store"
    if session is None and security.PRE_SESSION_COOKIE not in request.cookies:
        response.set_cookie(
            security.PRE_SESSION_COOKIE, seed, **security.cookie_attributes(settings)
        )
    return response


def redirect(path: str) -> RedirectResponse:
    # 303: after a POST the browser GETs the next page (no resubmission on reload).
    return RedirectResponse(path, status_code=303)


def sign_in_path(next_path: str) -> str:
    return "/sign-in?next=" + quote(next_path, safe="/")


def safe_next(next_path: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//"):
        return "/"
    if "\\" in next_path:
        return "/"
    return next_path
