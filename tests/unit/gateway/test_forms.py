"""Forms read into models: every problem at once beside its field, in the form's words; lists
typed as people type them; what was typed kept to show again."""

from __future__ import annotations

from services.gateway.web.facilitator_pages import Declining, DecliningMove
from services.gateway.web.forms import read
from services.gateway.web.people_pages import ProfileForm


def test_a_profile_reads_lists_as_typed_and_strips_text() -> None:
    sent = read(
        ProfileForm,
        {
            "name": "  Ada Lovelace ",
            "interests": "peer assist,  taxonomy ,,",
            "skills": "",
            "links": "https://a.example\n\n  https://b.example  ",
            "csrf_token": "ignored",
        },
    )
    assert sent.form is not None
    assert not sent.problems
    assert sent.form.name == "Ada Lovelace"
    assert sent.form.interests == ["peer assist", "taxonomy"]
    assert sent.form.skills == []
    assert sent.form.links == ["https://a.example", "https://b.example"]


def test_a_form_that_does_not_read_says_why_beside_each_field_and_keeps_what_was_typed() -> None:
    typed = {"name": "   ", "job_title": "Librarian"}
    sent = read(ProfileForm, typed)
    assert sent.form is None
    assert sent.problems.by_field == {"name": "Enter your name"}
    assert sent.typed == typed


def test_each_decline_says_who_is_told() -> None:
    assert read(Declining, {"reason": ""}).problems.by_field == {
        "reason": "Say why: the applicant is told"
    }
    assert read(DecliningMove, {"reason": " "}).problems.by_field == {
        "reason": "Say why: the member is told"
    }


def test_a_field_left_out_of_the_post_reads_as_blank_in_the_forms_words() -> None:
    assert read(ProfileForm, {}).problems.by_field == {"name": "Enter your name"}
