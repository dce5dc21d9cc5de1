"""The development mail server: `knet up` runs it so that a newcomer sees the emails the
network sends. An aiosmtpd SMTP server on 127.0.0.1 that keeps every message it receives as
an .eml file under .data/mail/ (the gateway's operator pages list them). Never in production:
there the notifications service sends through the organisation's relay (KNET_SMTP_HOST)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from shared.settings import REPO_ROOT

MAIL_DIR = REPO_ROOT / ".data" / "mail"  # read by services/gateway/mailbox.py
DEFAULT_PORT = 8025


class KeepMail:
    """An aiosmtpd handler that writes each message to `folder`; addresses in `refuse` are
    refused with a 550, as a real server refuses an unknown mailbox."""

    def __init__(self, folder: Path, refuse: set[str] | None = None) -> None:
        self.folder = folder
        self.refuse = refuse if refuse is not None else set()
        folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        (self.folder / f"{stamp}-{self.count:06d}.eml").write_bytes(envelope.content)
        return "250 Message accepted for delivery"


def serve(port: int, folder: Path) -> None:
    controller = Controller(KeepMail(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"mail sink: listening on 127.0.0.1:{port}, keeping mail in {folder}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(asyncio.Event().wait())
    controller.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, default=MAIL_DIR)
    arguments = parser.parse_args()
    serve(arguments.port, arguments.dir)
