"""`knet`: the platform's command line (infrastructure, topics, the whole platform, contracts,
dead letters)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from shared import deadletter
from shared.broker import client_options
from shared.services import ServiceSpec, discover
from shared.settings import REPO_ROOT, PlatformSettings
from tools import contracts, demo, organisations
from tools.infra import kafka, kafka_access, prometheus, stack
from tools.infra.processes import InfraError

app = typer.Typer(help="KM Network platform", no_args_is_help=True)
infra_app = typer.Typer(help="The embedded Kafka and MongoDB-wire store", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics", no_args_is_help=True)
dlq_app = typer.Typer(help="The dead-letter topic", no_args_is_help=True)
app.add_typer(infra_app, name="infra")
app.add_typer(topics_app, name="topics")
organisations_app = typer.Typer(help="Organisations members belong to", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
app.add_typer(organisations_app, name="organisations")


def _settings() -> PlatformSettings:
    return PlatformSettings()


def _fail(error: Exception) -> None:
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@infra_app.command("up")
def infra_up() -> None:
    """Start Kafka and the store (fetching them the first time); idempotent."""
    settings = _settings()
    try:
        result = stack.up(settings, typer.echo)
    except InfraError as error:
        _fail(error)
    for name, what in result.items():
        typer.echo(f"{name}: {what}")


@infra_app.command("down")
def infra_down() -> None:
    """Stop Kafka and the store; their data stays under .data/."""
    for name, stopped in stack.down(_settings()).items():
        typer.echo(f"{name}: {'stopped' if stopped else 'was not running'}")


@infra_app.command("status")
def infra_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    status = stack.status(_settings())
    if as_json:
        typer.echo(json.dumps(status))
        return
    for name, fields in status.items():
        where = fields.get("bootstrap") or fields.get("uri")
        typer.echo(f"{name}: {'up' if fields['up'] else 'down'} ({where})")


@topics_app.command("create")
def topics_create() -> None:
    """Create the platform's topics with the configured partitions; existing ones are kept."""
    created = asyncio.run(kafka.create_topics(_settings()))
    typer.echo(f"created: {', '.join(created) if created else 'none (all exist)'}")


@app.command("contracts")
def write_contracts() -> None:
    """Regenerate contracts/ (JSON Schemas, the AsyncAPI document, the services' OpenAPI
    documents) and the gateway's client models generated from those documents."""
    for path in contracts.write():
        typer.echo(f"contracts/{path}")
    for name in contracts.write_client_models():
        typer.echo(f"services/gateway/clients/models/{name}")


@organisations_app.command("import")
def organisations_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    kind: Annotated[
        str | None,
        typer.Option(help="The kind it lists, when the file's name does not say (trust, icb...)"),
    ] = None,
) -> None:
    """Load an NHS Digital ODS CSV extract (etr.csv: trusts; eccg.csv or eicb.csv: ICBs) into
    membership: new codes are added, known ones renamed or closed as the extract says. Run it
    again and nothing changes. The membership service publishes the facts from its outbox."""

    def say(line: str) -> None:
        typer.echo(line, err=True)

    try:
        rows = organisations.read_file(file, kind)
        report = asyncio.run(organisations.import_rows(_settings(), rows, say=say))
    except (ValueError, OSError) as exc:
        _fail(exc)
        return
    typer.echo(
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped"
    )
    for code, why in report.skipped:
        typer.echo(f"  skipped {code}: {why}")


@app.command("grants")
def write_grants() -> None:
    """Regenerate the production grants from the code: each service's Kafka user and ACLs
    (deploy/kafka/grant.sh) and its MongoDB user (deploy/mongodb/users.js)."""
    for path, text in kafka_access.grant_files().items():
        target = REPO_ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        if target.suffix == ".sh":
            target.chmod(0o755)
        typer.echo(path)


@dlq_app.command("list")
def dlq_list(limit: int = 50) -> None:
    for entry in asyncio.run(
        deadletter.list_dead_letters(client_options(_settings()), limit=limit)
    ):
        headers = entry.headers
        typer.echo(
            f"{entry.partition}:{entry.offset} {headers.get(deadletter.REASON)} "
            f"from {entry.original_topic} ({headers.get(deadletter.CONSUMER_GROUP)}): "
            f"{headers.get(deadletter.ERROR)}"
        )


@dlq_app.command("replay")
def dlq_replay(partition: int, offset: int) -> None:
    """Publish one dead letter back to its original topic."""
    entry = asyncio.run(
        deadletter.replay_dead_letter(
            client_options(_settings()), partition=partition, offset=offset
        )
    )
    typer.echo(f"replayed {partition}:{offset} to {entry.original_topic}")


def _seed_demo_in_background(settings: PlatformSettings, specs: list[ServiceSpec]) -> None:
    """Once the services answer, seeds the demo network (the first time only) and says who to
    sign in as; the platform runs meanwhile."""

    def run() -> None:
        urls = {spec.name: spec.url() for spec in specs}
        try:
            seeded = asyncio.run(demo.seed(settings, urls, os.environ))
        except Exception as error:  # a demo that fails must not stop the platform
            typer.secho(f"demo data: not seeded ({error!r})", fg=typer.colors.YELLOW)
            return
        what = (
            "demo data: already there"
            if seeded is None
            else "demo data: " + ", ".join(f"{n} {what}" for what, n in seeded.items())
        )
        lines = [f"  {email} ({who})" for email, who in demo.sign_ins()]
        typer.secho(
            f"\n{what}. Demo sign-ins, password {demo.PASSWORD}:\n" + "\n".join(lines) + "\n",
            fg=typer.colors.GREEN,
        )

    threading.Thread(target=run, name="demo-data", daemon=True).start()


@app.command("up")
def up() -> None:
    """Start the infrastructure, the topics, every service and the gateway; Ctrl-C stops all."""
    from honcho.manager import Manager

    settings = _settings()
    try:
        for name, what in stack.up(settings, typer.echo).items():
            typer.echo(f"{name}: {what}")
    except InfraError as error:
        _fail(error)
    asyncio.run(kafka.create_topics(settings))
    manager = Manager()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if sys.stdout.isatty() and settings.environment != "production":
        # Honcho pipes the services' output: they cannot see the terminal, so say it here.
        env.setdefault("KNET_LOG_FORMAT", "console")
        if not os.environ.get("NO_COLOR"):
            env.setdefault("FORCE_COLOR", "1")
    services = discover()
    if binary := prometheus.installed():
        data = REPO_ROOT / ".data" / "prometheus"
        manager.add_process("prometheus", prometheus.command(binary, data, services), env=env)
        env["KNET_PROMETHEUS_URL"] = prometheus.url()
    if settings.environment != "production":
        # The development mail server: the emails the network sends, kept under .data/mail.
        manager.add_process(
            "mail", f"{sys.executable} -m tools.infra.mailsink", env=env, cwd=str(REPO_ROOT)
        )
    for spec in services:
        manager.add_process(
            spec.name, f"{sys.executable} -m services.{spec.name}", env=env, cwd=str(REPO_ROOT)
        )
    if gateway := next((s for s in services if s.name == "gateway"), None):
        typer.secho(
            f"\nKM Network is starting: open {gateway.url()}\n"
            "  sign in as the first operator: KNET_OPERATOR_EMAIL / KNET_OPERATOR_PASSWORD"
            " (development defaults in README.md)\n",
            fg=typer.colors.GREEN,
        )
    elif services:
        # Until the web gateway exists, the services' own API documentation is the way in.
        urls = ", ".join(f"{spec.url()}/docs" for spec in services)
        typer.secho(
            f"\nKM Network is starting (no web gateway yet); API docs: {urls}\n",
            fg=typer.colors.GREEN,
        )
    if demo.enabled(settings, os.environ):
        _seed_demo_in_background(settings, [s for s in services if s.name != "gateway"])
    try:
        if services:
            manager.loop()
        else:
            typer.echo("no services yet; infrastructure is up (Ctrl-C to stop)")
            asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        stack.down(settings)
        typer.echo("stopped; data kept under .data/")
    raise typer.Exit(manager.returncode or 0)


if __name__ == "__main__":
    app()
