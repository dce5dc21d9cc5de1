"""Forms read into models: a page's form is a pydantic model whose fields say what each one
must be, in the words shown beside it. A posted form is read after its CSRF token is checked
(pages.checked_form) and comes as `Posted`: what was typed (shown again, always), the model
when every field reads, and every problem at once, each beside its field."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, time
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from fastapi import Depends, Request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
)

from services.gateway.domain.numbers import whole_number as read_whole_number
from services.gateway.web.pages import Form, Problems, form_list

F = TypeVar("F", bound="FormModel")


class FormModel(BaseModel):
    """A page's form. Text arrives stripped; fields the page does not know are ignored (the
    CSRF token, a button's name)."""

    # Defaults are read by the fields' rules too: a field the post left out is as if blank.
    model_config = ConfigDict(
        str_strip_whitespace=True, extra="ignore", frozen=True, validate_default=True
    )

    # Fields posted several times (checkboxes): read as lists.
    lists: ClassVar[frozenset[str]] = frozenset()


def given(message: str) -> AfterValidator:
    """Text that must be given (`Annotated[str, given("Enter your name")]`); `message` says so
    beside the field."""

    def check(value: str) -> str:
        if not value:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def _tags(value: Any) -> Any:
    return [t.strip() for t in value.split(",") if t.strip()] if isinstance(value, str) else value


def _lines(value: Any) -> Any:
    return [t.strip() for t in value.splitlines() if t.strip()] if isinstance(value, str) else value


def chosen(message: str) -> AfterValidator:
    """At least one box ticked; `message` beside them otherwise."""

    def check(value: list[str]) -> list[str]:
        if not value:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def one_of(choices: Collection[str], message: str) -> AfterValidator:
    """One of the values a select or radios offer; `message` beside the field otherwise."""

    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def _read_as(kind: Callable[[str], Any], message: str) -> BeforeValidator:
    def read(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return kind(value.strip())
            except ValueError:
                raise ValueError(message) from None
        return value

    return BeforeValidator(read)


def day(message: str) -> BeforeValidator:
    """A date typed as 2027-03-01; `message` beside the field otherwise."""
    return _read_as(date.fromisoformat, message)


def clock_time(message: str) -> BeforeValidator:
    """A time of day typed as 14:00."""
    return _read_as(time.fromisoformat, message)


def whole_number(message: str) -> BeforeValidator:
    """ASCII digits only, at most nine of them (pages.whole_number's rule)."""

    def read(text: str) -> int:
        found = read_whole_number(text)
        if found is None:
            raise ValueError(message)
        return found

    return _read_as(read, message)


# A password as typed: never stripped (spaces may be part of it).
Password = Annotated[str, StringConstraints(strip_whitespace=False)]

# "peer assist, taxonomy" and one per line, as people type lists into a text box.
Tags = Annotated[list[str], BeforeValidator(_tags)]
Lines = Annotated[list[str], BeforeValidator(_lines)]


@dataclass(frozen=True)
class Posted(Generic[F]):
    typed: dict[str, Any]
    form: F | None
    problems: Problems


def read(model: type[F], typed: dict[str, Any]) -> Posted[F]:
    """The form from what was typed: the model, or every problem beside its field."""
    problems = Problems()
    # A field the post left out is read as if blank, so it gets its own words, not pydantic's.
    blank = {name: "" for name, info in model.model_fields.items() if info.is_required()}
    try:
        return Posted(typed, model.model_validate(blank | typed), problems)
    except ValidationError as invalid:
        for error in invalid.errors():
            where = str(error["loc"][0]) if error["loc"] else ""
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.add(where, message)
        return Posted(typed, None, problems)


def posted(model: type[F]) -> Any:
    """A route's dependency: the posted form read into `model` (FastAPI's own form models
    answer a bad form with a 422 of their own; a page shows it again with its problems)."""

    async def read_posted(request: Request, fields: Form) -> Posted[F]:
        typed: dict[str, Any] = dict(fields)
        for name in model.lists:
            typed[name] = form_list(request, name)
        return read(model, typed)

    return Depends(read_posted)
