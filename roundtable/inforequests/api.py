"""Information requests API: a case's requests, send one, read one, your inbox, answer, share,
withdraw, download an attachment.

Everything reads through the access policy; anything not visible is a 404. Write operations
check access before they read the body, so an outsider learns nothing from validation
messages either. Answers are JSON, or multipart/form-data with files in ``attachments``."""

import json
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status

from roundtable.access import policy
from roundtable.accounts.models import Organisation, User
from roundtable.api.bodies import json_body, parse_body, unprocessable
from roundtable.api.schemas import ErrorOut
from roundtable.cases.models import Case
from roundtable.documents.streaming import file_response
from roundtable.documents.uploads import too_large_message, use_limited_upload_handler
from roundtable.inforequests import services
from roundtable.inforequests.models import (
    MAX_DAYS,
    MIN_DAYS,
    STANDARD_QUESTIONS,
    AnswerAttachment,
    InformationRequest,
    RequestRecipient,
)

router = Router(tags=["information requests"])


class PersonOut(Schema):
    full_name: str
    date_of_birth: date | None
    approximate_age: int | None


class UserOut(Schema):
    id: int
    full_name: str
    organisation: str


class OrganisationOut(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    download_url: str


class FormAnswersOut(Schema):
    submission_id: int
    definition_id: int
    name: str
    version: int
    answers: dict = Field(description="Keyed by question id, as in /api/v1/forms/submissions")


class RecipientOut(Schema):
    id: int
    request_id: int
    organisation: OrganisationOut
    user: UserOut | None = Field(description="A named person; null when anyone at the organisation may answer")
    status: RequestRecipient.Status
    is_overdue: bool
    answer_visible: bool = Field(description="False: you may see that it was answered, not what was said")
    outcome: str | None
    answer: str | None
    answered_by: UserOut | None
    answered_at: datetime | None
    attachments: list[AttachmentOut]
    shared_at: datetime | None
    shared_entry_id: int | None
    can_answer: bool
    form: FormAnswersOut | None = Field(
        None, description="Answered on the panel's information return form: every answer as given"
    )


class RequestOut(Schema):
    id: int
    case_id: int | None = Field(description="Only for members of the case")
    case_reference: str | None = Field(description="Only for members of the case")
    person: PersonOut
    requested_by: UserOut
    created_at: datetime
    questions: list[str]
    lawful_basis: InformationRequest.LawfulBasis
    lawful_basis_label: str
    lawful_basis_detail: str
    consent_position: InformationRequest.Consent
    consent_label: str
    consent_detail: str
    response_days: int
    due_date: date
    recipients: list[RecipientOut] = Field(description="Those you may see: all for case members, yours otherwise")


class InboxItemOut(Schema):
    recipient: RecipientOut
    person: PersonOut
    requested_by: UserOut
    due_date: date


class RequestIn(Schema):
    organisation_ids: list[int] = Field([], description="Organisations to ask (anyone there may answer)")
    user_emails: list[str] = Field([], description="Named people to ask (only they may answer)")
    questions: list[str] = Field(
        [], description="Standard questions by key: " + ", ".join(f"{key} ({text})" for key, text in STANDARD_QUESTIONS)
    )
    custom_questions: list[str] = Field([], description="Questions of your own")
    lawful_basis: str = Field(description=", ".join(InformationRequest.LawfulBasis.values))
    lawful_basis_detail: str = Field("", description="Required for 'other'")
    consent_position: str = Field(description=", ".join(InformationRequest.Consent.values))
    consent_detail: str = Field("", description="Required for 'not_sought' and 'refused'")
    working_days: int | None = Field(
        None, description=f"Working days to answer ({MIN_DAYS}–{MAX_DAYS}); default: the deployment's (usually 5)"
    )


class AnswerIn(Schema):
    outcome: str = Field("", description=", ".join(RequestRecipient.Outcome.values))
    answer: str = Field("", description="Required for 'information_provided'")
    answers: dict | str | None = Field(
        None,
        description="When the case's panel or area uses an information return form: its answers keyed by "
        "question id (as for /api/v1/forms/submissions; in multipart, a JSON string), including 'outcome' "
        "and 'answer'. Without it, 'outcome' and 'answer' are checked against the form.",
    )


class ShareOut(Schema):
    entry_id: int
    recipient: RecipientOut


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "full_name": user.full_name, "organisation": user.organisation.name}


def _person(person) -> dict:
    return {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "approximate_age": person.approximate_age,
    }


def _recipient_out(request, recipient: RequestRecipient) -> dict:
    visible = recipient.answer_visible
    attachments = (
        recipient.attachments.all() if visible and recipient.status == RequestRecipient.Status.ANSWERED else []
    )
    return {
        "id": recipient.pk,
        "request_id": recipient.request_id,
        "organisation": {"id": recipient.organisation_id, "name": recipient.organisation.name},
        "user": _user(recipient.user),
        "status": recipient.status,
        "is_overdue": recipient.is_overdue,
        "answer_visible": visible,
        "outcome": (recipient.outcome or None) if visible else None,
        "answer": recipient.answer if visible and recipient.outcome else None,
        "answered_by": _user(recipient.answered_by),
        "answered_at": recipient.answered_at,
        "attachments": [
            {
                "id": a.pk,
                "original_name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "download_url": request.build_absolute_uri(f"/api/v1/information-requests/attachments/{a.pk}"),
            }
            for a in attachments
        ],
        "shared_at": recipient.shared_at,
        "shared_entry_id": recipient.shared_entry_id if visible else None,
        "can_answer": recipient.can_answer,
        "form": _form_out(recipient) if visible else None,
    }


def _form_out(recipient: RequestRecipient) -> dict | None:
    submission = recipient.form_submission
    if submission is None:
        return None
    return {
        "submission_id": submission.pk,
        "definition_id": submission.definition_id,
        "name": submission.version.schema.get("name", ""),
        "version": submission.version.number,
        "answers": submission.answers,
    }


def _request_out(request, information_request: InformationRequest) -> dict:
    member = policy.can(request.auth, "case.view", information_request.case)
    return {
        "id": information_request.pk,
        "case_id": information_request.case_id if member else None,
        "case_reference": information_request.case.reference if member else None,
        "person": _person(information_request.case.person),
        "requested_by": {
            "id": information_request.requested_by_id,
            "full_name": information_request.requested_by.full_name,
            "organisation": information_request.requester_organisation.name,
        },
        "created_at": information_request.created_at,
        "questions": information_request.questions,
        "lawful_basis": information_request.lawful_basis,
        "lawful_basis_label": information_request.get_lawful_basis_display(),
        "lawful_basis_detail": information_request.lawful_basis_detail,
        "consent_position": information_request.consent_position,
        "consent_label": information_request.get_consent_position_display(),
        "consent_detail": information_request.consent_detail,
        "response_days": information_request.response_days,
        "due_date": information_request.due_date,
        "recipients": [_recipient_out(request, r) for r in information_request.recipients.all()],
    }


def _visible_case(request, case_id: int) -> Case:
    return policy.get_visible_or_404(request.auth, Case.objects.select_related("person", "area"), pk=case_id)


def _fresh(request, recipient_pk: int) -> RecipientOut:
    """A recipient row as the caller now sees it (after a change)."""
    recipient = services.visible_recipient(request.auth, recipient_pk)
    information_request = services.visible_request(request.auth, recipient.request_id)
    found = next(r for r in information_request.recipients.all() if r.pk == recipient_pk)
    return _recipient_out(request, found)


@router.get(
    "/case/{case_id}",
    response={200: list[RequestOut], 404: ErrorOut},
    url_name="inforequest_case_list",
    summary="A case's information requests, newest first, with who has answered",
)
def case_requests(request, case_id: int):
    case = _visible_case(request, case_id)
    found = services.case_requests(request.auth, case, attachments=True)
    services.record_list_view(request.auth, case, found, via="api")
    for information_request in found:
        information_request.case = case
    return [_request_out(request, r) for r in found]


@router.post(
    "/case/{case_id}",
    response={201: RequestOut, 404: ErrorOut, 422: dict},
    url_name="inforequest_create",
    summary="Send an information request about the case's person",
    openapi_extra=json_body(RequestIn),
)
def create_request(request, case_id: int):
    case = _visible_case(request, case_id)
    policy.require(request.auth, "inforequest.create", case)
    payload = parse_body(request, RequestIn)
    organisations = list(Organisation.objects.filter(pk__in=payload.organisation_ids))
    missing = set(payload.organisation_ids) - {o.pk for o in organisations}
    emails = [email.strip().lower() for email in payload.user_emails if email.strip()]
    people = {u.email: u for u in User.objects.filter(email__in=emails).select_related("organisation")}
    errors = {}
    if missing:
        errors["organisation_ids"] = [f"There is no organisation {pk}" for pk in sorted(missing)]
    unknown = [email for email in emails if email not in people]
    if unknown:
        errors["user_emails"] = [f"Nobody with the e-mail address {email} uses Roundtable" for email in unknown]
    if errors:
        raise unprocessable(DjangoValidationError(errors))
    try:
        created = services.do_create_request(
            request.auth,
            case,
            organisations=organisations,
            people=[people[email] for email in dict.fromkeys(emails)],
            questions=payload.questions,
            custom_questions=payload.custom_questions,
            lawful_basis=payload.lawful_basis,
            lawful_basis_detail=payload.lawful_basis_detail,
            consent_position=payload.consent_position,
            consent_detail=payload.consent_detail,
            days=payload.working_days,
        )
    except DjangoValidationError as error:
        renames = {"organisations": "organisation_ids", "people": "user_emails", "days": "working_days"}
        if hasattr(error, "error_dict"):
            error = DjangoValidationError({renames.get(k, k): v for k, v in error.message_dict.items()})
        raise unprocessable(error) from None
    return Status(201, _request_out(request, services.visible_request(request.auth, created.pk)))


@router.get(
    "/inbox",
    response=list[InboxItemOut],
    url_name="inforequest_inbox",
    summary="Requests to you or your organisation: waiting ones overdue first (answered=true: the others)",
)
def inbox(request, answered: bool = False):
    policy.require(request.auth, "inforequest.inbox")
    found = services.inbox(request.auth, answered=answered).prefetch_related(services.with_attachments(request.auth))
    recipients = list(found[:500])
    services.record_inbox_view(request.auth, recipients, via="api")
    items = []
    for recipient in recipients:
        recipient.is_overdue = services.is_overdue(recipient)
        recipient.answer_visible = True  # addressed to the caller: they may read their own answer
        recipient.can_answer = policy.can(request.auth, "inforequest.answer", recipient)
        information_request = recipient.request
        items.append(
            {
                "recipient": _recipient_out(request, recipient),
                "person": _person(information_request.case.person),
                "requested_by": {
                    "id": information_request.requested_by_id,
                    "full_name": information_request.requested_by.full_name,
                    "organisation": information_request.requester_organisation.name,
                },
                "due_date": information_request.due_date,
            }
        )
    return items


@router.get(
    "/{request_id}",
    response={200: RequestOut, 404: ErrorOut},
    url_name="inforequest_detail",
    summary="One information request, with the answers you may read",
)
def request_detail(request, request_id: int):
    information_request = services.visible_request(request.auth, request_id)
    services.record_request_view(request.auth, information_request, via="api")
    return _request_out(request, information_request)


ANSWER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AnswerIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "outcome": {"type": "string", "enum": RequestRecipient.Outcome.values},
                        "answer": {"type": "string"},
                        "answers": {"type": "string", "description": "The form's answers as a JSON object"},
                        "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
    }
}


def _recipient_for(request, recipient_id: int, action: str) -> RequestRecipient:
    recipient = services.visible_recipient(request.auth, recipient_id)
    policy.require(request.auth, action, recipient)
    return recipient


def _answer_form(recipient: RequestRecipient, payload: AnswerIn):
    """(version, raw answers) when the case's panel or area uses an information return form."""
    from roundtable.inforequests.return_form import definition_for

    answers = payload.answers
    if isinstance(answers, str):
        try:
            answers = json.loads(answers)
        except ValueError:
            raise DjangoValidationError({"answers": "Send 'answers' as a JSON object of question ids"}) from None
    definition = definition_for(recipient.request.case)
    if definition is None:
        if answers is not None:
            raise DjangoValidationError(
                {"answers": "This request is answered without a form: send 'outcome' and 'answer' instead"}
            )
        return None
    if answers is None:
        answers = {"outcome": payload.outcome, "answer": payload.answer}
    return definition.latest_version, answers


@router.post(
    "/recipients/{recipient_id}/answer",
    response={200: RecipientOut, 404: ErrorOut, 422: dict},
    url_name="inforequest_answer",
    summary="Answer a request to you or your organisation (JSON, or multipart with files in 'attachments')",
    openapi_extra=ANSWER_BODY,
)
def answer(request, recipient_id: int):
    handler = use_limited_upload_handler(request)
    recipient = _recipient_for(request, recipient_id, "inforequest.answer")
    payload = parse_body(request, AnswerIn)
    files = request.FILES.getlist("attachments") if request.content_type == "multipart/form-data" else []
    try:
        if handler.too_large:
            raise DjangoValidationError({"attachments": [too_large_message(name) for name in handler.too_large]})
        form = _answer_form(recipient, payload)
        services.do_answer_request(
            request.auth, recipient, outcome=payload.outcome, answer=payload.answer, files=files, form=form
        )
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    except PermissionDenied:
        raise Http404 from None
    return _fresh(request, recipient.pk)


@router.post(
    "/recipients/{recipient_id}/share",
    response={200: ShareOut, 404: ErrorOut, 422: dict},
    url_name="inforequest_share",
    summary="Share an answer with the case: a chronology entry, attachments as case documents",
)
def share(request, recipient_id: int):
    recipient = _recipient_for(request, recipient_id, "inforequest.share")
    try:
        entry = services.do_share_answer(request.auth, recipient)
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return {"entry_id": entry.pk, "recipient": _fresh(request, recipient.pk)}


@router.post(
    "/recipients/{recipient_id}/withdraw",
    response={200: RecipientOut, 404: ErrorOut, 422: dict},
    url_name="inforequest_withdraw",
    summary="Stop asking one organisation or person",
)
def withdraw(request, recipient_id: int):
    recipient = _recipient_for(request, recipient_id, "inforequest.withdraw")
    try:
        services.do_withdraw_recipient(request.auth, recipient)
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return _fresh(request, recipient.pk)


@router.get(
    "/attachments/{attachment_id}",
    response={200: None, 206: None, 404: ErrorOut, 416: None},
    url_name="inforequest_attachment",
    summary="Download a file attached to an answer you may read (HTTP Range supported)",
)
def attachment(request, attachment_id: int):
    queryset = AnswerAttachment.objects.select_related("recipient__request__case")
    found = policy.get_visible_or_404(request.auth, queryset, pk=attachment_id)
    response, byte_range = file_response(request, found, inline=False)
    if response.status_code != 416:
        services.record_attachment_download(request.auth, found, byte_range=byte_range)
    return response
