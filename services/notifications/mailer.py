"""The mail server, over SMTP with aiosmtplib: plain text and HTML in one message. A 5xx
refusal of the recipient is `Refused` (the address is wrong for good); anything else (the
server down, a timeout, a 4xx) is raised as it is, for the caller to try again later."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from services.notifications.stores import Email, Postponed, Refused
from shared.text import one_line


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    async def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        # Headers are one line: a title stored before the edge refused line breaks is sent
        # with its breaks as spaces, never refused by the library (and never a new header).
        message["Subject"] = one_line(email.subject)
        for name, value in email.headers.items():
            message[name] = one_line(value)
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        try:
            await aiosmtplib.send(message, hostname=self.host, port=self.port, timeout=self.timeout)
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [r.code for r in refused.recipients]
            if codes and all(500 <= code < 600 for code in codes):
                reasons = "; ".join(f"{r.code} {r.message}" for r in refused.recipients)
                raise Refused(
                    f"the address was refused by its mail server ({reasons})"
                ) from refused
            raise Postponed("the mail server asked to try again later") from refused
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError, OSError) as away:
            raise Postponed("the mail server could not be reached") from away
        except aiosmtplib.SMTPException as failed:
            raise Postponed("the mail server did not take the message") from failed
