"""Sending, answering, sharing and withdrawing information requests, through the services."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from roundtable.access import policy
from roundtable.access.rules.inforequests import answer_readable_q, may_read_answer
from roundtable.accounts.models import User
from roundtable.audit.models import AuditEvent
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.documents.models import Document
from roundtable.documents.samples import tiny_pdf
from roundtable.inforequests import services
from roundtable.inforequests.models import AnswerAttachment, InformationRequest, RequestRecipient
from roundtable.notifications.models import Notice
from tests.factories import CaseFactory
from tests.inforequests.conftest import FAMILY, GIVEN, send

pytestmark = pytest.mark.django_db

Outcome = RequestRecipient.Outcome
WEDNESDAY_BEFORE_EASTER = "2026-04-01 09:00 +01:00"


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _rows(information_request):
    school = information_request.recipients.get(user__isnull=True)
    nurse = information_request.recipients.get(user__isnull=False)
    return school, nurse


# --- Sending -----------------------------------------------------------------------------------
def test_a_police_officer_on_the_case_sends_a_request_due_in_five_working_days_over_easter(world):
    with time_machine.travel(WEDNESDAY_BEFORE_EASTER, tick=False):
        sent = send(world)
    # Thursday 2 April, then Good Friday and Easter Monday are bank holidays in England: Friday 10 April.
    assert sent.due_date == date(2026, 4, 10)
    assert sent.response_days == 5
    assert sent.requested_by == world["officer"]
    assert sent.requester_organisation == world["police"]
    assert sent.questions == [
        "Do you hold information on this person?",
        "What is your involvement with this person, now or in the past?",
        "Has Morwenna missed school this term?",
    ]
    assert sorted((r.organisation.name, r.user_id) for r in sent.recipients.all()) == [
        ("Millford Academy", None),
        ("Northshire Health", world["nurse"].pk),
    ]
    assert AuditEvent.objects.filter(action="inforequest.created", case_id=world["case"].pk).count() == 1


def test_the_default_number_of_days_comes_from_the_setting(world, settings):
    settings.INFO_REQUEST_DEFAULT_DAYS = 10
    assert services.response_days_for(world["case"]) == 10
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False):  # a Monday
        assert send(world).due_date == date(2026, 3, 16)


def test_the_sender_can_choose_between_1_and_30_working_days(world):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False):
        assert send(world, days=1).due_date == date(2026, 3, 3)
        for wrong in (0, 31, -2):
            with pytest.raises(ValidationError) as excinfo:
                send(world, days=wrong)
            assert _errors(excinfo)["days"] == ["The number of working days must be between 1 and 30"]


def test_a_panel_chair_who_contributes_may_send_but_other_contributors_may_not(world):
    from roundtable.cases.models import CaseMembership

    assert not policy.can(world["chair"], "inforequest.create", world["case"])  # a viewer on this case
    CaseMembership.objects.filter(user=world["chair"]).update(role="contributor")
    world["chair"]._case_roles = {}
    assert send(world, actor=world["chair"]).requested_by == world["chair"]
    with pytest.raises(PermissionDenied):
        send(world, actor=world["owner"])  # a council practitioner, not police, not a chair


def test_someone_not_on_the_case_cannot_send_even_from_the_police(world):
    from tests.factories import UserFactory

    other_officer = UserFactory(organisation=world["police"])
    with pytest.raises(PermissionDenied):
        send(world, actor=other_officer)


def test_the_lawful_basis_and_consent_position_must_be_explained_where_they_need_it(world):
    with pytest.raises(ValidationError) as excinfo:
        send(world, lawful_basis="other", lawful_basis_detail=" ", consent_position="refused", consent_detail="")
    assert _errors(excinfo) == {
        "lawful_basis_detail": ["Explain the lawful basis you are relying on"],
        "consent_detail": ["Say why sharing is still necessary although consent was refused"],
    }
    with pytest.raises(ValidationError) as excinfo:
        send(world, consent_position="not_sought", consent_detail="")
    assert _errors(excinfo) == {"consent_detail": ["Say why consent was not sought"]}
    with pytest.raises(ValidationError) as excinfo:
        send(world, lawful_basis="consent", consent_position="refused")
    assert "consent must have been given" in _errors(excinfo)["consent_position"][0]
    with pytest.raises(ValidationError) as excinfo:
        send(world, lawful_basis="because", consent_position="maybe")
    assert set(_errors(excinfo)) == {"lawful_basis", "consent_position"}
    assert not InformationRequest.objects.exists()


def test_a_request_needs_someone_to_ask_and_something_to_ask(world):
    with pytest.raises(ValidationError) as excinfo:
        send(world, organisations=[], people=[], questions=[], custom_questions=["  ", ""])
    assert _errors(excinfo) == {
        "organisations": ["Choose at least one organisation, or name a person, to ask"],
        "questions": ["Choose at least one question, or write your own"],
    }
    with pytest.raises(ValidationError) as excinfo:
        send(world, questions=["made_up"])
    assert _errors(excinfo)["questions"] == ["Choose questions from the list"]
    with pytest.raises(ValidationError) as excinfo:
        send(world, custom_questions=["Fine?", "x" * 501])
    assert "shorten question 2" in _errors(excinfo)["custom_questions"][0]


def test_naming_someone_whose_organisation_is_also_asked_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        send(world, people=[world["teacher"]])
    assert _errors(excinfo)["people"] == [
        "You chose Millford Academy and also named Tess Teacher, who works there. Ask the organisation or the "
        "person, not both"
    ]


def test_people_who_cannot_answer_are_refused_by_name(world):
    world["matron"].is_active = False
    world["matron"].save()
    with pytest.raises(ValidationError) as excinfo:
        send(world, people=[world["school_auditor"], world["matron"], world["officer"]], organisations=[])
    assert _errors(excinfo)["people"] == [
        "Aude Auditor cannot answer information requests (their role is auditor). Choose someone else, or their "
        "organisation",
        "Mo Matron's account is no longer active. Choose someone else",
        "You cannot send an information request to yourself",
    ]


def test_an_organisation_where_nobody_can_answer_is_refused(world, area):
    from tests.factories import OrganisationFactory

    empty = OrganisationFactory(name="Riverside Homes", area=area)
    with pytest.raises(ValidationError) as excinfo:
        send(world, organisations=[empty])
    assert _errors(excinfo)["organisations"][0].startswith("Nobody at Riverside Homes can answer on Roundtable yet")


def test_requests_need_an_open_case_about_a_person(world):
    Case.objects.filter(pk=world["case"].pk).update(state=Case.State.CLOSED)
    world["case"].refresh_from_db()
    with pytest.raises(ValidationError, match="This case is closed"):
        send(world)
    meeting = CaseFactory(owner=world["officer"], person=None, kind=Case.Kind.MEETING)
    with pytest.raises(ValidationError, match="not about a person"):
        services.do_create_request(
            world["officer"], meeting, organisations=[world["school"]], questions=["risks"],
            lawful_basis="public_task", consent_position="given",
        )  # fmt: skip


def test_everyone_asked_gets_a_notice_and_an_email_with_a_link_only(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(world)
    told = {n.recipient for n in Notice.objects.all()}
    # The school's two case workers (not its auditor) and the named nurse (not her colleague).
    assert told == {world["teacher"], world["head"], world["nurse"]}
    assert sorted(m.to[0] for m in mailoutbox) == ["head@school.test", "nia@health.test", "tess@school.test"]
    for message in mailoutbox:
        assert message.subject == "Roundtable: you have an information request to answer"
        assert f"/information-requests/{sent.pk}/" in message.body
        text = message.subject + message.body
        for secret in (GIVEN, FAMILY, world["case"].reference, "Millford", "Channel", "missed school"):
            assert secret not in text


# --- Answering -----------------------------------------------------------------------------------
def test_anyone_at_an_asked_organisation_may_answer_once_and_the_sender_is_told(world):
    sent = send(world)
    school, _nurse = _rows(sent)
    assert policy.can(world["head"], "inforequest.answer", school)
    assert not policy.can(world["school_auditor"], "inforequest.answer", school)
    answered = services.do_answer_request(
        world["teacher"], school, outcome=Outcome.INFORMATION_PROVIDED, answer="Attendance 71% this term."
    )
    assert answered.status == "answered"
    assert answered.answered_by == world["teacher"]
    assert Notice.objects.filter(recipient=world["officer"], message__contains="has been answered").exists()
    event = AuditEvent.objects.get(action="inforequest.answered")
    assert event.details["outcome"] == "information_provided"
    assert "71%" not in str(event.details)  # the audit never carries the answer's text
    school.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.do_answer_request(world["head"], school, outcome=Outcome.NOT_KNOWN)


def test_a_named_person_alone_may_answer_for_themselves(world):
    _school, nurse = _rows(send(world))
    assert policy.can(world["nurse"], "inforequest.answer", nurse)
    assert not policy.can(world["matron"], "inforequest.answer", nurse)
    with pytest.raises(PermissionDenied):
        services.do_answer_request(world["matron"], nurse, outcome=Outcome.NOT_KNOWN)


def test_providing_information_needs_text_and_files_only_go_with_information(world):
    school, _ = _rows(send(world))
    with pytest.raises(ValidationError) as excinfo:
        services.do_answer_request(world["teacher"], school, outcome=Outcome.INFORMATION_PROVIDED, answer="  ")
    assert _errors(excinfo) == {"answer": ["Enter the information you are providing"]}
    pdf = SimpleUploadedFile("report.pdf", tiny_pdf())
    with pytest.raises(ValidationError) as excinfo:
        services.do_answer_request(world["teacher"], school, outcome=Outcome.NOT_KNOWN, files=[pdf])
    assert _errors(excinfo)["attachments"][0].startswith("Attach files only when you are providing information")
    with pytest.raises(ValidationError) as excinfo:
        services.do_answer_request(world["teacher"], school, outcome="perhaps")
    assert "outcome" in _errors(excinfo)
    school.refresh_from_db()
    assert school.status == "pending"


def test_attachments_are_sniffed_and_a_disguised_program_is_refused_by_name(world):
    school, _ = _rows(send(world))
    fake = SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError) as excinfo:
        services.do_answer_request(
            world["teacher"], school, outcome=Outcome.INFORMATION_PROVIDED, answer="See the file.",
            files=[SimpleUploadedFile("report.pdf", tiny_pdf()), fake],
        )  # fmt: skip
    assert _errors(excinfo)["attachments"][0].startswith("minutes.pdf is not a PDF")
    assert not AnswerAttachment.objects.exists()
    services.do_answer_request(
        world["teacher"], school, outcome=Outcome.INFORMATION_PROVIDED, answer="See the file.",
        files=[SimpleUploadedFile("report.pdf", tiny_pdf())],
    )  # fmt: skip
    attachment = AnswerAttachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == ("report.pdf", "application/pdf")
    assert "report" not in attachment.file.name  # stored under a random name


def test_a_second_answer_from_the_same_organisation_is_refused_naming_who_answered_first(world):
    school, _ = _rows(send(world))
    stale = RequestRecipient.objects.get(pk=school.pk)
    services.do_answer_request(world["teacher"], school, outcome=Outcome.NOT_KNOWN)
    # Hal opened the form before Tess sent hers: the rule saw it waiting, the service does not.
    stale.status = "pending"
    with pytest.raises(ValidationError) as excinfo:
        services.do_answer_request(world["head"], stale, outcome=Outcome.NOTHING_RELEVANT)
    assert excinfo.value.messages[0].startswith("Tess Teacher answered this request on")
    assert "it is still in the form below" in excinfo.value.messages[0]
    assert RequestRecipient.objects.get(pk=school.pk).outcome == Outcome.NOT_KNOWN


# --- Who reads answers -------------------------------------------------------------------------
def test_an_answer_is_read_by_the_sender_the_chairs_and_the_answering_organisation_only(world):
    school, _ = _rows(send(world))
    services.do_answer_request(world["teacher"], school, outcome=Outcome.INFORMATION_PROVIDED, answer="Known.")
    school = RequestRecipient.objects.select_related("request").get(pk=school.pk)
    readers = {key for key, user in world.items() if isinstance(user, User) and may_read_answer(user, school)}
    assert readers == {"officer", "chair", "teacher", "head"}


def test_the_rule_and_the_queryset_agree_on_who_reads_each_answer(world):
    sent = send(world)
    school, nurse = _rows(sent)
    services.do_answer_request(world["teacher"], school, outcome=Outcome.INFORMATION_PROVIDED, answer="Known.")
    services.do_answer_request(world["nurse"], nurse, outcome=Outcome.NOT_KNOWN)
    services.do_share_answer(world["officer"], RequestRecipient.objects.get(pk=nurse.pk))
    users = [u for u in world.values() if isinstance(u, User)]
    for user in users:
        user._case_roles = {}
        by_query = set(RequestRecipient.objects.filter(answer_readable_q(user)).values_list("pk", flat=True))
        by_rule = {r.pk for r in RequestRecipient.objects.select_related("request") if may_read_answer(user, r)}
        assert by_query == by_rule, user.full_name


# --- Sharing and withdrawing -------------------------------------------------------------------
def test_sharing_an_answer_puts_it_in_the_chronology_with_its_basis_and_files_as_case_documents(world):
    sent = send(world)
    school, _ = _rows(sent)
    services.do_answer_request(
        world["teacher"], school, outcome=Outcome.INFORMATION_PROVIDED, answer="Attendance 71% this term.",
        files=[SimpleUploadedFile("attendance.pdf", tiny_pdf("Attendance"))],
    )  # fmt: skip
    school = RequestRecipient.objects.get(pk=school.pk)
    assert not policy.can(world["viewer"], "inforequest.read_answer", school)
    entry = services.do_share_answer(world["officer"], school)
    assert entry.kind == ChronologyEntry.Kind.INFORMATION_RECEIVED
    assert entry.summary == "Information received from Millford Academy: known to us – information provided"
    assert "Attendance 71% this term." in entry.body
    assert "Lawful basis: Legal duty to co-operate with the Channel panel." in entry.body
    assert "Has Morwenna missed school this term?" in entry.body
    assert entry.author == world["officer"] and not entry.is_restricted
    document = Document.objects.get()
    assert (document.entry, document.original_name, document.case) == (entry, "attendance.pdf", world["case"])
    school.refresh_from_db()
    assert school.shared_entry == entry and school.shared_by == world["officer"]
    world["viewer"]._case_roles = {}
    assert policy.can(world["viewer"], "inforequest.read_answer", school)
    assert AuditEvent.objects.filter(action="inforequest.shared", case_id=world["case"].pk).exists()
    with pytest.raises(PermissionDenied):
        services.do_share_answer(world["officer"], school)  # once only


def test_only_the_sender_or_a_chair_who_contributes_may_share(world):
    school, _ = _rows(send(world))
    services.do_answer_request(world["teacher"], school, outcome=Outcome.NOT_KNOWN)
    school = RequestRecipient.objects.get(pk=school.pk)
    for who in ("owner", "chair", "viewer", "teacher"):
        assert not policy.can(world[who], "inforequest.share", school), who


def test_a_withdrawn_request_cannot_be_answered_and_the_people_asked_are_told(world):
    _, nurse = _rows(send(world))
    with pytest.raises(PermissionDenied):
        services.do_withdraw_recipient(world["viewer"], nurse)
    services.do_withdraw_recipient(world["officer"], nurse)
    nurse.refresh_from_db()
    assert nurse.status == "withdrawn" and nurse.withdrawn_by == world["officer"]
    assert not policy.can(world["nurse"], "inforequest.answer", nurse)
    assert Notice.objects.filter(recipient=world["nurse"], message__contains="withdrawn").exists()
    assert AuditEvent.objects.filter(action="inforequest.withdrawn").count() == 1
