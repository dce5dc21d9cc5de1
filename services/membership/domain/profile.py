"""A member's profile and the rules its fields follow."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from shared.errors import Invalid

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_NAME = 120
MAX_JOB_TITLE = 120
MAX_BIO = 2000
MAX_LINKS = 5


@dataclass(frozen=True)
class Profile:
    name: str
    organisation_id: str | None = None
    job_title: str = ""
    interests: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    bio: str = ""
    links: tuple[str, ...] = ()

    @classmethod
    def create(cls, **fields: Any) -> Profile:
        return cls(name="?").with_changes(**{"name": fields.pop("name"), **fields})

    def with_changes(self, **changes: Any) -> Profile:
        clean: dict[str, Any] = {}
        for field, value in changes.items():
            if field == "name":
                clean[field] = _text(value, MAX_NAME, "name", required=True)
            elif field == "job_title":
                clean[field] = _text(value, MAX_JOB_TITLE, "job_title")
            elif field == "bio":
                clean[field] = _text(value, MAX_BIO, "bio")
            elif field in ("interests", "skills"):
                clean[field] = normalise_tags(value, field)
            elif field == "links":
                clean[field] = _links(value)
            elif field == "organisation_id":
                clean[field] = value or None
            else:
                raise Invalid("unknown_field", f"'{field}' is not a profile field")
        return replace(self, **clean)

    def changed_fields(self, other: Profile) -> list[str]:
        return [f for f in self.__dataclass_fields__ if getattr(self, f) != getattr(other, f)]


def normalise_tags(tags: Any, field: str) -> tuple[str, ...]:
    if not isinstance(tags, list | tuple):
        raise Invalid(f"invalid_{field}", f"{field} must be a list of tags")
    seen: dict[str, None] = {}
    for tag in tags:
        clean = " ".join(str(tag).lower().split())
        if not clean:
            continue
        if len(clean) > MAX_TAG_LENGTH:
            raise Invalid(f"invalid_{field}", f"a tag is longer than {MAX_TAG_LENGTH} characters")
        seen[clean] = None
    if len(seen) > MAX_TAGS:
        raise Invalid(f"invalid_{field}", f"at most {MAX_TAGS} {field}")
    return tuple(seen)


def _text(value: Any, limit: int, field: str, *, required: bool = False) -> str:
    clean = " ".join(str(value or "").split()) if field != "bio" else str(value or "").strip()
    if required and not clean:
        raise Invalid(f"invalid_{field}", f"{field} is required")
    if len(clean) > limit:
        raise Invalid(f"invalid_{field}", f"{field} is longer than {limit} characters")
    return clean


def _links(value: Any) -> tuple[str, ...]:
    links = tuple(str(v).strip() for v in (value or ()) if str(v).strip())
    if len(links) > MAX_LINKS:
        raise Invalid("invalid_links", f"at most {MAX_LINKS} links")
    for link in links:
        if not link.startswith(("https://", "http://")) or len(link) > 500 or " " in link:
            raise Invalid("invalid_links", f"'{link[:80]}' is not an http(s) link")
    return links
