"""NHS.UK components are remembered by their parameters: the same parameters give the same
HTML from the cache, and what renders differently (text or markup, a missing parameter or an
empty one, another value) is never served from another's entry."""

from __future__ import annotations

from markupsafe import Markup

from services.gateway.web.pages import environment


def render(source: str, **context: object) -> str:
    return environment.from_string(source).render(**context)


def test_the_same_parameters_give_the_same_html_and_others_their_own() -> None:
    page = '{{ tag({"text": label}) }}'
    assert render(page, label="Active") == render(page, label="Active")
    assert "Paused" in render(page, label="Paused")
    assert "Active" not in render(page, label="Paused")


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
