"""Definitions: the JSON document is checked whole, malformed ones are refused naming the
exact problem, risky patterns are refused, and publishing makes immutable versions."""

import json

import pytest
from django.core.exceptions import ValidationError

from roundtable.audit.models import AuditEvent
from roundtable.formbuilder import services
from roundtable.formbuilder.models import FormVersion, Submission
from roundtable.formbuilder.saferegex import UnsafePattern, check_pattern
from roundtable.formbuilder.schema import DefinitionProblems, clean_definition
from roundtable.formbuilder.standard import STANDARD_FORMS, load_standard_forms
from tests.conftest import force_sign_in
from tests.factories import CaseFactory
from tests.formbuilder.factories import SIMPLE, document, published_definition, submitted

pytestmark = pytest.mark.django_db


def _with_questions(*questions, section_title="About the child"):
    first = {"id": "s1", "title": "First", "questions": [{"id": "q0", "kind": "short_text", "label": "Name"}]}
    return document(sections=[first, {"id": "s2", "title": section_title, "questions": list(questions)}])


def test_a_show_if_on_a_later_question_is_refused_naming_section_question_and_target():
    doc = _with_questions(
        {"id": "q1", "kind": "short_text", "label": "School"},
        {"id": "q2", "kind": "short_text", "label": "Year group"},
        {"id": "q3", "kind": "date", "label": "Date of birth", "show_if": {"question": "q9", "op": "answered"}},
        {"id": "q9", "kind": "yes_no", "label": "Known to social care"},
    )
    with pytest.raises(DefinitionProblems) as refused:
        clean_definition(doc)
    assert refused.value.problems == [
        "Section 2, question 3 ('Date of birth'): show-if refers to question 'q9', which does not come before it."
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ({"id": "q1", "kind": "colour", "label": "Favourite"}, "'kind' must be one of"),
        ({"id": "q1", "kind": "single_choice", "label": "Sector", "options": []}, "needs at least one option"),
        ({"id": "q1", "kind": "number", "label": "Age", "validation": {"min": 10, "max": 5}}, "smallest allowed"),
        ({"id": "q1", "kind": "number", "label": "Age", "validation": {"max_length": 5}}, "do not apply"),
        ({"id": "q1", "kind": "short_text", "label": "Ref", "validation": {"pattern": "(a+)+$"}}, "pattern is refused"),
        ({"id": "Q 1", "kind": "short_text", "label": "Ref"}, "'id' must be a short code"),
        ({"id": "q0", "kind": "short_text", "label": "Again"}, "is used by another question"),
        ({"id": "q1", "kind": "short_text", "label": ""}, "needs a label"),
        ({"id": "q1", "kind": "group", "label": "Kids", "questions": [{"id": "q2", "kind": "file", "label": "F"}]},
         "cannot contain a question of kind 'file'"),
        ({"id": "q1", "kind": "short_text", "label": "Name",
          "show_if": {"question": "q0", "op": "equals", "value": "x"}},
         "needs a yes/no or choice question"),
    ],
)  # fmt: skip
def test_each_malformed_question_is_refused_with_its_place_and_problem(question, expected):
    with pytest.raises(DefinitionProblems) as refused:
        clean_definition(_with_questions(question))
    message = refused.value.problems[0]
    assert message.startswith("Section 2, question 1"), message
    assert expected in message


def test_a_show_if_value_must_be_an_option_of_the_question_it_depends_on():
    doc = _with_questions(
        {"id": "q1", "kind": "yes_no", "label": "Consent given"},
        {
            "id": "q2",
            "kind": "long_text",
            "label": "Why not",
            "show_if": {"question": "q1", "op": "equals", "value": "n"},
        },
    )
    with pytest.raises(DefinitionProblems) as refused:
        clean_definition(doc)
    assert refused.value.problems == [
        "Section 2, question 2 ('Why not'): show-if value 'n' is not an option of 'Consent given'."
    ]


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|ab)*c", "(\\w*\\s?)*$", "(.)\\1", ".*.*.*x", "x" * 201])
def test_patterns_that_could_backtrack_catastrophically_are_refused(pattern):
    with pytest.raises(UnsafePattern):
        check_pattern(pattern)


@pytest.mark.parametrize("pattern", ["[A-Z]{2}[0-9]{6}", "\\d+-\\d+", "(yes|no)", "[0-9 +()]{10,20}"])
def test_ordinary_patterns_are_accepted(pattern):
    check_pattern(pattern)


def test_every_standard_form_is_a_valid_definition():
    for document_ in STANDARD_FORMS.values():
        clean_definition(document_)


def test_the_channel_referral_tells_people_to_call_999_in_an_emergency(area):
    load_standard_forms(area)
    channel = area.form_definitions.get(standard_key="channel_referral").latest_version.schema
    assert "call 999" in channel["sections"][0]["hint"]


def test_loading_the_standard_forms_twice_adds_nothing_the_second_time(area):
    assert len(load_standard_forms(area)) == 4
    assert load_standard_forms(area) == []
    assert area.form_definitions.count() == 4


def test_publishing_makes_a_new_version_and_earlier_versions_never_change(area):
    definition = published_definition(area)
    first = definition.latest_version
    changed = document(name="Welfare check (revised)")
    changed["sections"][0]["questions"][0]["label"] = "Who did you see?"
    definition = services.do_save_draft(None, definition, changed, expected_version=definition.version)
    second = services.do_publish_definition(None, definition)
    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.schema["sections"][0]["questions"][0]["label"] == "Who was seen"
    with pytest.raises(ValueError, match="cannot be changed"):
        first.save()


def test_publishing_an_unchanged_draft_is_refused(area):
    definition = published_definition(area)
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.do_publish_definition(None, definition)
    assert FormVersion.objects.filter(definition=definition).count() == 1


def test_a_definition_with_submissions_cannot_be_deleted_but_can_be_retired(cast, area):
    practitioner = cast["practitioner"]
    definition = published_definition(area)
    case = CaseFactory(owner=practitioner)
    submitted(practitioner, definition, case)
    with pytest.raises(ValidationError, match="Retire it instead"):
        services.do_delete_definition(cast["panel_admin"], definition)
    services.do_retire_definition(cast["panel_admin"], definition)
    definition.refresh_from_db()
    with pytest.raises(ValidationError, match="retired"):
        services.do_start_submission(practitioner, definition, case)
    assert Submission.objects.filter(definition=definition).count() == 1


def test_an_unused_definition_can_be_deleted_with_its_versions(cast, area):
    definition = published_definition(area)
    services.do_delete_definition(cast["panel_admin"], definition)
    assert not FormVersion.objects.filter(definition_id=definition.pk).exists()


def test_import_refuses_a_malformed_file_naming_the_exact_problem(client, cast):
    force_sign_in(client, cast["panel_admin"])
    bad = _with_questions(
        {"id": "q3", "kind": "date", "label": "Date of birth", "show_if": {"question": "q9", "op": "answered"}}
    )
    upload = _upload(json.dumps(bad).encode())
    response = client.post("/forms/import/", {"file": upload})
    assert response.status_code == 200
    assert (
        "Section 2, question 1 (&#x27;Date of birth&#x27;): show-if refers to question &#x27;q9&#x27;"
        in response.content.decode()
    )


def test_import_refuses_a_file_that_is_not_json_saying_where(client, cast):
    force_sign_in(client, cast["panel_admin"])
    response = client.post("/forms/import/", {"file": _upload(b'{"name": "x",\n  oops}')})
    assert "The file is not valid JSON (line 2, column 3)" in response.content.decode()


def test_an_exported_definition_imports_as_an_equal_draft(client, cast, area):
    definition = published_definition(area)
    force_sign_in(client, cast["panel_admin"])
    exported = client.get(f"/forms/{definition.pk}/export/?version=1")
    assert exported["Content-Disposition"].startswith("attachment")
    response = client.post("/forms/import/", {"file": _upload(exported.content)})
    assert response.status_code == 302
    imported = area.form_definitions.exclude(pk=definition.pk).get()
    assert imported.draft == definition.latest_version.schema
    assert AuditEvent.objects.filter(action="formdefinition.imported").count() == 1


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("form.json", content, content_type="application/json")


def test_the_simple_test_document_is_valid():
    clean_definition(SIMPLE)
