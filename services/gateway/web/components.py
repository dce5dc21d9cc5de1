"""NHS.UK frontend's macros, remembered: each component's HTML is a pure function of its
parameters (the macros are imported without the page's context), and rendering them is most
of a page's cost (a directory page spent 6 of its 9 ms in its filter form's macros). So each
is rendered once per distinct set of parameters and kept in a bounded cache; templates call
these globals exactly as they would the macros (`{{ input({...}) }}`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import Environment, Undefined
from markupsafe import Markup

# Component folder -> macro name, as nhsuk-frontend-jinja names them.
COMPONENTS = {
    "action-link": "actionLink",
    "back-link": "backLink",
    "button": "button",
    "checkboxes": "checkboxes",
    "details": "details",
    "error-summary": "errorSummary",
    "footer": "footer",
    "header": "header",
    "input": "input",
    "inset-text": "insetText",
    "notification-banner": "notificationBanner",
    "panel": "panel",
    "password-input": "passwordInput",
    "radios": "radios",
    "select": "select",
    "summary-list": "summaryList",
    "tag": "tag",
    "textarea": "textarea",
    "warning-callout": "warningCallout",
}
CACHE_SIZE = 4096


def _key(value: Any) -> Any:
    """A JSON-able form that tells apart what renders differently: markup from text (one is
    escaped, the other not) and a missing parameter from an empty one."""
    if isinstance(value, Markup):
        return {"__markup__": str(value)}
    if isinstance(value, Undefined):
        return {"__undefined__": True}
    if isinstance(value, dict):
        return {str(k): _key(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_key(v) for v in value]
    return value


def install(environment: Environment) -> None:
    remembered = {name: _remembered(environment, f, name) for f, name in COMPONENTS.items()}
    environment.globals.update(remembered)
    # Also as `nhsuk.header(...)`: NHS.UK's base template imports its own header and footer,
    # and those names win inside the blocks a page fills.
    environment.globals["nhsuk"] = remembered


def _remembered(environment: Environment, folder: str, name: str) -> Callable[..., Markup]:
    @lru_cache(maxsize=CACHE_SIZE)
    def render(key: str) -> Markup:
        macro = getattr(
            environment.get_template(f"nhsuk/components/{folder}/macro.jinja").module, name
        )
        return Markup(macro(_params[key]))

    # The parameters of the call being rendered, by key (the cache keeps only the HTML).
    _params: dict[str, Any] = {}

    def component(params: dict[str, Any] | None = None) -> Markup:
        params = params or {}
        key = json.dumps(_key(params), sort_keys=True, default=repr)
        _params[key] = params
        try:
            return render(key)
        finally:
            _params.pop(key, None)

    component.__name__ = name
    component.cache_info = render.cache_info  # type: ignore[attr-defined]
    return component
