"""The development mail server's folder, read for the operators' page in development: every
message the network sent, kept as an .eml file under the data folder's `mail/` by the mail
sink `knet up` runs (tools/infra/mailsink.py). An edge, like a repository: it reads files."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path
from typing import Any


def received(folder: Path, limit: int = 50) -> list[dict[str, Any]]:
    """The newest messages kept: when, to, subject, and the plain text."""
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        found.append(
            {
                "file": path.name,
                "to": str(message["To"]),
                "subject": str(message["Subject"]),
                "text": body.get_content() if body is not None else "",
            }
        )
    return found
