"""Loaded by schemathesis (SCHEMATHESIS_HOOKS): the platform's own rule for schema-valid
requests. A request that fits the OpenAPI document may still be refused for a reason no schema
can state (an organisation that does not exist, a cursor this API never issued, a name of only
spaces), with 422 and that reason's code; it is never refused as `invalid_request`, which would
mean the document and the validation disagree."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def valid_requests_refused_only_for_domain_reasons(ctx: Any, response: Any, case: Any) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    if not _path_fits_the_schema(case):
        return  # a stateful link's value put where the schema does not allow it
    code = (response.json().get("error") or {}).get("code")
    if code in (None, "invalid_request", "malformed_request"):
        raise AssertionError(
            f"A request the schema allows was refused as {code}: {response.text[:500]}"
        )


def _path_fits_the_schema(case: Any) -> bool:
    """Stateful runs fill path parameters from earlier responses (a region's name where its
    code belongs, say) without checking them against the schema: such a request is not one
    the schema allows, and refusing it as invalid_request is right."""
    values = case.path_parameters or {}
    return all(
        parameter.is_valid(values[parameter.name])
        for parameter in case.operation.path_parameters
        if parameter.name in values
    )
