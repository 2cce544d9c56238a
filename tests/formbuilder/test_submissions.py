"""Filling in forms on a case: autosaved drafts, server validation with clear messages,
chronology entries, access through the case, versions, search and CSV export."""

import json

import pytest

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import CaseMembership, ChronologyEntry
from roundtable.formbuilder import services
from roundtable.formbuilder.models import Submission
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.formbuilder.factories import document, published_definition, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(cast, area):
    practitioner = cast["practitioner"]
    return {
        "practitioner": practitioner,
        "definition": published_definition(area),
        "case": CaseFactory(owner=practitioner),
    }


def _start(client, setting) -> Submission:
    response = client.post(f"/forms/case/{setting['case'].pk}/start/", {"definition": setting["definition"].pk})
    assert response.status_code == 302
    return Submission.objects.get(case=setting["case"], status="draft")


def test_a_submission_becomes_a_chronology_entry_linking_to_its_answers(client, setting):
    force_sign_in(client, setting["practitioner"])
    submission = _start(client, setting)
    response = client.post(
        f"/forms/submissions/{submission.pk}/fill/",
        {"action": "submit", "q1": "Alex", "q2": "yes", "q3": "Bruise on arm", "q4[0][q5]": "Mum", "q4[1][q5]": "Gran"},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert submission.answers == {
        "q1": "Alex",
        "q2": "yes",
        "q3": "Bruise on arm",
        "q4": [{"q5": "Mum"}, {"q5": "Gran"}],
    }
    entry = submission.entry
    assert entry.kind == ChronologyEntry.Kind.HOME_VISIT  # purpose home visit
    assert entry.summary == "Welfare check submitted"
    assert f"/forms/submissions/{submission.pk}/" in entry.body
    page = client.get(f"/forms/submissions/{submission.pk}/").content.decode()
    assert "Bruise on arm" in page and "Gran" in page
    assert AuditEvent.objects.filter(action="submission.viewed", case_id=setting["case"].pk).exists()


def test_answers_that_break_the_rules_are_refused_with_messages_and_nothing_typed_is_lost(client, setting):
    force_sign_in(client, setting["practitioner"])
    submission = _start(client, setting)
    response = client.post(
        f"/forms/submissions/{submission.pk}/fill/", {"action": "submit", "q2": "yes", "q4[0][q5]": ""}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#f-q1">Enter who was seen</a>' in page
    assert '<a href="#f-q3">Enter describe the concerns</a>' in page
    submission.refresh_from_db()
    assert submission.status == "draft" and submission.draft_input["q2"] == "yes"


def test_an_answer_to_a_question_hidden_by_its_condition_is_not_kept(client, setting):
    force_sign_in(client, setting["practitioner"])
    submission = _start(client, setting)
    client.post(
        f"/forms/submissions/{submission.pk}/fill/", {"action": "submit", "q1": "Alex", "q2": "no", "q3": "Stale text"}
    )
    submission.refresh_from_db()
    assert "q3" not in submission.answers


def test_the_draft_autosaves_and_the_user_can_come_back_to_it(client, setting):
    force_sign_in(client, setting["practitioner"])
    submission = _start(client, setting)
    response = client.post(
        f"/forms/submissions/{submission.pk}/autosave/", {"q1": "Half-typed name", "q4[0][q5]": "Mu"}
    )
    assert response.status_code == 200 and "Draft saved" in response.content.decode()
    page = client.get(f"/forms/submissions/{submission.pk}/fill/").content.decode()
    assert 'value="Half-typed name"' in page and 'value="Mu"' in page


def test_add_another_works_without_javascript(client, setting):
    force_sign_in(client, setting["practitioner"])
    submission = _start(client, setting)
    page = client.post(
        f"/forms/submissions/{submission.pk}/fill/", {"q4[0][q5]": "Mum", "add_item": "q4"}
    ).content.decode()
    assert 'name="q4[1][q5]"' in page and 'value="Mum"' in page


def test_an_earlier_submission_still_shows_as_answered_after_version_2(client, setting, cast):
    force_sign_in(client, setting["practitioner"])
    submission = submitted(setting["practitioner"], setting["definition"], setting["case"])
    changed = document()
    changed["sections"][0]["questions"][0]["label"] = "Name of the child seen"
    changed["sections"][0]["questions"][1]["label"] = "Anything worrying?"
    definition = services.do_save_draft(
        cast["panel_admin"], setting["definition"], changed, expected_version=setting["definition"].version
    )
    services.do_publish_definition(cast["panel_admin"], definition)
    page = client.get(f"/forms/submissions/{submission.pk}/").content.decode()
    assert "Who was seen" in page and "Name of the child seen" not in page
    assert "Version 1" in page


def test_a_member_who_is_not_the_author_cannot_see_a_draft(client, setting):
    colleague = UserFactory(organisation=setting["practitioner"].organisation)
    CaseMembership.objects.create(case=setting["case"], user=colleague, role="contributor")
    draft = services.do_start_submission(setting["practitioner"], setting["definition"], setting["case"])
    force_sign_in(client, colleague)
    assert client.get(f"/forms/submissions/{draft.pk}/fill/").status_code == 404


def test_a_non_member_gets_404_for_a_submission(client, setting):
    submission = submitted(setting["practitioner"], setting["definition"], setting["case"])
    force_sign_in(client, UserFactory(organisation=setting["practitioner"].organisation))
    assert client.get(f"/forms/submissions/{submission.pk}/").status_code == 404


def test_locking_down_the_entry_locks_down_the_submission(client, setting):
    from roundtable.cases.services import do_restrict_entry

    viewer = UserFactory(organisation=setting["practitioner"].organisation)
    CaseMembership.objects.create(case=setting["case"], user=viewer, role="viewer")
    submission = submitted(setting["practitioner"], setting["definition"], setting["case"])
    do_restrict_entry(setting["practitioner"], submission.entry, restricted=True, restricted_to=[])
    force_sign_in(client, viewer)
    assert client.get(f"/forms/submissions/{submission.pk}/").status_code == 404


def test_a_viewer_of_the_case_cannot_start_a_form(client, setting):
    viewer = UserFactory(organisation=setting["practitioner"].organisation)
    CaseMembership.objects.create(case=setting["case"], user=viewer, role="viewer")
    force_sign_in(client, viewer)
    response = client.post(f"/forms/case/{setting['case'].pk}/start/", {"definition": setting["definition"].pk})
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_a_person_answer_shows_only_to_readers_who_may_see_that_profile(client, cast, area):
    practitioner = cast["practitioner"]
    doc = document()
    doc["sections"][0]["questions"].append({"id": "q9", "kind": "person", "label": "Sibling"})
    definition = published_definition(area, doc)
    case = CaseFactory(owner=practitioner)
    sibling = PersonFactory(created_by=practitioner, given_name="Robin", family_name="Hidden")
    submission = submitted(practitioner, definition, case, {"q1": "Alex", "q2": "no", "q9": str(sibling.pk)})
    reader = UserFactory(organisation=practitioner.organisation)
    CaseMembership.objects.create(case=case, user=reader, role="viewer")
    force_sign_in(client, reader)
    page = client.get(f"/forms/submissions/{submission.pk}/").content.decode()
    assert "Robin Hidden" not in page and "A person profile you cannot see" in page


def test_search_finds_submissions_by_form_case_and_date(client, setting, area):
    other = published_definition(area, name="Another form")
    mine = submitted(setting["practitioner"], setting["definition"], setting["case"])
    theirs = submitted(setting["practitioner"], other, setting["case"])
    force_sign_in(client, setting["practitioner"])
    page = client.get(
        "/forms/submissions/", {"form": setting["definition"].pk, "case": setting["case"].reference}
    ).content.decode()
    assert f"/forms/submissions/{mine.pk}/" in page and f"/forms/submissions/{theirs.pk}/" not in page
    page = client.get(
        "/forms/submissions/", {"submitted_from": "2000-01-01", "submitted_to": "2000-01-02"}
    ).content.decode()
    assert "No submitted forms match" in page


def test_the_csv_export_has_one_row_per_visible_submission_and_is_audited(client, setting, cast):
    submitted(setting["practitioner"], setting["definition"], setting["case"], {"q1": "=HYPERLINK(1)", "q2": "no"})
    unseen_case = CaseFactory(owner=setting["practitioner"])
    submitted(setting["practitioner"], setting["definition"], unseen_case)
    CaseMembership.objects.create(case=setting["case"], user=cast["panel_admin"], role="viewer")
    force_sign_in(client, cast["panel_admin"])
    response = client.get(f"/forms/versions/{setting['definition'].latest_version.pk}/submissions.csv")
    rows = response.content.decode().strip().splitlines()
    assert len(rows) == 2  # header + the one case the administrator is a member of
    assert "'=HYPERLINK(1)" in rows[1]  # no formula injection
    assert AuditEvent.objects.filter(action="submission.exported", case_id=setting["case"].pk).count() == 1


# --- API ----------------------------------------------------------------------------------------------
def _api(client, user):
    from roundtable.api.services import do_create_token

    _, raw = do_create_token(user, name="test", days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_refuses_bad_answers_with_422_and_a_message_per_question(client, setting):
    headers = _api(client, setting["practitioner"])
    body = {"definition_id": setting["definition"].pk, "case_id": setting["case"].pk, "answers": {"q2": "perhaps"}}
    response = client.post("/api/v1/forms/submissions", json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 422
    assert response.json()["errors"] == {"q1": "Enter who was seen", "q2": "Choose any concerns from the options given"}
    assert not Submission.objects.exists()


def test_the_api_creates_and_reads_a_submission(client, setting):
    headers = _api(client, setting["practitioner"])
    body = {
        "definition_id": setting["definition"].pk,
        "case_id": setting["case"].pk,
        "answers": {"q1": "Alex", "q2": "no"},
    }
    created = client.post("/api/v1/forms/submissions", json.dumps(body), content_type="application/json", **headers)
    assert created.status_code == 201
    read = client.get(f"/api/v1/forms/submissions/{created.json()['id']}", **headers).json()
    assert read["answers"] == {"q1": "Alex", "q2": "no"} and read["version"] == 1


def test_the_api_answers_404_for_a_case_the_caller_is_not_a_member_of(client, setting):
    headers = _api(client, UserFactory(organisation=setting["practitioner"].organisation))
    body = {"definition_id": setting["definition"].pk, "case_id": setting["case"].pk, "answers": {}}
    response = client.post("/api/v1/forms/submissions", json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 404
