"""Vulnerability assessments over the API: a case's assessments with their dimension scores,
one assessment with its ratings, start a draft, save it, complete it; an area's factors.

Everything reads through the access policy; anything not visible is a 404. Write operations
check access before they read the request body (roundtable/api/bodies.py), so an outsider
learns nothing from validation messages either."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from roundtable.access import policy
from roundtable.accounts.models import Area
from roundtable.api.bodies import json_body, parse_body
from roundtable.api.schemas import ErrorOut
from roundtable.assessments import services
from roundtable.assessments.models import Assessment, Rating
from roundtable.assessments.services import MAX_TEXT, TEXT_FIELDS, RatingInput
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.core.conflicts import EditConflict

router = Router(tags=["assessments"])

RatingValue = Literal[tuple(Rating.values)]
Text = Field(None, max_length=MAX_TEXT)


class Named(Schema):
    id: int
    name: str


class Scores(Schema):
    engagement: int | None = Field(description="0-100: present factors weighted low 1, medium 2, high 3")
    intent: int | None
    capability: int | None


class AssessmentSummaryOut(Schema):
    id: int
    case_id: int
    kind: str
    status: str
    assessed_on: date
    assessed_by: Named
    completed_by: Named | None
    completed_at: datetime | None
    scores: Scores = Field(description="Set when completed (null in a draft)")
    corrects_id: int | None
    superseded_by_id: int | None
    version: int


class RatingOut(Schema):
    factor_id: int
    dimension: str
    label: str
    present: bool | None
    rating: str | None
    evidence: str


class ChangeOut(Schema):
    factor_id: int
    dimension: str
    label: str
    kind: str
    before: str
    after: str


class AssessmentOut(AssessmentSummaryOut):
    engagement_summary: str
    intent_summary: str
    capability_summary: str
    conclusion: str
    management_plan: str
    changes_since_last: str
    previous_id: int | None = Field(description="The completed assessment this one is compared with")
    factor_changes: list[ChangeOut]
    ratings: list[RatingOut]


class RatingIn(Schema):
    factor_id: int
    present: bool | None = Field(None, description="null: not answered yet")
    rating: RatingValue | None = Field(None, description="Only kept when present is true")
    evidence: str = Field("", max_length=MAX_TEXT)


class DraftIn(Schema):
    """Fields left out (null) are not changed; each rating given replaces that factor's answer."""

    assessed_on: date | None = None
    engagement_summary: str | None = Text
    intent_summary: str | None = Text
    capability_summary: str | None = Text
    conclusion: str | None = Text
    management_plan: str | None = Text
    changes_since_last: str | None = Text
    ratings: list[RatingIn] = []


class UpdateIn(DraftIn):
    version: int = Field(description="The version you read; a newer saved version gives 409")


class CompleteIn(Schema):
    version: int = Field(description="The version you read; a newer saved version gives 409")


class ConflictOut(Schema):
    detail: str
    current: AssessmentOut
    conflicts: list[str]


class FactorOut(Schema):
    id: int
    dimension: str
    label: str
    guidance: str
    order: int
    retired: bool


def _named_user(user) -> dict | None:
    return {"id": user.pk, "name": user.full_name} if user else None


def summary_out(assessment: Assessment) -> dict:
    completed = not assessment.is_draft
    return {
        "id": assessment.pk,
        "case_id": assessment.case_id,
        "kind": assessment.kind,
        "status": assessment.status,
        "assessed_on": assessment.assessed_on,
        "assessed_by": _named_user(assessment.assessed_by),
        "completed_by": _named_user(assessment.completed_by),
        "completed_at": assessment.completed_at,
        "scores": assessment.scores if completed else dict.fromkeys(assessment.scores),
        "corrects_id": assessment.corrects_id,
        "superseded_by_id": assessment.superseded_by_id,
        "version": assessment.version,
    }


def assessment_out(assessment: Assessment) -> dict:
    ratings = services.ratings_of(assessment)
    return {
        **summary_out(assessment),
        **{name: getattr(assessment, name) for name in TEXT_FIELDS},
        "previous_id": getattr(services.previous_completed(assessment), "pk", None),
        "factor_changes": [c.as_dict() for c in services.changes_against_previous(assessment, ratings)],
        "ratings": [
            {
                "factor_id": r.factor_id,
                "dimension": r.dimension,
                "label": r.label,
                "present": r.present,
                "rating": r.rating or None,
                "evidence": r.evidence,
            }
            for r in ratings
        ],
    }


def _unprocessable(error: DjangoValidationError) -> NinjaValidationError:
    """Service errors as 422, with ratings located by factor: ["body", "ratings", 12, "evidence"]."""
    items = []
    for key, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
        if key.startswith("factor:"):
            _, factor_id, part = key.split(":")
            loc = ["body", "ratings", int(factor_id), part]
        else:
            loc = ["body", key]
        items.extend({"loc": loc, "msg": message} for message in messages)
    return NinjaValidationError(items)


def _visible(user, assessment_id: int) -> Assessment:
    related = ("case", "case__area", "assessed_by", "completed_by")
    return policy.get_visible_or_404(user, Assessment.objects.select_related(*related), pk=assessment_id)


def _audit(user, action: str, obj, case: Case, **details) -> None:
    with transaction.atomic():
        record(user, action, obj, case_id=case.pk, person_id=case.person_id, **details)


def _draft_changes(payload: DraftIn) -> tuple[dict, dict]:
    fields = {name: getattr(payload, name) for name in ("assessed_on", *TEXT_FIELDS)}
    fields = {name: value for name, value in fields.items() if value is not None}
    ratings = {}
    for item in payload.ratings:
        if item.factor_id in ratings:
            raise NinjaValidationError([{"loc": ["body", "ratings", item.factor_id], "msg": "Give each factor once"}])
        ratings[item.factor_id] = RatingInput(item.present, item.rating or "", item.evidence)
    return fields, ratings


@router.get(
    "/case/{case_id}",
    response={200: list[AssessmentSummaryOut], 404: ErrorOut},
    url_name="case_assessments",
    summary="A case's assessments, newest first, with each dimension's score",
)
def case_assessments(request, case_id: int):
    case = policy.get_visible_or_404(request.auth, Case.objects.all(), pk=case_id)
    assessments = list(services.case_assessments(request.auth, case)[:500])
    _audit(request.auth, "case.assessments_viewed", case, case, count=len(assessments))
    return [summary_out(a) for a in assessments]


@router.post(
    "/case/{case_id}",
    response={201: AssessmentOut, 404: ErrorOut, 422: dict},
    url_name="create_assessment",
    summary="Start a draft assessment of a case (one draft per case at a time)",
    openapi_extra=json_body(DraftIn),
)
def create_assessment(request, case_id: int):
    case = policy.get_visible_or_404(request.auth, Case.objects.select_related("area"), pk=case_id)
    policy.require(request.auth, "assessment.create", case)
    payload = parse_body(request, DraftIn)
    fields, ratings = _draft_changes(payload)
    try:
        with transaction.atomic():
            draft = services.do_start_assessment(request.auth, case, assessed_on=fields.pop("assessed_on", None))
            if fields or ratings:
                services.do_save_draft(request.auth, draft, draft.version, fields=fields, ratings=ratings)
    except DjangoValidationError as error:
        raise _unprocessable(error) from None
    return Status(201, assessment_out(_visible(request.auth, draft.pk)))


@router.get(
    "/factors",
    response={200: list[FactorOut], 404: ErrorOut},
    url_name="assessment_factors",
    summary="An area's assessment factors in framework order (yours if area_id is not given)",
)
def factors(request, area_id: int | None = None, include_retired: bool = False):
    user = request.auth
    area = Area.objects.filter(pk=area_id).first() if area_id else user.organisation.area
    if area is None or not policy.can(user, "factor.list", area):
        raise Http404
    return [
        {
            "id": f.pk,
            "dimension": f.dimension,
            "label": f.label,
            "guidance": f.guidance,
            "order": f.order,
            "retired": f.is_retired,
        }
        for f in services.factors_for(area, include_retired=include_retired)
    ]


@router.get(
    "/{assessment_id}",
    response={200: AssessmentOut, 404: ErrorOut},
    url_name="assessment_detail",
    summary="One assessment with its ratings and the factor changes since the previous one",
)
def assessment_detail(request, assessment_id: int):
    assessment = _visible(request.auth, assessment_id)
    _audit(request.auth, "assessment.viewed", assessment, assessment.case)
    return assessment_out(assessment)


def _conflict(request, assessment_id: int, conflict: EditConflict):
    current = _visible(request.auth, assessment_id)
    detail = "Someone else saved this assessment after you read it. Read it again and re-apply your change."
    return Status(
        409, {"detail": detail, "current": assessment_out(current), "conflicts": [c.field for c in conflict.conflicts]}
    )


@router.post(
    "/{assessment_id}",
    response={200: AssessmentOut, 404: ErrorOut, 409: ConflictOut, 422: dict},
    url_name="update_assessment",
    summary="Save a draft: any fields and any factors' answers (409 if someone saved a newer version)",
    openapi_extra=json_body(UpdateIn),
)
def update_assessment(request, assessment_id: int):
    assessment = _visible(request.auth, assessment_id)
    policy.require(request.auth, "assessment.edit", assessment)
    payload = parse_body(request, UpdateIn)
    fields, ratings = _draft_changes(payload)
    try:
        services.do_save_draft(request.auth, assessment, payload.version, fields=fields, ratings=ratings)
    except EditConflict as conflict:
        return _conflict(request, assessment_id, conflict)
    except DjangoValidationError as error:
        raise _unprocessable(error) from None
    except PermissionDenied:
        raise Http404 from None
    return assessment_out(_visible(request.auth, assessment_id))


@router.post(
    "/{assessment_id}/complete",
    response={200: AssessmentOut, 404: ErrorOut, 409: ConflictOut, 422: dict},
    url_name="complete_assessment",
    summary="Complete a draft: 422 lists everything still missing; then it is read-only",
    openapi_extra=json_body(CompleteIn),
)
def complete_assessment(request, assessment_id: int):
    assessment = _visible(request.auth, assessment_id)
    policy.require(request.auth, "assessment.edit", assessment)
    payload = parse_body(request, CompleteIn)
    try:
        services.do_complete_assessment(request.auth, assessment, payload.version)
    except EditConflict as conflict:
        return _conflict(request, assessment_id, conflict)
    except DjangoValidationError as error:
        raise _unprocessable(error) from None
    except PermissionDenied:
        raise Http404 from None
    return assessment_out(_visible(request.auth, assessment_id))
