"""Apache Kafka 4 in KRaft mode, one node, from the official jars on Maven Central."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared import topics
from shared.broker import SCRAM, client_options
from shared.settings import REPO_ROOT, PlatformSettings
from tools.infra.kafka_access import Access, acl_arguments
from tools.infra.maven import Report, copy_dependencies
from tools.infra.processes import (
    InfraError,
    port_open,
    read_pid,
    require_tool,
    start_background,
    stop_background,
    wait_until,
)

POM = REPO_ROOT / "deploy" / "local" / "kafka-pom.xml"
LOG4J = REPO_ROOT / "deploy" / "local" / "kafka-log4j2.xml"
MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
# What a first fetch downloads with an empty ~/.m2 (Maven's own plugins included), measured.
EXPECTED_MB = 55


def libs_dir(settings: PlatformSettings) -> Path:
    return settings.cache_dir / "kafka" / "libs"


def data_dir(settings: PlatformSettings) -> Path:
    return settings.data_dir / "kafka"


def pid_file(settings: PlatformSettings) -> Path:
    return data_dir(settings) / "kafka.pid"


def log_file(settings: PlatformSettings) -> Path:
    return data_dir(settings) / "server.log"


def fetch(settings: PlatformSettings, report: Report | None = None) -> None:
    """Resolves the broker's jars with Maven once; later starts reuse the cache."""
    libs = libs_dir(settings)
    # The broker, and the admin tools (added later: an older cache fetches them once more).
    needed = ("kafka_2.13-*.jar", "kafka-tools-[0-9]*.jar")
    if libs.is_dir() and all(any(libs.glob(jar)) for jar in needed):
        return
    copy_dependencies(POM, libs, what="Apache Kafka 4.1.1", expected_mb=EXPECTED_MB, report=report)


def _java_command(settings: PlatformSettings, main: str, *args: str) -> list[str]:
    java = require_tool("java", "install a JDK 17 or newer (Debian: openjdk-17-jdk-headless)")
    return [
        java,
        "-Xms256m",
        "-Xmx768m",
        "-XX:+UseG1GC",
        f"-Dlog4j2.configurationFile={LOG4J}",
        "-cp",
        f"{libs_dir(settings)}/*",
        main,
        *args,
    ]


def _listeners(settings: PlatformSettings) -> list[str]:
    """Open on a laptop. With a Kafka user in the settings, locked down as production is:
    clients sign in with SASL/SCRAM, that user administers the broker, and everyone else may
    do only what an ACL grants (tools/infra/kafka_access.py)."""
    port, controller = settings.kafka_port, settings.kafka_controller_port
    if not settings.kafka_username:
        return [
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
        ]
    login = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
        f' username="{settings.kafka_username}" password="{settings.kafka_password}";'
    )
    return [
        f"listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
        f"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}",
        "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=SASL_PLAINTEXT",
        f"sasl.enabled.mechanisms={SCRAM}",
        f"sasl.mechanism.inter.broker.protocol={SCRAM}",
        f"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={login}",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        # The controller listener is the broker's own, inside one process on loopback.
        f"super.users=User:{settings.kafka_username};User:ANONYMOUS",
        "allow.everyone.if.no.acl.found=false",
    ]


def _write_config(settings: PlatformSettings) -> Path:
    controller = settings.kafka_controller_port
    config = data_dir(settings) / "server.properties"
    config.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers=127.0.0.1:{controller}",
                *_listeners(settings),
                "controller.listener.names=CONTROLLER",
                f"log.dirs={data_dir(settings) / 'logs'}",
                f"num.partitions={settings.topic_partitions}",
                # Topics are created on purpose (`knet topics create`), so a typo fails loudly.
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=12",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "",
            ]
        )
    )
    return config


def _scram_user(settings: PlatformSettings) -> str:
    return f"{SCRAM}=[name={settings.kafka_username},password={settings.kafka_password}]"


def _format_once(settings: PlatformSettings, config: Path) -> None:
    if (data_dir(settings) / "logs" / "meta.properties").exists():
        return
    cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    result = subprocess.run(
        # `--cluster-id=` form: a base64url id may start with "-", which argparse would take
        # for an option.
        _java_command(
            settings,
            STORAGE_TOOL,
            "format",
            f"--cluster-id={cluster}",
            "-c",
            str(config),
            "--standalone",
            # The administrator's credentials exist before the broker takes its first client.
            *(
                [
                    "--add-scram",
                    f"{SCRAM}=[name={settings.kafka_username},password={settings.kafka_password}]",
                ]
                if settings.kafka_username
                else []
            ),
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise InfraError(f"Kafka storage format failed:\n{result.stdout}{result.stderr}")


def start(settings: PlatformSettings, report: Report | None = None) -> str:
    """Starts the broker unless ours is already running; returns what it did."""
    directory = data_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    if read_pid(pid_file(settings)) is not None:
        if port_open(settings.kafka_port):
            return "already running"
        raise InfraError(
            f"Kafka's pid file names a live process but port {settings.kafka_port} is closed; "
            f"read {log_file(settings)} or run `knet infra down`"
        )
    for port, setting in (
        (settings.kafka_port, "KNET_KAFKA_BOOTSTRAP"),
        (settings.kafka_controller_port, "KNET_KAFKA_CONTROLLER_PORT"),
    ):
        if port_open(port):
            raise InfraError(
                f"port {port} is already in use by another process; set {setting} to a free port"
            )
    fetch(settings, report)
    config = _write_config(settings)
    _format_once(settings, config)
    pid = start_background(
        "kafka",
        _java_command(settings, MAIN_CLASS, str(config)),
        pid_file=pid_file(settings),
        log_file=log_file(settings),
    )
    wait_until(
        lambda: is_up(settings), timeout=90, what="Kafka", log_file=log_file(settings), pid=pid
    )
    return "started"


def stop(settings: PlatformSettings) -> bool:
    return stop_background(pid_file(settings), timeout=40)


def is_up(settings: PlatformSettings) -> bool:
    if not port_open(settings.kafka_port):
        return False
    try:
        return asyncio.run(_describe(settings))
    except Exception:
        return False


async def _describe(settings: PlatformSettings) -> bool:
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=3000)
    await admin.start()
    try:
        await admin.describe_cluster()
    finally:
        await admin.close()
    return True


async def create_topics(
    settings: PlatformSettings, names: tuple[str, ...] = topics.ALL
) -> list[str]:
    """Creates the platform's topics; existing ones are left alone. Returns those created."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    created = []
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        for name in missing:
            try:
                await admin.create_topics(
                    [NewTopic(name, settings.topic_partitions, settings.topic_replication)]
                )
                created.append(name)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
    return created


ACL_TOOL = "org.apache.kafka.tools.AclCommand"
CONFIG_TOOL = "kafka.admin.ConfigCommand"


def grant(settings: PlatformSettings, access: Access, password: str) -> None:
    """Makes `access.user` a SCRAM user with `password` and grants it what `access` says, as
    the settings' administrator (the locked-down broker's super user)."""
    admin = data_dir(settings) / "admin.properties"
    admin.write_text(
        "\n".join(
            [
                "security.protocol=SASL_PLAINTEXT",
                f"sasl.mechanism={SCRAM}",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                f' required username="{settings.kafka_username}"'
                f' password="{settings.kafka_password}";',
                "",
            ]
        )
    )
    connect = ["--bootstrap-server", settings.kafka_bootstrap, "--command-config", str(admin)]
    calls = [
        [
            CONFIG_TOOL,
            *connect,
            "--alter",
            "--entity-type",
            "users",
            "--entity-name",
            access.user,
            "--add-config",
            f"{SCRAM}=[iterations=8192,password={password}]",
        ],
        *([ACL_TOOL, *connect, "--add", "--force", *args] for args in acl_arguments(access)),
    ]
    for main, *args in calls:
        result = subprocess.run(
            _java_command(settings, main, *args), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise InfraError(f"granting {access.user} failed:\n{result.stdout}{result.stderr}")
