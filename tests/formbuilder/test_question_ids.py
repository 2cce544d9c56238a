"""Setting a question's id in the builder: the format, one namespace per form, well-known ids
that must suit what reads them (by the Channel referral's and information return's own
checks), and published versions never touched."""

import copy

import pytest

from roundtable.audit.models import AuditEvent
from roundtable.formbuilder import choices, services
from roundtable.formbuilder.models import FormDefinition, FormVersion, Submission
from tests.conftest import force_sign_in
from tests.factories import CaseFactory
from tests.formbuilder.factories import GOOD_ANSWERS, published_definition, submitted
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, cast):
    return force_sign_in(client, cast["panel_admin"])


def _version(definition) -> dict:
    definition.refresh_from_db()
    return {"draft_version": definition.version}


def _create(client, purpose="referral", name="Built from scratch") -> FormDefinition:
    assert client.post("/forms/new/", {"name": name, "purpose": purpose}).status_code == 302
    return FormDefinition.objects.get(name=name)


def _add(client, definition, kind, **fields) -> str:
    """Add a question of this kind and save it with these settings; returns its id."""
    response = client.post(
        f"/forms/{definition.pk}/questions/add/", {**_version(definition), "section": "s1", "kind": kind}
    )
    question_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    data = {"label": fields.pop("label", "A question"), **fields}
    if kind in ("single_choice", "multiple_choice"):
        data.setdefault("options", "Option 1\nOption 2")
    response = client.post(f"/forms/{definition.pk}/questions/{question_id}/", {**_version(definition), **data})
    assert response.status_code == 302, _errors(response, None)
    return data.get("question_id") or question_id


def _errors(response, field="question_id") -> str:
    """The messages against the id field (or, with field=None, all of them)."""
    if not response.context:
        return ""
    errors = response.context["form"].errors
    return " ".join(str(e) for name, found in errors.items() if field in (None, name) for e in found)


def _ids(doc: dict) -> list[str]:
    return [a["id"] for s in doc["sections"] for q in s["questions"] for a in [q, *q.get("questions", [])]]


def test_the_question_page_shows_the_current_id_and_the_well_known_ids_of_the_forms_purpose(admin_client):
    definition = _create(admin_client)
    question_id = _add(admin_client, definition, "short_text")
    page = admin_client.get(f"/forms/{definition.pk}/questions/{question_id}/").content.decode()
    assert 'name="question_id"' in page and f'value="{question_id}"' in page
    assert "Question id (advanced)" in page
    # Read from the Channel referral's own list, not a copy of it.
    for ident in ("given_name", "urgency", "referrer_sector", "referrer_phone"):
        assert f"<code>{ident}</code>" in page


def test_an_information_return_form_lists_its_own_well_known_ids(admin_client):
    definition = _create(admin_client, purpose="information_return", name="Our return")
    question_id = _add(admin_client, definition, "long_text")
    page = admin_client.get(f"/forms/{definition.pk}/questions/{question_id}/").content.decode()
    assert "<code>outcome</code>" in page and "<code>answer</code>" in page
    assert "<code>given_name</code>" not in page


def test_setting_an_id_renames_the_question_and_the_show_if_conditions_that_look_at_it(admin_client):
    definition = _create(admin_client, purpose="home_visit", name="Visit")
    first = _add(admin_client, definition, "yes_no", label="Anyone else present")
    second = _add(admin_client, definition, "short_text", label="Who", show_if_question=first, show_if_op="answered")
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{first}/",
        {**_version(definition), "label": "Anyone else present", "question_id": "others_present"},
    )
    assert response.status_code == 302, _errors(response)
    definition.refresh_from_db()
    questions = definition.draft["sections"][0]["questions"]
    assert [q["id"] for q in questions] == ["others_present", second]
    assert questions[1]["show_if"]["question"] == "others_present"
    event = AuditEvent.objects.filter(action="formdefinition.draft_saved").order_by("-pk").first()
    assert event.details["question_id_changed"] == [first, "others_present"]


def test_the_preview_follows_an_unsaved_new_id(admin_client):
    definition = _create(admin_client, purpose="home_visit", name="Visit")
    question_id = _add(admin_client, definition, "short_text", label="Who was seen")
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{question_id}/preview/",
        {**_version(definition), "label": "Who was seen today", "question_id": "seen"},
    )
    assert response.status_code == 200
    assert "Who was seen today" in response.content.decode()
    definition.refresh_from_db()
    assert _ids(definition.draft) == [question_id]  # a preview saves nothing


def test_an_empty_id_keeps_the_current_one(admin_client):
    definition = _create(admin_client, purpose="home_visit", name="Visit")
    question_id = _add(admin_client, definition, "short_text", question_id="")
    definition.refresh_from_db()
    assert _ids(definition.draft) == [question_id]


@pytest.mark.parametrize(
    "typed, message",
    [
        ("Urgency", "lower-case letters only: write 'urgency'"),
        ("Visit Date", "lower-case letters only: write 'visit_date', not 'Visit Date'"),
        ("home-phone", "only lower-case letters, digits and _ (underscore), not '-': for example 'home_phone'"),
        ("home phone", "not a space: for example 'home_phone'"),
        ("naïve", "not 'ï': for example 'naive'"),
        ("1st_contact", "must start with a letter ('1st_contact' starts with '1')"),
        ("_private", "must start with a letter"),
        ("a" * 41, "at most 40 characters (this one has 41)"),
    ],
)
def test_a_badly_formed_id_is_refused_naming_the_problem_and_what_was_typed_is_kept(admin_client, typed, message):
    definition = _create(admin_client, purpose="home_visit", name="Visit")
    question_id = _add(admin_client, definition, "short_text")
    before = copy.deepcopy(FormDefinition.objects.get(pk=definition.pk).draft)
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{question_id}/",
        {**_version(definition), "label": "Changed label", "question_id": typed},
    )
    assert response.status_code == 200
    assert message in _errors(response)
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Changed label" in page
    assert response.context["form"]["question_id"].value() == typed
    assert FormDefinition.objects.get(pk=definition.pk).draft == before


def test_an_id_another_question_has_is_refused_naming_that_question(admin_client):
    definition = _create(admin_client, purpose="home_visit", name="Visit")
    _add(admin_client, definition, "short_text", label="Who was seen", question_id="seen")
    other = _add(admin_client, definition, "short_text", label="Where")
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{other}/", {**_version(definition), "label": "Where", "question_id": "seen"}
    )
    assert response.status_code == 200
    assert "already has the id 'seen' ('Who was seen')" in _errors(response)


def test_ids_inside_repeating_groups_share_the_forms_namespace(admin_client):
    definition = _create(admin_client, purpose="home_visit", name="Visit")
    group = _add(admin_client, definition, "group", label="People present", item_label="Person")
    definition.refresh_from_db()
    inner = definition.draft["sections"][0]["questions"][0]["questions"][0]["id"]
    # The group's own question may take an id, and a top-level question cannot reuse it.
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{inner}/", {**_version(definition), "label": "Name", "question_id": "name"}
    )
    assert response.status_code == 302, _errors(response)
    top = _add(admin_client, definition, "short_text", label="Visitor")
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{top}/", {**_version(definition), "label": "Visitor", "question_id": "name"}
    )
    assert "already has the id 'name' ('Name')" in _errors(response)
    # Nor can a question inside the group take the group's id.
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/name/", {**_version(definition), "label": "Name", "question_id": group}
    )
    assert "already has the id" in _errors(response)


def test_a_well_known_id_on_a_question_of_the_wrong_kind_is_refused_with_the_channel_checks_words(admin_client):
    definition = _create(admin_client)
    question_id = _add(admin_client, definition, "short_text", label="How urgent")
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{question_id}/",
        {**_version(definition), "label": "How urgent", "question_id": "urgency"},
    )
    assert response.status_code == 200
    errors = _errors(response)
    assert "'urgency' is a well-known id" in errors
    # The sentence the panel's choice would give (roundtable/channel/referral_form.py).
    assert "The question 'urgency' (how urgent it is) must be choose one option, not short_text." in errors


def test_a_well_known_choice_with_options_the_channel_process_does_not_know_is_refused(admin_client):
    definition = _create(admin_client)
    question_id = _add(admin_client, definition, "single_choice", label="How urgent")
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{question_id}/",
        {**_version(definition), "label": "How urgent", "question_id": "urgency", "options": "Very\nA bit"},
    )
    assert "has options the Channel process does not know: a_bit, very" in _errors(response)
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{question_id}/",
        {
            **_version(definition),
            "label": "How urgent",
            "question_id": "urgency",
            "options": "routine | Can wait\nurgent | Today",
        },
    )
    assert response.status_code == 302, _errors(response)


def test_a_well_known_id_cannot_go_inside_a_repeating_group(admin_client):
    definition = _create(admin_client)
    _add(admin_client, definition, "group", label="Referrers")
    definition.refresh_from_db()
    inner = definition.draft["sections"][0]["questions"][0]["questions"][0]["id"]
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{inner}/",
        {**_version(definition), "label": "Name", "question_id": "referrer_name"},
    )
    assert "'referrer_name' (the referrer's name) cannot be inside a repeating group" in _errors(response)


def test_an_information_return_outcome_must_be_required_with_exactly_the_outcomes(admin_client):
    definition = _create(admin_client, purpose="information_return", name="Our return")
    question_id = _add(admin_client, definition, "single_choice", label="Do you know them")
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{question_id}/",
        {**_version(definition), "label": "Do you know them", "question_id": "outcome", "options": "Yes\nNo"},
    )
    errors = _errors(response)
    assert "must offer exactly the options" in errors and "must be required" in errors
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/{question_id}/",
        {
            **_version(definition),
            "label": "Do you know them",
            "question_id": "outcome",
            "required": "on",
            "options": "not_known | No\nnothing_relevant | Yes, nothing\ninformation_provided | Yes, see below",
        },
    )
    assert response.status_code == 302, _errors(response)


def test_a_well_known_id_means_nothing_on_a_form_whose_purpose_nobody_reads_by_id(admin_client):
    definition = _create(admin_client, purpose="home_visit", name="Visit")
    _add(admin_client, definition, "short_text", question_id="urgency")


def test_an_imported_question_that_already_fails_a_check_can_still_be_relabelled(admin_client, area):
    doc = {
        "schema": "roundtable.form/1",
        "name": "Old referral",
        "purpose": "referral",
        "sections": [{"id": "s1", "title": "S", "questions": [{"id": "urgency", "kind": "short_text", "label": "U"}]}],
    }
    definition = published_definition(area, doc)
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/urgency/", {**_version(definition), "label": "How urgent is it"}
    )
    assert response.status_code == 302, _errors(response)


def _channel_referral_from_scratch(client) -> FormDefinition:
    definition = _create(client)
    add = lambda kind, qid, **f: _add(client, definition, kind, label=qid.replace("_", " "), question_id=qid, **f)  # noqa: E731
    add("short_text", "given_name", required="on")
    add("short_text", "family_name", required="on")
    add("date", "date_of_birth", required="on", when="past")
    add("long_text", "concern", required="on")
    add("single_choice", "urgency", required="on", options="routine | Routine\nurgent | Urgent")
    add("yes_no", "person_aware", required="on")
    add("yes_no", "family_aware", required="on")
    add("single_choice", "consent", required="on", options="given | Yes\nrefused | No\nnot_asked | Not asked")
    add("short_text", "referrer_name", required="on")
    add("single_choice", "referrer_sector", required="on", options="police | Police\ncommunity | Community")
    add("short_text", "referrer_phone")
    add("short_text", "anything_else")  # the panel's own question, alongside
    assert client.post(f"/forms/{definition.pk}/publish/").status_code == 302
    definition.refresh_from_db()
    assert definition.latest_version is not None
    return definition


def test_a_form_built_from_scratch_with_the_well_known_ids_can_be_a_channel_panels_referral_form(admin_client, area):
    definition = _channel_referral_from_scratch(admin_client)
    panel = PanelFactory(area=area)
    assert choices.problems_for(panel, "referral", definition.latest_version.schema) == []
    choice = choices.do_choose_for_panel(None, panel, "referral", definition)
    assert choice.definition == definition


def test_changing_an_id_changes_only_the_draft_and_published_versions_and_their_answers_stay(admin_client, cast, area):
    definition = published_definition(area)
    case = CaseFactory(owner=cast["practitioner"])
    submission = submitted(cast["practitioner"], definition, case)
    version_one = FormVersion.objects.get(pk=definition.latest_version_id)
    schema_before = copy.deepcopy(version_one.schema)
    page = admin_client.get(f"/forms/{definition.pk}/questions/q1/").content.decode()
    assert "Published version 1 calls this question <code>q1</code>" in page

    response = admin_client.post(
        f"/forms/{definition.pk}/questions/q1/",
        {**_version(definition), "label": "Who was seen", "required": "on", "question_id": "seen"},
    )
    assert response.status_code == 302, _errors(response)
    definition.refresh_from_db()
    assert "seen" in _ids(definition.draft) and "q1" not in _ids(definition.draft)
    assert FormVersion.objects.get(pk=version_one.pk).schema == schema_before
    assert definition.latest_version_id == version_one.pk

    assert admin_client.post(f"/forms/{definition.pk}/publish/").status_code == 302
    definition.refresh_from_db()
    assert definition.latest_version.number == 2 and "seen" in _ids(definition.latest_version.schema)
    assert FormVersion.objects.get(pk=version_one.pk).schema == schema_before
    submission = Submission.objects.get(pk=submission.pk)
    assert submission.version_id == version_one.pk and submission.answers["q1"] == GOOD_ANSWERS["q1"]
    # Read against its own version, the answer is still under its question.
    assert "Alex" in str(services.readable_answers(cast["practitioner"], submission))
