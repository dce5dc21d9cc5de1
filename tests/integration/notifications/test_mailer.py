"""The mailer never drops a message because of one field: a subject or header stored with a
line break (before the edge refused them) is sent on one line, and no header is injected."""

from __future__ import annotations

from pathlib import Path

from aiosmtpd.controller import Controller

from services.gateway.mailbox import received
from services.notifications.mailer import SmtpMailer
from services.notifications.stores import Email
from tools.infra.mailsink import KeepMail
from tools.infra.processes import free_port


async def test_a_line_break_in_a_subject_is_sent_on_one_line_and_injects_nothing(
    tmp_path: Path,
) -> None:
    sink = Controller(KeepMail(tmp_path), hostname="127.0.0.1", port=free_port())
    sink.start()
    try:
        mailer = SmtpMailer("127.0.0.1", sink.port, "no-reply@knet.example.nhs.uk")
        await mailer.send(
            Email(
                to="ada@nhs.net",
                subject="Cancelled: Peer assist\r\nBcc: victim@example.com",
                text="The event is cancelled.",
                html="<p>The event is cancelled.</p>",
                headers={"List-Unsubscribe": "<https://knet.example/u>\r\nX-Evil: 1"},
            )
        )
    finally:
        sink.stop()
    (message,) = received(tmp_path)
    assert message["subject"] == "Cancelled: Peer assist Bcc: victim@example.com"
    raw = kept(tmp_path)
    assert b"\nBcc:" not in raw
    assert b"\nX-Evil:" not in raw


def kept(folder: Path) -> bytes:
    return next(folder.glob("*.eml")).read_bytes()
