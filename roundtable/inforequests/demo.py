"""Fictional demo information requests (see core/management/commands/load_demo.py).

On the Channel case, Dev Constable (police) asked Millford Academy — where Tess Teacher is not
a member of the case, so she sees only the request — the county council and Priya Practitioner
by name, ten days ago: the school is overdue, Priya has answered (not yet shared), the council
answered and Dev shared it with the case. On the Millford referral he asked the school and
Priya again this morning. Idempotent: a case that already has a demo request is left alone."""

from datetime import timedelta

from django.utils import timezone

from roundtable.audit.services import record
from roundtable.inforequests.models import STANDARD_QUESTION_TEXT, InformationRequest, RequestRecipient
from roundtable.inforequests.services import do_share_answer
from roundtable.tasks.working_days import add_working_days

Outcome = RequestRecipient.Outcome


def _request(case, sender, *, days_ago: int, questions: list[str], **fields) -> InformationRequest:
    sent_at = timezone.now() - timedelta(days=days_ago)
    information_request = InformationRequest.objects.create(
        case=case,
        requested_by=sender,
        requester_organisation=sender.organisation,
        questions=[STANDARD_QUESTION_TEXT.get(q, q) for q in questions],
        response_days=5,
        due_date=add_working_days(timezone.localdate(sent_at), 5, case.area.nation),
        **fields,
    )
    # created_at is stamped on insert; put it when the story says it was sent.
    InformationRequest.objects.filter(pk=information_request.pk).update(created_at=sent_at)
    information_request.refresh_from_db()
    record(None, "inforequest.created", information_request, case_id=case.pk, person_id=case.person_id,
           actor_label="load_demo")  # fmt: skip
    return information_request


def _answer(recipient, by, outcome, text, days_ago: int) -> RequestRecipient:
    RequestRecipient.objects.filter(pk=recipient.pk).update(
        status=RequestRecipient.Status.ANSWERED, outcome=outcome, answer=text, answered_by=by,
        answered_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip
    recipient.refresh_from_db()
    return recipient


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent). See core/management/commands/load_demo.py."""
    cases = context.get("cases") or {}
    users = context["users"]
    organisations = context["organisations"]
    officer = users.get("police")
    channel = cases.get("Channel support")
    referral = cases.get("Referral from Millford Academy")
    if officer is None:
        return
    if channel is not None and not InformationRequest.objects.filter(case=channel).exists():
        asked = _request(
            channel, officer, days_ago=10,
            questions=["hold_information", "involvement", "concerns", "Has attendance changed since September?"],
            lawful_basis=InformationRequest.LawfulBasis.CHANNEL_DUTY,
            consent_position=InformationRequest.Consent.NOT_SOUGHT,
            consent_detail="Seeking consent before the panel has met could prejudice the assessment.",
        )  # fmt: skip
        RequestRecipient.objects.create(request=asked, organisation=organisations["Millford Academy"])
        priya = users["practitioner"]
        named = RequestRecipient.objects.create(request=asked, organisation=priya.organisation, user=priya)
        _answer(
            named, priya, Outcome.INFORMATION_PROVIDED,
            "Known to CAMHS since the spring; on the waiting list for an assessment. A parent comes to "
            "appointments. No concerns about extremism have been raised with us.", days_ago=4,
        )  # fmt: skip
        council = RequestRecipient.objects.create(
            request=asked, organisation=organisations["Northshire County Council"]
        )
        council = _answer(
            council, users["orgadmin"], Outcome.NOTHING_RELEVANT,
            "Known to the early help team in 2023 (housing advice). Closed; nothing relevant.", days_ago=6,
        )  # fmt: skip
        do_share_answer(officer, RequestRecipient.objects.select_related("request__case").get(pk=council.pk))
    if referral is not None and not InformationRequest.objects.filter(case=referral).exists():
        asked = _request(
            referral, officer, days_ago=0, questions=["hold_information", "risks", "household"],
            lawful_basis=InformationRequest.LawfulBasis.PUBLIC_TASK,
            consent_position=InformationRequest.Consent.GIVEN,
            consent_detail="Parent agreed at the school meeting.",
        )  # fmt: skip
        RequestRecipient.objects.create(request=asked, organisation=organisations["Millford Academy"])
        priya = users["practitioner"]
        RequestRecipient.objects.create(request=asked, organisation=priya.organisation, user=priya)
