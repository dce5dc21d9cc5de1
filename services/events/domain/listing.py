"""What the calendar can be asked: published events from a start time, narrowed by region,
scope, tag and a window; checked here, turned into a filter by each repository."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.events.domain.details import Scope
from services.events.domain.network_event import NetworkEvent, Status
from shared.errors import Invalid
from shared.reference import region_codes


@dataclass(frozen=True)
class Listing:
    starts_from: datetime
    starts_before: datetime | None = None
    region: str | None = None
    scope: Scope | None = None
    tag: str | None = None

    @classmethod
    def of(
        cls,
        *,
        now: datetime,
        region: str | None = None,
        scope: str | None = None,
        tag: str | None = None,
        starts_after: datetime | None = None,
        starts_before: datetime | None = None,
    ) -> Listing:
        """Upcoming events only: a start before now is read as now."""
        if region is not None and region not in region_codes():
            raise Invalid("unknown_region", f"'{region}' is not a region")
        return cls(
            starts_from=max(starts_after or now, now),
            starts_before=starts_before,
            region=region,
            scope=Scope(scope) if scope else None,
            tag=tag,
        )

    def matches(self, event: NetworkEvent) -> bool:
        d = event.details
        return (
            event.status is Status.PUBLISHED
            and d.starts_at >= self.starts_from
            and (self.starts_before is None or d.starts_at < self.starts_before)
            and (self.region is None or d.region == self.region)
            and (self.scope is None or d.scope is self.scope)
            and (self.tag is None or self.tag in d.tags)
        )
