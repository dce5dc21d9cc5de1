"""Who is acting, and the one remit rule every service applies: an operator acts everywhere,
a facilitator in their own region. Plain data, no framework: the domain imports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

ROLES = ("member", "core", "facilitator", "sponsor", "operator")


class HasRemit(Protocol):
    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def region(self) -> str | None: ...


def governs(who: HasRemit, region: str | None) -> bool:
    """Whether `who` may act for `region` as its authority: an operator anywhere, a
    facilitator in their own region (None, a national matter, is for operators)."""
    if "operator" in who.roles:
        return True
    return "facilitator" in who.roles and region is not None and who.region == region


@dataclass(frozen=True)
class Caller:
    """The caller as the gateway vouched for it in the internal token."""

    member_id: str
    region: str | None = None
    roles: frozenset[str] = frozenset()

    def has(self, role: str) -> bool:
        return role in self.roles

    def governs(self, region: str | None) -> bool:
        return governs(self, region)
