"""NHS.UK components are remembered by their parameters: the same parameters give the same
HTML from the cache, and what renders differently (text or markup, a missing parameter or an
empty one, another value) is never served from another's entry."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from services.gateway.web.pages import environment


def render(source: str, **context: object) -> str:
    return environment.from_string(source).render(**context)


def test_the_same_parameters_are_rendered_once_as_the_macro_renders_them() -> None:
    page = '{{ tag({"text": label}) }}'
    tag: Any = environment.globals["tag"]
    macros: Any = environment.get_template("nhsuk/components/tag/macro.jinja").module
    macro = macros.tag
    before = tag.cache_info()
    first = render(page, label="Active on the remembering test")
    again = render(page, label="Active on the remembering test")
    after = tag.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1), "one render"
    assert first == again == str(macro({"text": "Active on the remembering test"}))
    other = render(page, label="Paused")
    assert "Paused" in other
    assert "Active" not in other


def test_text_is_escaped_and_markup_is_not_even_when_they_read_alike() -> None:
    page = '{{ tag({"text": body}) }}'
    as_text = render(page, body="<b>bold</b>")
    as_markup = render(page, body=Markup("<b>bold</b>"))
    assert "&lt;b&gt;" in as_text
    assert "<b>bold</b>" in as_markup


def test_a_missing_error_message_differs_from_a_given_one() -> None:
    page = (
        '{{ input({"label": {"text": "Name"}, "id": "name", "name": "name",'
        ' "errorMessage": error if error else undefined}) }}'
    )
    assert "nhsuk-error-message" not in render(page, error=None)
    assert "Enter your name" in render(page, error={"text": "Enter your name"})
    assert "nhsuk-error-message" not in render(page, error=None)
