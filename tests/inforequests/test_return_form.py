"""Answering on the panel's (or area's) information return form: the well-known questions
`outcome` and `answer`, the version's rules checked on the server, every answer kept as a
submission read exactly where the answer is, and the fixed form when no form is chosen."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from roundtable.accounts.models import Role
from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.cases.models import CaseMembership
from roundtable.documents.samples import tiny_pdf
from roundtable.formbuilder import choices, services
from roundtable.formbuilder.models import AreaFormChoice, PanelFormChoice, Submission
from roundtable.formbuilder.standard import INFORMATION_RETURN
from roundtable.inforequests.models import RequestRecipient
from roundtable.inforequests.return_form import definition_for, problems
from roundtable.inforequests.services import do_answer_request, do_share_answer
from tests.cases.factories import MembershipFactory
from tests.conftest import force_sign_in
from tests.factories import UserFactory
from tests.formbuilder.factories import published_definition
from tests.inforequests.conftest import send

pytestmark = pytest.mark.django_db

RECORDS = {"id": "records", "kind": "short_text", "label": "Records checked", "hint": "", "required": True}


def return_doc(name="Northshire information return", extra=(RECORDS,)) -> dict:
    doc = copy.deepcopy(INFORMATION_RETURN)
    doc["name"] = name
    doc["sections"][0]["questions"] += [copy.deepcopy(q) for q in extra]
    return doc


@pytest.fixture
def area_form(world):
    """The area's information return form: the standard one plus a required 'Records checked'."""
    definition = published_definition(world["case"].area, return_doc())
    services.do_choose_definition(world["chair"], definition)
    return definition


def _answer_url(recipient) -> str:
    return f"/information-requests/recipients/{recipient.pk}/answer/"


def _answered_on_form(world, area_form, client):
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    response = client.post(
        _answer_url(school),
        {
            "form_version": area_form.latest_version_id,
            "outcome": "information_provided",
            "answer": "Attendance 71% this term.",
            "q3": "Open to the school nurse",
            "records": "SIMS attendance and behaviour logs",
            "attachments": [SimpleUploadedFile("attendance.pdf", tiny_pdf())],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return RequestRecipient.objects.get(pk=school.pk)


def test_the_answer_page_draws_the_areas_form_and_keeps_every_answer_with_its_version(client, world, area_form):
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    page = client.get(_answer_url(school)).content.decode()
    assert "Records checked" in page and f'name="form_version" value="{area_form.latest_version_id}"' in page
    assert 'name="attachments"' in page and "Do you know this person?" not in page  # not the fixed form

    recipient = _answered_on_form(world, area_form, client)
    assert recipient.status == "answered" and recipient.outcome == "information_provided"
    assert recipient.answer == "Attendance 71% this term."
    assert recipient.attachments.get().original_name == "attendance.pdf"
    submission = recipient.form_submission
    assert submission.version == area_form.latest_version and submission.case == world["case"]
    assert submission.answers == {
        "outcome": "information_provided",
        "answer": "Attendance 71% this term.",
        "q3": "Open to the school nurse",
        "records": "SIMS attendance and behaviour logs",
    }
    assert submission.entry is None  # it reaches the chronology only when the answer is shared
    answered = AuditEvent.objects.get(action="inforequest.answered")
    assert answered.details["form_submission"] == submission.pk and answered.details["form_version"] == 1
    assert "SIMS" not in str(answered.details)  # the audit never holds what was said
    assert AuditEvent.objects.filter(action="submission.submitted", case_id=world["case"].pk).count() == 1


def test_problems_are_named_against_the_questions_and_nothing_is_saved(client, world, area_form):
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    response = client.post(
        _answer_url(school), {"form_version": area_form.latest_version_id, "outcome": "information_provided"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the information you are providing" in page
    assert "Enter records checked" in page and 'href="#f-records"' in page
    assert 'value="information_provided" checked' in page  # what was chosen is kept
    response = client.post(_answer_url(school), {"form_version": area_form.latest_version_id, "records": "SIMS"})
    page = response.content.decode()
    assert "Choose whether you know this person, and whether you have information to share" in page
    assert 'value="SIMS"' in page
    assert RequestRecipient.objects.get(pk=school.pk).status == "pending" and not Submission.objects.exists()


def test_files_are_refused_unless_information_is_provided_and_the_answers_are_kept(client, world, area_form):
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    response = client.post(
        _answer_url(school),
        {"outcome": "not_known", "records": "SIMS", "attachments": [SimpleUploadedFile("a.pdf", tiny_pdf())]},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Attach files only when you are providing information" in page
    assert "Nothing you attached has been kept: choose the files again before you send" in page
    assert 'href="#id_attachments"' in page and 'value="SIMS"' in page


def test_the_answers_as_given_are_read_only_by_the_sender_the_chair_and_the_answering_organisation(
    client, world, area_form
):
    recipient = _answered_on_form(world, area_form, client)
    submission = recipient.form_submission
    request_page = f"/information-requests/{recipient.request_id}/"
    for who in ("officer", "chair", "teacher"):
        force_sign_in(client, world[who])
        page = client.get(request_page).content.decode()
        assert "SIMS attendance and behaviour logs" in page and "Northshire information return" in page, who
    link = f'href="/forms/submissions/{submission.pk}/"'
    for who in ("officer", "chair"):  # members who may read the answer: the forms pages too
        force_sign_in(client, world[who])
        detail = client.get(f"/forms/submissions/{submission.pk}/")
        assert detail.status_code == 200 and "SIMS attendance" in detail.content.decode(), who
        assert link in client.get("/forms/submissions/").content.decode(), who
    for who in ("owner", "viewer", "colleague", "teacher", "nurse"):
        force_sign_in(client, world[who])
        if who != "teacher":  # the answering organisation reads its answer on the request's pages only
            assert "SIMS attendance" not in client.get(request_page).content.decode(), who
        assert client.get(f"/forms/submissions/{submission.pk}/").status_code == 404, who
        assert link not in client.get("/forms/submissions/").content.decode(), who
        assert link not in client.get(f"/forms/case/{world['case'].pk}/").content.decode(), who
    _, token = do_create_token(world["viewer"], name="test", days=1)
    api = client.get(f"/api/v1/forms/submissions/{submission.pk}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 404


def test_the_csv_export_leaves_out_answers_a_builder_on_the_case_may_not_read(client, world, area_form):
    recipient = _answered_on_form(world, area_form, client)
    admin = UserFactory(organisation=world["owner"].organisation, role=Role.PANEL_ADMIN)
    MembershipFactory(case=world["case"], user=admin, role=CaseMembership.Role.CONTRIBUTOR)
    url = f"/forms/versions/{area_form.latest_version_id}/submissions.csv"
    force_sign_in(client, admin)
    assert "SIMS attendance" not in client.get(url).content.decode()
    force_sign_in(client, world["chair"])
    assert "SIMS attendance" in client.get(url).content.decode()
    entry = do_share_answer(world["officer"], recipient)  # shared: every member of the case may read it
    assert f"/forms/submissions/{recipient.form_submission_id}/" in entry.body
    force_sign_in(client, admin)
    assert "SIMS attendance" in client.get(url).content.decode()
    force_sign_in(client, world["viewer"])
    assert client.get(f"/forms/submissions/{recipient.form_submission_id}/").status_code == 200


def test_without_a_chosen_form_the_fixed_answer_form_is_used(client, world):
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    page = client.get(_answer_url(school)).content.decode()
    assert "Do you know this person?" in page and "form_version" not in page
    response = client.post(_answer_url(school), {"outcome": "not_known", "answer": ""})
    assert response.status_code == 302
    assert RequestRecipient.objects.get(pk=school.pk).form_submission is None and not Submission.objects.exists()


def test_an_area_choice_made_before_the_well_known_ids_is_passed_over(client, world):
    old = copy.deepcopy(INFORMATION_RETURN)
    for question in old["sections"][0]["questions"]:
        question["id"] = {"outcome": "q1", "answer": "q2"}.get(question["id"], question["id"])
        question.pop("show_if", None)
    definition = published_definition(world["case"].area, old)
    AreaFormChoice.objects.create(area=world["case"].area, purpose="information_return", definition=definition)
    assert definition_for(world["case"]) is None
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    assert "Do you know this person?" in client.get(_answer_url(school)).content.decode()


def test_a_form_without_the_well_known_questions_cannot_be_chosen_and_every_problem_is_named(world):
    doc = return_doc(extra=[{**RECORDS, "id": "who", "kind": "person", "label": "Who checked"}])
    doc["sections"][0]["questions"][0]["options"].append({"value": "maybe", "label": "Maybe"})
    doc["sections"][0]["questions"][1]["kind"] = "short_text"
    definition = published_definition(world["case"].area, doc, name="Broken return")
    with pytest.raises(ValidationError) as refused:
        services.do_choose_definition(world["chair"], definition)
    said = refused.value.messages
    assert said[0] == "“Broken return” cannot be Northshire's information return form."
    assert any("'outcome'" in m and "maybe" in m for m in said)
    assert any("'answer'" in m and "must be long text, not short_text" in m for m in said)
    assert any("'Who checked' is a person" in m for m in said)
    assert not AreaFormChoice.objects.exists()
    missing = problems({"sections": [{"questions": [RECORDS]}]})
    assert [m.split(" (")[0] for m in missing] == [
        "It has no question with the id 'outcome'",
        "It has no question with the id 'answer'",
    ]


def test_a_version_that_would_break_a_chosen_form_is_refused_when_published(world, area_form):
    draft = copy.deepcopy(area_form.latest_version.schema)
    draft["sections"][0]["questions"] = [q for q in draft["sections"][0]["questions"] if q["id"] != "answer"]
    draft["sections"][0]["questions"][1].pop("show_if")  # q3 depended on outcome only
    area_form.refresh_from_db()
    area_form = services.do_save_draft(world["chair"], area_form, draft, expected_version=area_form.version)
    with pytest.raises(ValidationError) as refused:
        services.do_publish_definition(world["chair"], area_form)
    assert refused.value.messages == [
        "Northshire uses this form for its information returns: It has no question with the id 'answer' "
        "(the information given, long text)."
    ]


def test_a_panels_own_choice_wins_for_its_cases(world, cast, area):
    from tests.channel.factories import submit
    from tests.panels.factories import PanelFactory

    panel = PanelFactory(area=area, name="Northshire Channel Panel", chair=cast["panel_chair"])
    own = published_definition(area, return_doc(name="Panel return"))
    choices.do_choose_for_panel(cast["panel_chair"], panel, "information_return", own)
    assert PanelFormChoice.objects.get(panel=panel).definition == own
    assert definition_for(submit(panel).case) == own
    assert definition_for(world["case"]) is None  # a case without a panel: its area (no choice)


def test_the_api_answers_on_the_form_and_names_each_problem(client, world, area_form):
    school = send(world).recipients.get(user__isnull=True)
    _, token = do_create_token(world["teacher"], name="test", days=1)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/information-requests/recipients/{school.pk}/answer"
    response = client.post(url, {"outcome": "not_known"}, content_type="application/json", headers=headers)
    assert response.status_code == 422 and "Enter records checked" in response.content.decode()
    body = {"answers": {"outcome": "nothing_relevant", "records": "SIMS"}}
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    form = response.json()["form"]
    assert form["answers"] == {"outcome": "nothing_relevant", "records": "SIMS"} and form["version"] == 1
    recipient = RequestRecipient.objects.get(pk=school.pk)
    assert recipient.outcome == "nothing_relevant" and recipient.form_submission_id == form["submission_id"]


def test_the_service_refuses_answers_the_versions_rules_forbid(world, area_form):
    school = send(world).recipients.get(user__isnull=True)
    with pytest.raises(ValidationError) as refused:
        do_answer_request(
            world["teacher"],
            school,
            form=(area_form.latest_version, {"outcome": "known_a_bit", "records": "x" * 501}),
        )
    errors = refused.value.message_dict
    assert errors["outcome"] == ["Choose whether you know this person, and whether you have information to share"]
    assert errors["records"] == ["Records checked must be 500 characters or fewer"]
