"""What the recommendations repositories share."""

from __future__ import annotations

SOURCE = "/services/recommendations"
RANKINGS_ID = "rankings"
NO_OUTBOX = {"outbox": 0}
