"""An operation of a service, as a typed client names it: its method and path template, the
model of its request body and of its answer (from clients/models, generated from the
service's committed OpenAPI document) and the query parameters it sends. Every operation
made is kept in `OPERATIONS`, so a test holds each one to the document: the path and method
exist, the body and answer are the models the document names, the query parameters are
declared (tests/contract/test_gateway_clients.py)."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_jsonable_python

from services.gateway.clients.http import Services
from shared.caller import Caller

A = TypeVar("A")
B = TypeVar("B", bound=BaseModel)

OPERATIONS: list[Operation[Any]] = []


@dataclass(frozen=True, eq=False)
class Operation(Generic[A]):
    service: str
    method: str
    path: str
    answer_type: type[A]
    body: type[BaseModel] | None = None
    query: frozenset[str] = frozenset()
    answer: TypeAdapter[A] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "answer", TypeAdapter(self.answer_type))
        OPERATIONS.append(self)

    @property
    def path_names(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.path) if name]

    async def __call__(
        self,
        services: Services,
        caller: Caller | None,
        *,
        body: BaseModel | None = None,
        query: dict[str, Any] | None = None,
        **path: str,
    ) -> A:
        """The service's answer, parsed into the answer model; ServiceRefused for a 4xx,
        ServiceUnavailable when it cannot answer (clients/http.py)."""
        if sorted(path) != sorted(self.path_names):
            raise TypeError(f"{self.path} takes {self.path_names}, not {sorted(path)}")
        unknown = set(query or ()) - self.query
        if unknown:
            raise TypeError(f"{self.method} {self.path} sends no {sorted(unknown)}")
        found = await services.call(
            self.service,
            self.method,
            self.path.format(**path),
            caller=caller,
            params={k: v for k, v in (query or {}).items() if v not in (None, "")},
            json=_json(body) if body is not None else None,
        )
        return self.answer.validate_python(found)


def request(model: type[B], **fields: object) -> B:
    """A request body of the service's model, its names checked and its values not: the
    service's own rules decide, and answer field by field in their own words."""
    unknown = set(fields) - set(model.model_fields)
    if unknown:
        raise TypeError(f"{model.__name__} has no {sorted(unknown)}")
    return model.model_construct(None, **fields)


def _json(body: BaseModel) -> Any:
    # What was given, as given (a field left out stays out: a PATCH changes only it).
    return to_jsonable_python({name: getattr(body, name) for name in body.model_fields_set})


def get(service: str, path: str, answer: type[A], *query: str) -> Operation[A]:
    return Operation(service, "GET", path, answer, query=frozenset(query))


def send(
    service: str,
    method: str,
    path: str,
    answer: type[A],
    body: type[BaseModel] | None = None,
    *query: str,
) -> Operation[A]:
    """A change: `answer` type(None) when the service answers 204."""
    return Operation(service, method, path, answer, body, frozenset(query))
