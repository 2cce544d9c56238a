"""Form definitions (read) and submissions (create, read) over the API, through the same
access policy, rules and services as the pages.

A submission is created about a case the caller contributes to, against the definition's
latest published version, and checked by exactly the rules the page uses: a refusal is a
422 with a message per question (``errors``: question path → message)."""

import json
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from roundtable.access import policy
from roundtable.cases.models import Case
from roundtable.formbuilder import services
from roundtable.formbuilder.models import FormDefinition, FormVersion, Submission

PUBLIC_PAGE = "Public referral page"  # who sent a referral made with nobody signed in

router = Router(tags=["forms"])


class DefinitionOut(Schema):
    id: int
    name: str
    purpose: str
    status: str
    latest_version: int | None
    updated_at: datetime


class SubmissionOut(Schema):
    id: int
    definition_id: int
    version: int
    case_id: int
    status: str
    answers: dict
    submitted_at: datetime | None
    submitted_by: str
    entry_id: int | None


class SubmissionIn(Schema):
    definition_id: int
    case_id: int
    answers: dict


class ErrorOut(Schema):
    detail: str
    errors: dict | list | None = None


def _definition_out(definition: FormDefinition) -> dict:
    return {
        "id": definition.pk,
        "name": definition.name,
        "purpose": definition.purpose,
        "status": definition.status,
        "latest_version": definition.latest_version.number if definition.latest_version else None,
        "updated_at": definition.updated_at,
    }


def _submission_out(user, submission: Submission) -> dict:
    return {
        "id": submission.pk,
        "definition_id": submission.definition_id,
        "version": submission.version.number,
        "case_id": submission.case_id,
        "status": submission.status,
        "answers": services.answers_for_reader(user, submission),
        "submitted_at": submission.submitted_at,
        "submitted_by": submission.created_by.full_name if submission.created_by else PUBLIC_PAGE,
        "entry_id": submission.entry_id,
    }


def _body(request) -> SubmissionIn:
    try:
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            # Simple clients may post fields, with the answers as a JSON string.
            data = {**request.POST.dict(), "answers": json.loads(request.POST.get("answers") or "{}")}
        else:
            data = json.loads(request.body or b"{}")
        return SubmissionIn.model_validate(data)
    except ValueError as exc:
        raise HttpError(
            422, f"The body must be a JSON object with definition_id, case_id and answers ({exc})."
        ) from None


@router.get("/definitions", response=list[DefinitionOut], url_name="form_definition_list", summary="Forms of your area")
def list_definitions(request):
    if not policy.can(request.auth, "formdefinition.list"):
        raise HttpError(403, "Only people who work on cases can see forms.")
    definitions = policy.visible(request.auth, FormDefinition.objects.select_related("latest_version")).order_by("name")
    return [_definition_out(d) for d in definitions]


@router.get(
    "/definitions/{int:definition_id}",
    response=DefinitionOut,
    url_name="form_definition_detail",
    summary="One form definition",
)
def definition_detail(request, definition_id: int):
    definition = policy.get_visible_or_404(
        request.auth, FormDefinition.objects.select_related("latest_version"), pk=definition_id
    )
    return _definition_out(definition)


@router.get(
    "/definitions/{int:definition_id}/versions/{int:number}",
    response={200: dict},
    url_name="form_version_detail",
    summary="A published version's definition document (JSON, as in docs/formbuilder.md)",
)
def version_detail(request, definition_id: int, number: int):
    version = policy.get_visible_or_404(
        request.auth, FormVersion.objects.filter(definition_id=definition_id), number=number
    )
    return {"id": version.pk, "definition_id": definition_id, "number": version.number, "schema": version.schema}


@router.post(
    "/submissions",
    response={201: SubmissionOut, 403: ErrorOut, 422: ErrorOut},
    url_name="form_submission_create",
    summary="Submit a form about a case (checked by the same rules as the page)",
)
def create_submission(request):
    data = _body(request)
    case = policy.get_visible_or_404(request.auth, Case.objects.all(), pk=data.case_id)
    definition = policy.get_visible_or_404(request.auth, FormDefinition.objects.all(), pk=data.definition_id)
    if not policy.can(request.auth, "submission.start", case):
        raise HttpError(403, "Viewers cannot submit forms on this case.")
    try:
        # One transaction: a refused submission leaves no draft behind.
        with transaction.atomic():
            submission = services.do_start_submission(request.auth, definition, case)
            submission = services.do_submit_submission(request.auth, submission, data.answers)
    except services.SubmissionInvalid as invalid:
        return Status(422, {"detail": "Some answers break the form's rules.", "errors": invalid.errors})
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValidationError as exc:
        return Status(422, {"detail": " ".join(exc.messages)})
    return Status(201, _submission_out(request.auth, submission))


@router.get(
    "/submissions/{int:submission_id}",
    response=SubmissionOut,
    url_name="form_submission_detail",
    summary="A submission and its answers",
)
def submission_detail(request, submission_id: int):
    submission = policy.get_visible_or_404(
        request.auth, Submission.objects.select_related("version", "case", "created_by"), pk=submission_id
    )
    services.record_submission_view(request.auth, submission, via="api")
    return _submission_out(request.auth, submission)
