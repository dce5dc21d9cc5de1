"""Organisations members belong to (a trust, a CSU, a library service...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.membership.domain.member import check_region
from shared.errors import Invalid

# ODS codes are 3 to 6 upper-case letters and digits (e.g. RR8, 5QT, RYJ01).
_ODS = re.compile(r"^[A-Z0-9]{3,6}$")


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    region: str
    ods_code: str | None = None

    @classmethod
    def register(
        cls, *, organisation_id: str, name: str, region: str, ods_code: str | None
    ) -> Organisation:
        name = " ".join(name.split())
        if not name or len(name) > 200:
            raise Invalid("invalid_name", "An organisation needs a name (at most 200 characters)")
        code = ods_code.strip().upper() if ods_code else None
        if code is not None and not _ODS.match(code):
            raise Invalid("invalid_ods_code", f"'{ods_code}' is not an ODS code")
        return cls(id=organisation_id, name=name, region=check_region(region), ods_code=code)
