"""Forms read into models: a page's form is a pydantic model whose fields say what each one
must be, in the words shown beside it. A posted form is read after its CSRF token is checked
(pages.checked_form) and comes as `Posted`: what was typed (shown again, always), the model
when every field reads, and every problem at once, each beside its field."""

from __future__ import annotations

from dataclasses import dataclass
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

from services.gateway.web.pages import Form, Problems, form_list

F = TypeVar("F", bound="FormModel")


class FormModel(BaseModel):
    """A page's form. Text arrives stripped; fields the page does not know are ignored (the
    CSRF token, a button's name)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)

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
    try:
        return Posted(typed, model.model_validate(typed), problems)
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
