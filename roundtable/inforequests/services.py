"""What people can do with information requests. Each operation checks the access policy,
changes data in one transaction and records audit there too; e-mails go out after commit,
from a background job (see jobs.py), and carry a link only."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.urls import reverse
from django.utils import dateformat, timezone

from roundtable.access import policy
from roundtable.access.rules.inforequests import ANSWER_ROLES, addressed_to_q, may_read_answer
from roundtable.accounts.models import Organisation, User
from roundtable.audit.services import record
from roundtable.cases.models import Case, CaseMembership, ChronologyEntry
from roundtable.documents.sniffing import FileTypeProblem, check_upload
from roundtable.documents.uploads import max_bytes, too_large_message
from roundtable.inforequests import jobs
from roundtable.inforequests.models import (
    MAX_DAYS,
    MAX_QUESTION_LENGTH,
    MAX_QUESTIONS,
    MIN_DAYS,
    STANDARD_QUESTION_TEXT,
    AnswerAttachment,
    InformationRequest,
    RequestRecipient,
)
from roundtable.notifications.services import notify
from roundtable.tasks.working_days import add_working_days

Basis = InformationRequest.LawfulBasis
Consent = InformationRequest.Consent
Status = RequestRecipient.Status
Outcome = RequestRecipient.Outcome
MAX_ATTACHMENTS = 10


def _ids(case: Case) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id}


def long_date(day: date) -> str:
    """ "3 March 2026"."""
    return dateformat.format(day, "j F Y")


def request_url(request: InformationRequest | int) -> str:
    return reverse("inforequests:detail", args=[getattr(request, "pk", request)])


# --- Deadlines -------------------------------------------------------------------------------
def response_days_for(case: Case) -> int:
    """Working days partners have to answer a request on this case, unless the sender changes it.

    The deployment default (INFO_REQUEST_DEFAULT_DAYS, 5). The one place to make it depend on
    the case: for example on the panel the case is before."""
    from roundtable.channel.models import ChannelCase

    # A Channel case: its panel's setting (panel settings page, 1 to 30 working days).
    days = ChannelCase.objects.filter(case_id=case.pk).values_list("panel__info_request_days", flat=True).first()
    return int(days or settings.INFO_REQUEST_DEFAULT_DAYS)


def due_date_for(case: Case, days: int, today: date | None = None) -> date:
    """``days`` working days from today, by the bank holidays of the case area's nation."""
    return add_working_days(today or timezone.localdate(), days, case.area.nation)


def is_overdue(recipient: RequestRecipient, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return recipient.status == Status.PENDING and recipient.request.due_date < today


# --- Reading ---------------------------------------------------------------------------------
def answerers(recipient: RequestRecipient) -> QuerySet:
    """The people who may answer for a recipient row: the named person, or everyone at the
    organisation in a case-work role."""
    if recipient.user_id:
        return User.objects.filter(pk=recipient.user_id, is_active=True)
    return User.objects.filter(organisation_id=recipient.organisation_id, is_active=True, role__in=ANSWER_ROLES)


def _recipients_for(user) -> QuerySet:
    related = ("organisation", "user__organisation", "answered_by__organisation", "shared_by")
    related += ("form_submission__version",)
    return policy.visible(user, RequestRecipient.objects.select_related(*related)).order_by("id")


def with_attachments(user) -> Prefetch:
    return Prefetch("attachments", queryset=policy.visible(user, AnswerAttachment.objects.all()))


def annotate_for(user, requests: list[InformationRequest], today: date | None = None) -> None:
    """Mark each visible recipient row with what this user may see and do on it (no queries:
    the rules read the remembered case membership)."""
    today = today or timezone.localdate()
    for information_request in requests:
        rows = list(information_request.recipients.all())
        for recipient in rows:
            recipient.request = information_request
        asked = [r for r in rows if r.status != Status.WITHDRAWN]
        information_request.asked_count = len(asked)
        information_request.answered_count = sum(r.status == Status.ANSWERED for r in asked)
        information_request.overdue_count = sum(is_overdue(r, today) for r in asked)
        for recipient in rows:
            recipient.is_overdue = is_overdue(recipient, today)
            recipient.answer_visible = may_read_answer(user, recipient)
            recipient.form_sections = _form_sections(recipient) if recipient.answer_visible else []
            recipient.can_answer = policy.can(user, "inforequest.answer", recipient)
            recipient.can_share = policy.can(user, "inforequest.share", recipient)
            recipient.can_withdraw = policy.can(user, "inforequest.withdraw", recipient)


def _form_sections(recipient: RequestRecipient) -> list[dict]:
    """Every answer given on the information return form, as given (no queries: the
    submission comes with the recipient, and such a form names no people or documents)."""
    submission = recipient.form_submission if recipient.form_submission_id else None
    if submission is None:
        return []
    from roundtable.formbuilder.render import answer_sections

    return answer_sections(submission.version.schema, submission.answers, people=set(), documents=set())


def case_requests_queryset(user, case: Case, *, attachments: bool = False) -> QuerySet:
    """The case's requests, newest first, with their recipients prefetched; pass what is read
    of it to ``annotate_for`` (the case summary slices it first)."""
    qs = policy.visible(user, InformationRequest.objects.filter(case=case))
    recipients = _recipients_for(user)
    if attachments:
        recipients = recipients.prefetch_related(with_attachments(user))
    return qs.select_related("requested_by", "requester_organisation").prefetch_related(
        Prefetch("recipients", queryset=recipients)
    )


def case_requests(user, case: Case, *, attachments: bool = False) -> list[InformationRequest]:
    """The case's requests, newest first, each with its recipients (the grid) and, if asked
    for, the attachments the user may open."""
    found = list(case_requests_queryset(user, case, attachments=attachments))
    annotate_for(user, found)
    return found


def visible_request(user, pk) -> InformationRequest:
    """One request the user may see, with the recipients and attachments they may see, or 404."""
    related = ("case__person", "case__area", "requested_by", "requester_organisation")
    qs = InformationRequest.objects.select_related(*related).prefetch_related(
        Prefetch("recipients", queryset=_recipients_for(user).prefetch_related(with_attachments(user)))
    )
    found = policy.get_visible_or_404(user, qs, pk=pk)
    annotate_for(user, [found])
    return found


def visible_recipient(user, pk) -> RequestRecipient:
    related = ("request__case__person", "request__case__area", "request__requested_by", "organisation", "user")
    return policy.get_visible_or_404(user, RequestRecipient.objects.select_related(*related), pk=pk)


def _overdue_first(qs: QuerySet, today: date) -> QuerySet:
    late = SqlCase(
        When(request__due_date__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return qs.annotate(late=late).order_by("-late", "request__due_date", "id")


def inbox(user, *, answered: bool = False, today: date | None = None) -> QuerySet:
    """Requests addressed to the user or their organisation: waiting ones overdue first, then by
    deadline; or (``answered``) the answered and withdrawn ones, latest first."""
    today = today or timezone.localdate()
    related = (
        "request__case__person",
        "request__requested_by",
        "request__requester_organisation",
        "organisation",
        "user__organisation",
        "answered_by__organisation",
        "form_submission__version",
    )
    qs = policy.visible(user, RequestRecipient.objects.filter(addressed_to_q(user))).select_related(*related)
    if answered:
        return qs.exclude(status=Status.PENDING).order_by("-answered_at", "-withdrawn_at", "-id")
    return _overdue_first(qs.filter(status=Status.PENDING), today)


def inbox_counts(user, today: date | None = None) -> dict:
    """How many requests wait for this user's answer, and how many of those are overdue (one query)."""
    today = today or timezone.localdate()
    qs = policy.visible(user, RequestRecipient.objects.filter(addressed_to_q(user), status=Status.PENDING))
    return qs.aggregate(waiting=Count("pk"), overdue=Count("pk", filter=Q(request__due_date__lt=today)))


def choosable_organisations(case: Case) -> QuerySet:
    """Active organisations, the case area's first."""
    in_area = SqlCase(When(area_id=case.area_id, then=Value(0)), default=Value(1))
    return (
        Organisation.objects.filter(is_active=True)
        .select_related("area")
        .annotate(elsewhere=in_area)
        .order_by("elsewhere", "area__name", "name")
    )


# --- Auditing reads --------------------------------------------------------------------------
def record_request_view(actor, information_request: InformationRequest, *, via: str = "page") -> None:
    """One event per view of a request, naming the answers whose content was shown."""
    shown = [r.pk for r in information_request.recipients.all() if getattr(r, "answer_visible", False) and r.outcome]
    with transaction.atomic():
        record(
            actor,
            "inforequest.viewed",
            information_request,
            **_ids(information_request.case),
            answers_shown=shown,
            via=via,
        )


def record_answer_form_view(actor, recipient: RequestRecipient) -> None:
    """The answer form shows the request (the person, the questions): a view like any other."""
    case = recipient.request.case
    with transaction.atomic():
        record(actor, "inforequest.viewed", recipient.request, **_ids(case), answers_shown=[], via="answer_form")


def record_list_view(actor, case: Case, requests: list[InformationRequest], *, via: str = "page") -> None:
    shown = [r.pk for req in requests for r in req.recipients.all() if r.answer_visible and r.outcome]
    with transaction.atomic():
        record(actor, "inforequest.list_viewed", case, **_ids(case), count=len(requests), answers_shown=shown, via=via)


def record_inbox_view(actor, recipients: list[RequestRecipient], *, via: str = "page") -> None:
    with transaction.atomic():
        record(
            actor,
            "inforequest.inbox_viewed",
            None,
            case_ids=sorted({r.request.case_id for r in recipients}),
            count=len(recipients),
            via=via,
        )


def record_attachment_download(actor, attachment: AnswerAttachment, *, byte_range=None) -> None:
    case = attachment.recipient.request.case
    details = {"range": f"{byte_range[0]}-{byte_range[1]}" if byte_range else "all"}
    with transaction.atomic():
        record(actor, "inforequest.attachment_downloaded", attachment, **_ids(case), **details)


# --- Sending ---------------------------------------------------------------------------------
def _check_questions(standard: list[str], custom: list[str], errors: dict) -> list[str]:
    unknown = [key for key in standard if key not in STANDARD_QUESTION_TEXT]
    if unknown:
        errors["questions"] = "Choose questions from the list"
        return []
    chosen = [STANDARD_QUESTION_TEXT[key] for key in dict.fromkeys(standard)]
    own = [line.strip() for line in custom if line and line.strip()]
    too_long = [n for n, text in enumerate(own, start=1) if len(text) > MAX_QUESTION_LENGTH]
    if too_long:
        which = ", ".join(str(n) for n in too_long)
        errors["custom_questions"] = (
            f"Each question must be {MAX_QUESTION_LENGTH} characters or fewer: shorten question {which} "
            "of your own, or split it in two"
        )
        return []
    questions = chosen + [text for text in own if text not in chosen]
    if not questions:
        errors["questions"] = "Choose at least one question, or write your own"
    elif len(questions) > MAX_QUESTIONS:
        errors["custom_questions"] = f"Ask {MAX_QUESTIONS} questions or fewer (you have {len(questions)})"
    return questions


def _check_basis(lawful_basis, lawful_basis_detail, consent_position, consent_detail, errors: dict) -> None:
    if lawful_basis not in Basis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing"
    elif lawful_basis == Basis.OTHER and not lawful_basis_detail:
        errors["lawful_basis_detail"] = "Explain the lawful basis you are relying on"
    if consent_position not in Consent.values:
        errors["consent_position"] = "Choose whether consent was given, not sought or refused"
    elif consent_position == Consent.NOT_SOUGHT and not consent_detail:
        errors["consent_detail"] = "Say why consent was not sought"
    elif consent_position == Consent.REFUSED and not consent_detail:
        errors["consent_detail"] = "Say why sharing is still necessary although consent was refused"
    elif lawful_basis == Basis.CONSENT and consent_position != Consent.GIVEN:
        errors["consent_position"] = (
            "You chose consent as the lawful basis, so consent must have been given. "
            "Choose another lawful basis, or record that consent was given"
        )


def _check_recipients(actor, organisations, people, errors: dict) -> tuple[list, list]:
    organisations = list(dict.fromkeys(organisations))
    people = list(dict.fromkeys(people))
    if not organisations and not people:
        errors["organisations"] = "Choose at least one organisation, or name a person, to ask"
        return [], []
    problems = []
    inactive = [o.name for o in organisations if not o.is_active]
    if inactive:
        problems.append(f"{', '.join(inactive)} no longer use Roundtable. Ask them another way")
    able = dict(
        User.objects.filter(organisation__in=organisations, is_active=True, role__in=ANSWER_ROLES)
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
    )
    nobody = [o.name for o in organisations if o.is_active and not able.get(o.pk)]
    if nobody:
        problems.append(
            f"Nobody at {', '.join(nobody)} can answer on Roundtable yet. Invite someone from there to the case "
            "first, or ask them another way"
        )
    if problems:
        errors["organisations"] = problems
    person_problems = []
    chosen_ids = {o.pk for o in organisations}
    for person in people:
        if person.pk == actor.pk:
            person_problems.append("You cannot send an information request to yourself")
        elif not person.is_active:
            person_problems.append(f"{person.full_name}'s account is no longer active. Choose someone else")
        elif person.role not in ANSWER_ROLES:
            person_problems.append(
                f"{person.full_name} cannot answer information requests (their role is "
                f"{person.get_role_display().lower()}). Choose someone else, or their organisation"
            )
        elif person.organisation_id in chosen_ids:
            person_problems.append(
                f"You chose {person.organisation.name} and also named {person.full_name}, who works there. "
                "Ask the organisation or the person, not both"
            )
    if person_problems:
        errors["people"] = person_problems
    return organisations, people


def _tell_recipients(recipient: RequestRecipient, kind: str, message: str, *, exclude: int | None = None) -> None:
    """An in-app notice now and an e-mail (a link only) from a background job after commit."""
    url = request_url(recipient.request_id)
    for user in answerers(recipient).exclude(pk=exclude).only("pk", "email", "is_active"):
        notify(user, message, url, email=False)
        recipient_id, user_id = recipient.pk, user.pk
        transaction.on_commit(lambda r=recipient_id, u=user_id: jobs.send_request_email.enqueue(kind, r, u))


@transaction.atomic
def do_create_request(
    actor,
    case: Case,
    *,
    organisations=(),
    people=(),
    questions=(),
    custom_questions=(),
    lawful_basis: str = "",
    lawful_basis_detail: str = "",
    consent_position: str = "",
    consent_detail: str = "",
    days: int | None = None,
) -> InformationRequest:
    """Send a formal information request about the case's person to organisations and/or named people."""
    policy.permit(actor, "inforequest.create", case)
    if case.person_id is None:
        raise ValidationError("Information requests are about a person, and this case is not about a person")
    if case.state == Case.State.CLOSED:
        raise ValidationError("This case is closed. Reopen it before sending an information request")
    errors: dict = {}
    organisations, people = _check_recipients(actor, organisations, people, errors)
    asked = _check_questions(list(questions), list(custom_questions), errors)
    lawful_basis_detail, consent_detail = (lawful_basis_detail or "").strip(), (consent_detail or "").strip()
    _check_basis(lawful_basis, lawful_basis_detail, consent_position, consent_detail, errors)
    days = response_days_for(case) if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not MIN_DAYS <= days <= MAX_DAYS:
        errors["days"] = f"The number of working days must be between {MIN_DAYS} and {MAX_DAYS}"
    if errors:
        raise ValidationError(errors)
    information_request = InformationRequest.objects.create(
        case=case,
        requested_by=actor,
        requester_organisation=actor.organisation,
        questions=asked,
        lawful_basis=lawful_basis,
        lawful_basis_detail=lawful_basis_detail,
        consent_position=consent_position,
        consent_detail=consent_detail,
        response_days=days,
        due_date=due_date_for(case, days),
    )
    rows = [RequestRecipient(request=information_request, organisation=o) for o in organisations]
    rows += [RequestRecipient(request=information_request, organisation=p.organisation, user=p) for p in people]
    created = RequestRecipient.objects.bulk_create(rows)
    record(
        actor,
        "inforequest.created",
        information_request,
        **_ids(case),
        organisations=[o.pk for o in organisations],
        people=[p.pk for p in people],
        lawful_basis=lawful_basis,
        consent_position=consent_position,
        due_date=information_request.due_date.isoformat(),
    )
    message = f"You have an information request to answer by {long_date(information_request.due_date)}."
    for recipient in RequestRecipient.objects.filter(pk__in=[r.pk for r in created]):
        _tell_recipients(recipient, jobs.NEW, message, exclude=actor.pk)
    return information_request


# --- Answering -------------------------------------------------------------------------------
@dataclass
class _CheckedFile:
    file: File
    name: str
    mime: str
    extension: str


def _file_name(file) -> str:
    return (file.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]


def _check_files(files: list) -> tuple[list[_CheckedFile], list[str]]:
    checked, problems = [], []
    for file in files:
        name = _file_name(file)
        if file.size is not None and file.size > max_bytes():
            problems.append(too_large_message(name))
            continue
        if file.size == 0:
            problems.append(f"{name} is empty. Choose a file that has something in it")
            continue
        try:
            kind = check_upload(name, file)
        except FileTypeProblem as problem:
            problems.append(str(problem))
            continue
        checked.append(_CheckedFile(file, name, kind.mime, kind.extensions[0]))
    return checked, problems


def _sha256_of(file) -> str:
    digest = getattr(file, "sha256", None)
    if digest:
        return digest  # computed by LimitedUploadHandler while the upload streamed in
    hasher = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        hasher.update(chunk)
    file.seek(0)
    return hasher.hexdigest()


def _no_longer_pending(current: RequestRecipient) -> str:
    kept = "Your answer has not been saved: it is still in the form below if you want to keep a copy"
    if current.status == Status.WITHDRAWN:
        return f"This request was withdrawn on {long_date(timezone.localdate(current.withdrawn_at))}. {kept}"
    who = current.answered_by.full_name if current.answered_by_id else "Someone"
    when = long_date(timezone.localdate(current.answered_at)) if current.answered_at else "earlier"
    return f"{who} answered this request on {when}, while you were writing. {kept}"


OUTCOME_MESSAGE = "Choose whether you know this person, and whether you have information to share"
ANSWER_MESSAGE = "Enter the information you are providing"


def check_return_form(version, raw) -> tuple[dict, dict]:
    """(answers, errors) for an answer given on an information return form: the version's
    rules, worded for the request where a needed answer is missing. The form cannot ask for
    records (return_form.problems), so nothing is looked up."""
    from roundtable.formbuilder.answers import Lookups, question_paths, required_message, validate_answers
    from roundtable.inforequests.return_form import ANSWER, OUTCOME

    answers, errors = validate_answers(version.schema, raw, Lookups(today=timezone.localdate()))
    questions = question_paths(version.schema)
    if OUTCOME in errors:  # missing or not one of the options: say it as the request does
        errors[OUTCOME] = OUTCOME_MESSAGE
    provided = answers.get(OUTCOME) == Outcome.INFORMATION_PROVIDED
    if ANSWER in questions and provided and errors.get(ANSWER) == required_message(questions[ANSWER]):
        errors[ANSWER] = ANSWER_MESSAGE
    return answers, errors


@transaction.atomic
def do_answer_request(actor, recipient: RequestRecipient, *, outcome: str = "", answer: str = "", files=(), form=None):
    """Answer a request for oneself or one's organisation: once, with an outcome, text
    (required when providing information) and optional attachments.

    ``form``: (version, raw answers) when the case's panel or area uses an information
    return form (return_form.py). Its answers are checked against the version's rules (every
    problem at once, keyed by question id), give the outcome and text, and are kept whole as
    a submission of that version linked to the answer."""
    policy.permit(actor, "inforequest.answer", recipient)
    files = [f for f in files if f is not None]
    errors: dict = {}
    answers = None
    if form is not None:
        from roundtable.inforequests.return_form import details

        version, raw = form
        answers, errors = check_return_form(version, raw)
        outcome, answer = details(answers)
    answer = (answer or "").strip()
    if outcome not in Outcome.values:
        errors.setdefault("outcome", OUTCOME_MESSAGE)
    elif outcome == Outcome.INFORMATION_PROVIDED and not answer:
        errors.setdefault("answer", ANSWER_MESSAGE)
    checked: list[_CheckedFile] = []
    if files and outcome in Outcome.values and outcome != Outcome.INFORMATION_PROVIDED:
        errors["attachments"] = (
            "Attach files only when you are providing information. Remove them, or choose "
            f"'{Outcome.INFORMATION_PROVIDED.label}'"
        )
    elif len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = f"Attach {MAX_ATTACHMENTS} files or fewer. Combine the rest, for example into one PDF"
    elif files:
        checked, problems = _check_files(files)
        if problems:
            errors["attachments"] = problems
    if errors:
        raise ValidationError(errors)
    current = (
        RequestRecipient.objects.select_for_update(of=("self",)).select_related("answered_by").get(pk=recipient.pk)
    )
    if current.status != Status.PENDING:
        raise ValidationError(_no_longer_pending(current))
    stored: list[str] = []
    try:
        attachments = []
        for item in checked:
            attachment = AnswerAttachment(
                recipient=current,
                original_name=item.name,
                content_type=item.mime,
                size=item.file.size,
                sha256=_sha256_of(item.file),
                uploaded_by=actor,
            )
            # A random stored name: nothing the answerer typed ends up in a path or object key.
            item.file.seek(0)
            attachment.file.save(f"{uuid.uuid4().hex}.{item.extension}", item.file, save=False)
            stored.append(attachment.file.name)
            attachments.append(attachment)
        now = timezone.now()
        RequestRecipient.objects.filter(pk=current.pk).update(
            status=Status.ANSWERED, outcome=outcome, answer=answer, answered_by=actor, answered_at=now,
            version=current.version + 1,
        )  # fmt: skip
        AnswerAttachment.objects.bulk_create(attachments)
        case = recipient.request.case
        kept = _keep_return_form(actor, current, case, form[0], answers, now) if form is not None else None
        # The audit names the outcome and the files' hashes, never the answer's text.
        record(
            actor,
            "inforequest.answered",
            current,
            **_ids(case),
            request=recipient.request_id,
            outcome=outcome,
            attachments=[{"sha256": a.sha256, "size": a.size, "content_type": a.content_type} for a in attachments],
            **({"form_submission": kept.pk, "form_version": form[0].number} if kept else {}),
        )
    except Exception:
        for name in stored:
            AnswerAttachment.file.field.storage.delete(name)  # no orphan files for rows that never were
        raise
    _tell_requester(recipient.request, current.pk, jobs.ANSWERED, "has been answered", exclude=actor.pk)
    current.refresh_from_db()
    return current


def _keep_return_form(actor, recipient: RequestRecipient, case: Case, version, answers: dict, now):
    """Every answer given on the form, with its version, linked to the recipient's answer (not a
    chronology entry: the answer reaches the case only when it is shared)."""
    from roundtable.formbuilder import services as formbuilder_services

    submission = formbuilder_services.create_submitted(version, case, answers, actor, now)
    RequestRecipient.objects.filter(pk=recipient.pk).update(form_submission=submission)
    record(
        actor, "submission.submitted", submission, **_ids(case), version=version.number,
        via="information request", recipient=recipient.pk,
    )  # fmt: skip
    return submission


def _tell_requester(information_request, recipient_id: int, kind: str, what: str, exclude=None) -> list[User]:
    """Tell whoever sent the request (or, if they have left the case, its owners)."""
    told = []
    people = [information_request.requested_by]
    if not policy.visible(people[0], InformationRequest.objects.filter(pk=information_request.pk)).exists():
        owners = CaseMembership.objects.filter(case_id=information_request.case_id, role=CaseMembership.Role.OWNER)
        people = list(User.objects.filter(pk__in=owners.values("user_id"), is_active=True))
    reference = information_request.case.reference
    for person in people:
        if person.pk == exclude or not person.is_active:
            continue
        notify(person, f"An information request you sent on case {reference} {what}.", request_url(information_request),
               email=False)  # fmt: skip
        user_id = person.pk
        transaction.on_commit(lambda u=user_id: jobs.send_request_email.enqueue(kind, recipient_id, u))
        told.append(person)
    return told


# --- Sharing and withdrawing -----------------------------------------------------------------
def _entry_text(recipient: RequestRecipient) -> tuple[str, str]:
    information_request = recipient.request
    outcome = recipient.get_outcome_display()
    summary = f"Information received from {recipient.organisation.name}: {outcome[0].lower()}{outcome[1:]}"
    if len(summary) > 200:
        summary = summary[:199] + "…"
    answered_by = recipient.answered_by
    lines = [
        f"In answer to the information request sent by {information_request.requested_by.full_name} "
        f"({information_request.requester_organisation.name}) on "
        f"{long_date(timezone.localdate(information_request.created_at))}.",
        f"Answered by {answered_by.full_name} ({answered_by.organisation.name}) on "
        f"{long_date(timezone.localdate(recipient.answered_at))}.",
        f"Lawful basis: {information_request.get_lawful_basis_display()}"
        + (f" ({information_request.lawful_basis_detail})" if information_request.lawful_basis_detail else "")
        + ".",
        f"Consent: {information_request.get_consent_position_display()}"
        + (f" ({information_request.consent_detail})" if information_request.consent_detail else "")
        + ".",
        "",
        "Questions asked:",
        *[f"- {question}" for question in information_request.questions],
        "",
        f"Outcome: {outcome}.",
    ]
    if recipient.answer:
        lines += ["", "Answer:", recipient.answer]
    if recipient.form_submission_id:
        url = reverse("formbuilder:submission_detail", args=[recipient.form_submission_id])
        lines += ["", f"Every answer given on the information return form: {url}"]
    count = recipient.attachments.count()
    if count:
        lines += ["", f"{count} attached file{'s' if count != 1 else ''}: see the case's documents."]
    return summary, "\n".join(lines)


@transaction.atomic
def do_share_answer(actor, recipient: RequestRecipient) -> ChronologyEntry:
    """Put an answer on the case for every member to read: a chronology entry ("information
    received") with the answer, and its attachments as case documents on that entry."""
    from roundtable.cases.services import do_record_entry
    from roundtable.documents.services import do_upload_document

    policy.permit(actor, "inforequest.share", recipient)
    current = RequestRecipient.objects.select_for_update().get(pk=recipient.pk)
    if current.status != Status.ANSWERED:
        raise ValidationError("Only an answered request can be shared with the case")
    if current.shared_at is not None:
        shared_on = long_date(timezone.localdate(current.shared_at))
        raise ValidationError(f"This answer was already shared with the case on {shared_on}")
    current = RequestRecipient.objects.select_related(
        "request__case", "request__requested_by", "request__requester_organisation", "organisation",
        "answered_by__organisation",
    ).get(pk=current.pk)  # fmt: skip
    case = current.request.case
    summary, body = _entry_text(current)
    entry = do_record_entry(
        actor, case, kind=ChronologyEntry.Kind.INFORMATION_RECEIVED, summary=summary, body=body,
        occurred_at=current.answered_at,
    )  # fmt: skip
    documents = []
    for attachment in current.attachments.all():
        with attachment.file.open("rb") as handle:
            copy = File(handle, name=attachment.original_name)
            document = do_upload_document(
                actor, case, file=copy, title=f"{current.organisation.name}: {attachment.original_name}"[:200],
                entry_id=entry.pk,
            )  # fmt: skip
        documents.append(document.pk)
    RequestRecipient.objects.filter(pk=current.pk).update(
        shared_at=timezone.now(), shared_by=actor, shared_entry=entry, version=current.version + 1
    )
    record(actor, "inforequest.shared", current, **_ids(case), entry=entry.pk, documents=documents)
    return entry


@transaction.atomic
def do_withdraw_recipient(actor, recipient: RequestRecipient) -> RequestRecipient:
    """Stop asking one organisation or person: they no longer need to answer."""
    policy.permit(actor, "inforequest.withdraw", recipient)
    current = (
        RequestRecipient.objects.select_for_update(of=("self",)).select_related("answered_by").get(pk=recipient.pk)
    )
    if current.status != Status.PENDING:
        raise ValidationError(
            "This request has already been answered, so it cannot be withdrawn"
            if current.status == Status.ANSWERED
            else "This request has already been withdrawn"
        )
    RequestRecipient.objects.filter(pk=current.pk).update(
        status=Status.WITHDRAWN, withdrawn_at=timezone.now(), withdrawn_by=actor, version=current.version + 1
    )
    case = recipient.request.case
    record(actor, "inforequest.withdrawn", current, **_ids(case), request=recipient.request_id)
    url = request_url(recipient.request_id)
    for user in answerers(current).exclude(pk=actor.pk):
        notify(user, "An information request to you has been withdrawn. You do not need to answer it.", url,
               email=False)  # fmt: skip
    current.refresh_from_db()
    return current


# --- Reminders -------------------------------------------------------------------------------
@dataclass
class ReminderReport:
    due_soon: int = 0
    overdue: int = 0
    requesters_told: int = 0


# Bank holidays can put several calendar days between a deadline and the working day before it
# (Christmas and New Year in Scotland: up to six). Rows further off than this are not looked at.
LOOKAHEAD_DAYS = 10


def send_information_request_reminders(now: datetime | None = None) -> ReminderReport:
    """Remind the people asked one working day before the deadline (once), and when an answer
    becomes overdue flag it to them and to the sender (once each).

    Run daily (manage.py send_information_request_reminders). Safe to run again the same day
    or twice at once: each row is claimed by a conditional UPDATE before anything is sent."""
    from datetime import timedelta

    now = now or timezone.now()
    today = timezone.localdate(now)
    report = ReminderReport()
    waiting = RequestRecipient.objects.filter(status=Status.PENDING).exclude(request__case__state=Case.State.CLOSED)
    related = ("request__case__area", "request__case", "organisation")
    soon = waiting.filter(
        reminder_sent_at__isnull=True,
        request__due_date__gte=today,
        request__due_date__lte=today + timedelta(days=LOOKAHEAD_DAYS),
    )
    for recipient in soon.select_related(*related).order_by("request__due_date", "pk"):
        day_before_or_due = recipient.request.due_date <= add_working_days(today, 1, recipient.request.case.area.nation)
        if day_before_or_due and _remind_due_soon(recipient, now):
            report.due_soon += 1
    late = waiting.filter(overdue_notified_at__isnull=True, request__due_date__lt=today)
    by_request: dict[int, list[RequestRecipient]] = {}
    for recipient in late.select_related(*related, "request__requested_by").order_by("request_id", "pk"):
        if _flag_overdue(recipient, now):
            report.overdue += 1
            by_request.setdefault(recipient.request_id, []).append(recipient)
    for recipients in by_request.values():
        report.requesters_told += _tell_requester_overdue(recipients)
    return report


@transaction.atomic
def _remind_due_soon(recipient: RequestRecipient, now: datetime) -> bool:
    claimed = RequestRecipient.objects.filter(pk=recipient.pk, reminder_sent_at__isnull=True).update(
        reminder_sent_at=now
    )
    if not claimed:
        return False  # another run reminded this one already
    due = long_date(recipient.request.due_date)
    _tell_recipients(recipient, jobs.DUE_SOON, f"An information request to you is due by {due}.")
    record(
        None, "inforequest.reminder_sent", recipient, **_ids(recipient.request.case),
        actor_label="send_information_request_reminders", kind=jobs.DUE_SOON,
    )  # fmt: skip
    return True


@transaction.atomic
def _flag_overdue(recipient: RequestRecipient, now: datetime) -> bool:
    claimed = RequestRecipient.objects.filter(pk=recipient.pk, overdue_notified_at__isnull=True).update(
        overdue_notified_at=now
    )
    if not claimed:
        return False
    due = long_date(recipient.request.due_date)
    _tell_recipients(recipient, jobs.OVERDUE, f"An information request to you was due by {due}. Please answer it.")
    record(
        None, "inforequest.reminder_sent", recipient, **_ids(recipient.request.case),
        actor_label="send_information_request_reminders", kind=jobs.OVERDUE,
    )  # fmt: skip
    return True


@transaction.atomic
def _tell_requester_overdue(recipients: list[RequestRecipient]) -> int:
    """One notice per request to its sender, however many recipients became overdue at once."""
    information_request = recipients[0].request
    n = len(recipients)
    what = f"has {n} recipient{'s' if n != 1 else ''} who did not answer by the deadline"
    told = _tell_requester(information_request, recipients[0].pk, jobs.NOT_ANSWERED, what)
    record(
        None, "inforequest.overdue_flagged", information_request, **_ids(information_request.case),
        actor_label="send_information_request_reminders", recipients=[r.pk for r in recipients],
        told=[u.pk for u in told],
    )  # fmt: skip
    return len(told)
