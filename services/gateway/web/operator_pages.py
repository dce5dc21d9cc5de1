"""The operators' pages: every service's health and the headline numbers with small charts;
the dead-letter topic to browse, replay one, or discard one with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.domain.sessions import Session
from services.gateway.usecases import operations
from services.gateway.web import charts
from services.gateway.web.forms import FormModel, Posted, posted
from services.gateway.web.pages import (
    Form,
    Problems,
    ServicesDep,
    StoresDep,
    redirect,
    render,
    with_role,
)
from shared.broker import client_options
from shared.errors import Invalid
from shared.reference import regions
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)

OPERATOR = with_role("operator")


class Discarding(FormModel):
    reason: str = ""


def _label(headline_key: str, value: str) -> str:
    if headline_key in ("members", "events"):
        return regions()[value].name if value in regions() else "National"
    return value or "none"


@router.get("/operations")
async def operations_page(
    request: Request, services: ServicesDep, stores: StoresDep, session: Session = OPERATOR
) -> Response:
    settings = request.app.state.settings
    health = await operations.health(services)
    readings, source = await operations.readings(
        services, getattr(settings, "prometheus_url", None), stores.clock.now()
    )
    tiles = []
    for reading in readings:
        key = reading.headline.key
        chart = (
            charts.line_chart(f"{reading.headline.title}: the last hour", reading.series)
            if reading.series
            else charts.bar_chart(
                reading.headline.title,
                [charts.Bar(_label(key, k), v) for k, v in reading.breakdown.items()],
            )
        )
        tiles.append({"reading": reading, "chart": chart})
    return render(
        request,
        "operations.jinja",
        title="Operations",
        health=health,
        tiles=tiles,
        source=source,
    )


@router.get("/operations/dead-letters")
async def dead_letters(
    request: Request, stores: StoresDep, session: Session = OPERATOR, show: str = "undecided"
) -> Response:
    return await _dead_letters_page(request, stores, session, show=show)


async def _dead_letters_page(
    request: Request,
    stores: StoresDep,
    session: Session,
    *,
    show: str,
    problems: Problems | None = None,
    failed: str | None = None,
) -> Response:
    settings: PlatformSettings = request.app.state.settings
    letters = await operations.dead_letters(
        stores, client_options(settings), caller=session.caller(), show=show
    )
    return render(
        request,
        "dead_letters.jinja",
        title="Dead letters",
        status=422 if problems else 200,
        letters=letters,
        show=show,
        problems=problems,
        failed=failed,
        done=request.query_params.get("done"),
    )


@router.post("/operations/dead-letters/{partition}/{offset}/replay")
async def replay(
    request: Request,
    partition: int,
    offset: int,
    form: Form,
    stores: StoresDep,
    session: Session = OPERATOR,
) -> Response:
    settings: PlatformSettings = request.app.state.settings
    await operations.replay(
        stores,
        client_options(settings),
        caller=session.caller(),
        partition=partition,
        offset=offset,
    )
    return redirect("/operations/dead-letters?done=replayed")


@router.post("/operations/dead-letters/{partition}/{offset}/discard")
async def discard(
    request: Request,
    partition: int,
    offset: int,
    stores: StoresDep,
    session: Session = OPERATOR,
    sent: Posted[Discarding] = posted(Discarding),
) -> Response:
    try:
        await operations.discard(
            stores,
            caller=session.caller(),
            partition=partition,
            offset=offset,
            reason=sent.form.reason if sent.form is not None else "",
        )
    except Invalid as invalid:
        problems = Problems()
        problems.add(f"reason-{partition}-{offset}", invalid.message)
        return await _dead_letters_page(
            request,
            stores,
            session,
            show="undecided",
            problems=problems,
            failed=f"{partition}:{offset}",
        )
    return redirect("/operations/dead-letters?done=discarded")
