"""What the membership repositories share."""

from __future__ import annotations

from datetime import UTC, datetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SOURCE = "/services/membership"
DIRECTORY_SORT = ["name_lower", "_id"]
NO_OUTBOX = {"outbox": 0}
# Lists never carry what only signing in needs.
SECRETS_LEFT_OUT = {"outbox": 0, "password_hash": 0, "reset": 0}
