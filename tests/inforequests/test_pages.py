"""Sending and answering information requests through the pages."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.documents.samples import tiny_pdf
from roundtable.inforequests.models import InformationRequest, RequestRecipient
from tests.conftest import force_sign_in
from tests.inforequests.conftest import send

pytestmark = pytest.mark.django_db


def _form(world, **overrides):
    data = {
        "organisations": [world["school"].pk],
        "people": "NIA@health.test\n",
        "questions": ["hold_information", "risks"],
        "custom_questions": "Has she missed school this term?\n\n",
        "lawful_basis": "channel_duty",
        "consent_position": "not_sought",
        "not_sought_reason": "Asking would prejudice the assessment.",
        "refused_reason": "",
        "days": "5",
    }
    data.update(overrides)
    return data


def test_the_case_has_an_information_requests_section_with_a_send_button_for_the_police(client, world):
    force_sign_in(client, world["officer"])
    page = client.get(f"/information-requests/case/{world['case'].pk}/").content.decode()
    assert "Information requests</a>" in page and 'aria-current="page"' in page
    assert "Send an information request" in page
    force_sign_in(client, world["owner"])
    page = client.get(f"/information-requests/case/{world['case'].pk}/").content.decode()
    assert "Send an information request" not in page
    assert "No information requests have been sent on this case." in page


def test_the_form_sends_a_request_to_organisations_and_named_people_by_email(client, world):
    force_sign_in(client, world["officer"])
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False):
        response = client.post(f"/information-requests/case/{world['case'].pk}/new/", _form(world))
    sent = InformationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/information-requests/{sent.pk}/"
    assert sent.due_date == date(2026, 3, 9)
    assert sent.consent_detail == "Asking would prejudice the assessment."
    assert sent.questions[-1] == "Has she missed school this term?"
    assert {(r.organisation_id, r.user_id) for r in sent.recipients.all()} == {
        (world["school"].pk, None),
        (world["health"].pk, world["nurse"].pk),
    }


def test_the_form_offers_the_default_days_and_the_standard_questions(client, world, settings):
    settings.INFO_REQUEST_DEFAULT_DAYS = 7
    force_sign_in(client, world["officer"])
    page = client.get(f"/information-requests/case/{world['case'].pk}/new/").content.decode()
    assert 'name="days" type="text" inputmode="numeric" spellcheck="false" value="7"' in page
    assert "Do you hold information on this person?" in page
    assert "Counter-Terrorism and Security Act 2015, section 38" in page
    assert "Millford Academy (Education)" in page
    assert 'data-aria-controls="conditional-basis-other"' in page


def test_problems_are_shown_against_their_fields_and_nothing_typed_is_lost(client, world):
    force_sign_in(client, world["officer"])
    data = _form(
        world,
        people="nobody@nowhere.test",
        lawful_basis="other",
        lawful_basis_detail="",
        consent_position="refused",
        refused_reason="",
        days="45",
        custom_questions="Does she have a social worker?",
    )
    response = client.post(f"/information-requests/case/{world['case'].pk}/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nobody with the e-mail address nobody@nowhere.test uses Roundtable" in page
    assert "The number of working days must be between 1 and 30" in page
    assert "Does she have a social worker?" in page  # kept in the form
    assert not InformationRequest.objects.exists()
    # Now the form-level problems are fixed; the service finds the rest and names the fields.
    response = client.post(
        f"/information-requests/case/{world['case'].pk}/new/",
        {**data, "people": "", "days": "5"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_lawful_basis_detail">Explain the lawful basis you are relying on' in page
    assert 'href="#id_refused_reason">Say why sharing is still necessary although consent was refused' in page
    assert 'govuk-radios__conditional--hidden" id="conditional-basis-other"' not in page  # still open


def test_a_recipient_who_is_not_on_the_case_sees_their_request_and_nothing_of_the_case(client, world):
    sent = send(world)
    force_sign_in(client, world["teacher"])
    response = client.get(f"/information-requests/{sent.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Morwenna" in page and "Quillfeather" in page
    assert world["person"].date_of_birth.strftime("%-d %B %Y") in page
    assert "Has Morwenna missed school this term?" in page
    assert "Legal duty to co-operate with the Channel panel" in page
    assert "Answer this request" in page
    # Not the case: no reference, title, navigation, nor the other people asked.
    for hidden in (world["case"].reference, "Channel referral", "Case sections", "Nia Nurse", "Northshire Health"):
        assert hidden not in page
    case = world["case"]
    for url in (
        f"/cases/{case.pk}/", f"/cases/{case.pk}/chronology/", f"/information-requests/case/{case.pk}/",
        f"/tasks/case/{case.pk}/", f"/documents/case/{case.pk}/", f"/people/{world['person'].pk}/",
    ):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(actor_id=world["teacher"].pk, action="inforequest.viewed").count() == 1


def test_answering_with_a_file_and_the_sender_reading_it(client, world):
    sent = send(world)
    school = sent.recipients.get(user__isnull=True)
    force_sign_in(client, world["head"])
    response = client.post(
        f"/information-requests/recipients/{school.pk}/answer/",
        {
            "outcome": "information_provided",
            "answer": "Attendance 71% this term.",
            "attachments": [SimpleUploadedFile("attendance.pdf", tiny_pdf())],
        },
    )
    assert response.status_code == 302
    force_sign_in(client, world["officer"])
    page = client.get(f"/information-requests/{sent.pk}/").content.decode()
    assert "Attendance 71% this term." in page and "attendance.pdf" in page
    assert "Known to us – information provided" in page
    assert "Share with the case" in page
    attachment = RequestRecipient.objects.get(pk=school.pk).attachments.get()
    download = client.get(f"/information-requests/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="inforequest.attachment_downloaded").count() == 1
    event = AuditEvent.objects.filter(action="inforequest.viewed", actor_id=world["officer"].pk).get()
    assert event.details["answers_shown"] == [school.pk]


def test_a_refused_file_keeps_the_answer_text_and_says_to_choose_the_files_again(client, world):
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    response = client.post(
        f"/information-requests/recipients/{school.pk}/answer/",
        {
            "outcome": "information_provided",
            "answer": "Attendance 71% this term.",
            "attachments": [SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00" + b"\x00" * 100)],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "minutes.pdf is not a PDF" in page
    assert "Nothing you attached has been kept: choose the files again before you send" in page
    assert "Attendance 71% this term." in page
    assert RequestRecipient.objects.get(pk=school.pk).status == "pending"


def test_a_file_over_the_size_limit_is_refused_by_name(client, world, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    response = client.post(
        f"/information-requests/recipients/{school.pk}/answer/",
        {"outcome": "information_provided", "answer": "See file.", "attachments": [
            SimpleUploadedFile("big.pdf", tiny_pdf() + b"%" * 2000)]},
    )  # fmt: skip
    assert response.status_code == 400
    assert "big.pdf is larger than 1000 bytes" in response.content.decode()


def test_someone_whose_answer_is_no_longer_needed_is_sent_back_to_the_request(client, world):
    school = send(world).recipients.get(user__isnull=True)
    force_sign_in(client, world["teacher"])
    client.post(f"/information-requests/recipients/{school.pk}/answer/", {"outcome": "not_known"})
    response = client.get(f"/information-requests/recipients/{school.pk}/answer/", follow=True)
    assert "This request no longer needs an answer from you." in response.content.decode()
    force_sign_in(client, world["nurse"])  # not asked for the school: no such page
    assert client.get(f"/information-requests/recipients/{school.pk}/answer/").status_code == 404


def test_the_grid_shows_who_has_answered_with_overdue_in_red_and_outcomes_only_to_readers(client, world):
    with time_machine.travel(timezone.now() - timedelta(days=20)):
        sent = send(world)
    school, nurse = sent.recipients.get(user__isnull=True), sent.recipients.get(user__isnull=False)
    from roundtable.inforequests.services import do_answer_request

    do_answer_request(world["teacher"], school, outcome="nothing_relevant")
    force_sign_in(client, world["chair"])
    page = client.get(f"/information-requests/case/{world['case'].pk}/").content.decode()
    assert "1 of 2 answered" in page
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in page
    assert "Known to us – nothing relevant to share" in page
    force_sign_in(client, world["viewer"])
    page = client.get(f"/information-requests/case/{world['case'].pk}/").content.decode()
    assert "Answered" in page and "Overdue" in page
    assert "nothing relevant" not in page  # the viewer sees that it was answered, not what was said
    assert nurse.status == "pending"


def test_the_inbox_lists_requests_to_me_and_my_organisation_overdue_first(client, world):
    with time_machine.travel(timezone.now() - timedelta(days=20)):
        late = send(world)
    soon = send(world, people=[])
    force_sign_in(client, world["teacher"])
    response = client.get("/information-requests/")
    rows = [r.request_id for r in response.context["recipients"]]
    assert rows == [late.pk, soon.pk]
    assert response.content.decode().count("govuk-tag--red") == 1
    force_sign_in(client, world["nurse"])
    assert [r.request_id for r in client.get("/information-requests/").context["recipients"]] == [late.pk]
    force_sign_in(client, world["matron"])  # the nurse was asked by name, not her organisation
    assert client.get("/information-requests/").context["recipients"] == []


def test_the_home_page_counts_requests_waiting_for_an_answer(client, world):
    send(world)
    force_sign_in(client, world["head"])
    page = client.get("/").content.decode()
    assert "Information requests to answer" in page and "1 request from partner agencies is waiting" in page
    force_sign_in(client, world["owner"])
    assert "Information requests to answer" not in client.get("/").content.decode()


def test_sharing_from_the_page_asks_first_then_adds_the_entry(client, world):
    sent = send(world)
    school = sent.recipients.get(user__isnull=True)
    from roundtable.inforequests.services import do_answer_request

    do_answer_request(world["teacher"], school, outcome="not_known")
    force_sign_in(client, world["officer"])
    page = client.get(f"/information-requests/recipients/{school.pk}/share/").content.decode()
    assert "Everyone on this case (4 people) will be able to read it." in page
    response = client.post(f"/information-requests/recipients/{school.pk}/share/", follow=True)
    assert "is now in the case&#x27;s chronology" in response.content.decode()
    assert RequestRecipient.objects.get(pk=school.pk).shared_entry is not None


def test_withdrawing_from_the_page(client, world):
    sent = send(world)
    nurse = sent.recipients.get(user__isnull=False)
    force_sign_in(client, world["officer"])
    assert (
        "Withdraw the request to Nia Nurse"
        in client.get(f"/information-requests/recipients/{nurse.pk}/withdraw/").content.decode()
    )
    client.post(f"/information-requests/recipients/{nurse.pk}/withdraw/")
    assert RequestRecipient.objects.get(pk=nurse.pk).status == "withdrawn"


def test_the_answer_form_is_audited_and_refuses_a_post_without_the_csrf_token(world):
    from django.test import Client

    school = send(world).recipients.get(user__isnull=True)
    client = Client(enforce_csrf_checks=True)
    force_sign_in(client, world["teacher"])
    assert client.get(f"/information-requests/recipients/{school.pk}/answer/").status_code == 200
    event = AuditEvent.objects.get(action="inforequest.viewed", actor_id=world["teacher"].pk)
    assert (event.details["via"], event.case_id) == ("answer_form", world["case"].pk)
    response = client.post(f"/information-requests/recipients/{school.pk}/answer/", {"outcome": "not_known"})
    assert response.status_code == 403
    assert RequestRecipient.objects.get(pk=school.pk).status == "pending"
