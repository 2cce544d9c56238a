"""Consent and support API: a case's consent history and recording a decision; its
interventions, adding one, changing status, adding progress; the providers of an area.

Everything reads through the access policy; anything not visible is a 404. Write
operations check access before they read the body (see api/bodies.py). Bodies are JSON
(form-encoded also accepted)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from roundtable.access import policy
from roundtable.accounts.models import Area, Organisation
from roundtable.api.bodies import json_body, parse_body, unprocessable
from roundtable.api.schemas import ErrorOut
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.core.conflicts import EditConflict
from roundtable.support import services
from roundtable.support.models import ConsentRecord, Intervention, InterventionProvider, SupportType

router = Router(tags=["support"])


# --- Schemas -----------------------------------------------------------------------------------
class ConsentOut(Schema):
    id: int
    person_id: int
    decision: ConsentRecord.Decision
    decided_by: ConsentRecord.DecidedBy
    decided_by_name: str
    decided_by_relationship: str
    occurred_on: date
    how: ConsentRecord.How
    how_detail: str
    capacity_note: str
    notes: str
    recorded_by: str
    recorded_at: datetime


class ConsentHistoryOut(Schema):
    in_force: bool
    problem: str | None = Field(description="Why support cannot start, in plain English; null when it can")
    records: list[ConsentOut]


class ConsentIn(Schema):
    decision: ConsentRecord.Decision
    decided_by: ConsentRecord.DecidedBy
    decided_by_name: str = Field("", description="Required unless the person decided for themselves")
    decided_by_relationship: str = Field("", description="Required when decided_by is other")
    occurred_on: date
    how: ConsentRecord.How
    how_detail: str = Field("", description="Required when how is other")
    capacity_note: str = Field("", description="Required when the person is 16 or over, or their age is unknown")
    notes: str = ""


class ProviderOut(Schema):
    id: int
    name: str
    area_id: int
    organisation: str | None
    contact: str
    dbs_checked_on: date | None
    dbs_expires_on: date | None
    dbs_warning: str | None
    active: bool


class PartnerOut(Schema):
    id: int
    name: str


class InterventionOut(Schema):
    id: int
    case_id: int
    support_type: SupportType
    custom_type: str
    type_label: str
    provider: ProviderOut | None
    provider_organisation: PartnerOut | None
    starts_on: date
    ends_on: date | None
    behaviours: str
    risks: str
    provider_risks: str
    status: Intervention.Status
    status_reason: str
    dbs_warning: str | None
    consent_flag: str | None = Field(description="Set on active support when consent is not in force")
    version: int


class UpdateOut(Schema):
    id: int
    occurred_on: date
    text: str
    status: str
    author: str
    recorded_at: datetime


class InterventionDetailOut(InterventionOut):
    updates: list[UpdateOut]


class InterventionIn(Schema):
    support_type: SupportType
    custom_type: str = Field("", description="Required when support_type is other")
    provider_id: int | None = Field(None, description="A provider from the register of the case's area")
    provider_organisation_id: int | None = Field(None, description="Or a partner organisation of the case's area")
    starts_on: date
    ends_on: date | None = None
    behaviours: str
    risks: str
    provider_risks: str
    status: Intervention.Status = Field(Intervention.Status.PLANNED, description="planned or active")


class StatusIn(Schema):
    status: Intervention.Status
    reason: str = Field("", description="Required when pausing or stopping")
    version: int = Field(description="The version you read; a newer saved version gives 409")


class ProgressIn(Schema):
    occurred_on: date
    text: str


class ConflictOut(Schema):
    detail: str
    current: InterventionOut
    conflicts: list[str]


# --- Output ------------------------------------------------------------------------------------
def consent_out(consent: ConsentRecord) -> dict:
    fields = ("decision", "decided_by", "decided_by_name", "decided_by_relationship", "occurred_on", "how")
    return {
        "id": consent.pk,
        "person_id": consent.person_id,
        **{name: getattr(consent, name) for name in fields},
        "how_detail": consent.how_detail,
        "capacity_note": consent.capacity_note,
        "notes": consent.notes,
        "recorded_by": consent.recorded_by.full_name,
        "recorded_at": consent.recorded_at,
    }


def provider_out(provider: InterventionProvider) -> dict:
    return {
        "id": provider.pk,
        "name": provider.name,
        "area_id": provider.area_id,
        "organisation": provider.organisation.name if provider.organisation_id else None,
        "contact": provider.contact,
        "dbs_checked_on": provider.dbs_checked_on,
        "dbs_expires_on": provider.dbs_expires_on,
        "dbs_warning": services.dbs_warning(provider),
        "active": provider.active,
    }


def intervention_out(item: Intervention) -> dict:
    partner = item.provider_organisation
    fields = ("support_type", "custom_type", "type_label", "starts_on", "ends_on", "behaviours", "risks")
    return {
        "id": item.pk,
        "case_id": item.case_id,
        **{name: getattr(item, name) for name in fields},
        "provider": provider_out(item.provider) if item.provider_id else None,
        "provider_organisation": {"id": partner.pk, "name": partner.name} if partner else None,
        "provider_risks": item.provider_risks,
        "status": item.status,
        "status_reason": item.status_reason,
        "dbs_warning": getattr(item, "dbs_warning", None),
        "consent_flag": getattr(item, "consent_flag", None),
        "version": item.version,
    }


def update_out(update) -> dict:
    return {
        "id": update.pk,
        "occurred_on": update.occurred_on,
        "text": update.text,
        "status": update.status,
        "author": update.author.full_name,
        "recorded_at": update.recorded_at,
    }


def _case(user, case_id: int) -> Case:
    return policy.get_visible_or_404(user, Case.objects.select_related("person", "area"), pk=case_id)


def _intervention(user, intervention_id: int) -> Intervention:
    related = ("case", "case__person", "case__area", "provider", "provider__organisation", "provider_organisation")
    return policy.get_visible_or_404(user, Intervention.objects.select_related(*related), pk=intervention_id)


def _audit_read(user, action: str, obj, case: Case, **details) -> None:
    with transaction.atomic():
        record(user, action, obj, case_id=case.pk, person_id=case.person_id, **details)


def _bad(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message}])


# --- Consent -----------------------------------------------------------------------------------
@router.get(
    "/case/{case_id}/consent",
    response={200: ConsentHistoryOut, 404: ErrorOut},
    url_name="support_consent",
    summary="A case's consent decisions, latest first, and whether support can start",
)
def consent(request, case_id: int):
    case = _case(request.auth, case_id)
    _audit_read(request.auth, "case.consent_viewed", case, case)
    records = list(services.consent_history(request.auth, case))
    state = services.consent_state(case, records)
    return {
        "in_force": state.in_force is not None,
        "problem": state.problem,
        "records": [consent_out(r) for r in records],
    }


@router.post(
    "/case/{case_id}/consent",
    response={201: ConsentOut, 404: ErrorOut, 422: dict},
    url_name="support_record_consent",
    summary="Record a consent decision (given, refused or withdrawn)",
    openapi_extra=json_body(ConsentIn),
)
def record_consent(request, case_id: int):
    case = _case(request.auth, case_id)
    policy.require(request.auth, "consent.record", case)
    payload = parse_body(request, ConsentIn)
    try:
        consent = services.do_record_consent(request.auth, case, **payload.dict())
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return Status(201, consent_out(consent))


# --- Interventions -----------------------------------------------------------------------------
@router.get(
    "/case/{case_id}/interventions",
    response={200: list[InterventionOut], 404: ErrorOut},
    url_name="support_interventions",
    summary="A case's support plan, with DBS warnings and consent flags",
)
def interventions(request, case_id: int):
    case = _case(request.auth, case_id)
    _audit_read(request.auth, "case.support_viewed", case, case)
    items = services.with_warnings(services.case_interventions(request.auth, case)[:500], services.consent_state(case))
    return [intervention_out(item) for item in items]


def _providers_from(user, case: Case, payload) -> dict:
    provider = partner = None
    if payload.provider_id is not None:
        provider = services.area_providers(user, case.area).filter(pk=payload.provider_id).first()
        if provider is None:
            raise _bad("provider_id", f"Choose a provider from the {case.area.name} register")
    if payload.provider_organisation_id is not None:
        partner = Organisation.objects.filter(pk=payload.provider_organisation_id, area=case.area).first()
        if partner is None:
            raise _bad("provider_organisation_id", f"Choose a partner organisation in {case.area.name}")
    return {"provider": provider, "provider_organisation": partner}


@router.post(
    "/case/{case_id}/interventions",
    response={201: InterventionOut, 404: ErrorOut, 422: dict},
    url_name="support_create_intervention",
    summary="Add support to a case's plan (status active needs consent in force)",
    openapi_extra=json_body(InterventionIn),
)
def create_intervention(request, case_id: int):
    case = _case(request.auth, case_id)
    policy.require(request.auth, "intervention.create", case)
    payload = parse_body(request, InterventionIn)
    fields = payload.dict(exclude={"provider_id", "provider_organisation_id"})
    try:
        item = services.do_create_intervention(
            request.auth, case, **fields, **_providers_from(request.auth, case, payload)
        )
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    item = _intervention(request.auth, item.pk)
    return Status(201, intervention_out(services.with_warnings([item], services.consent_state(case))[0]))


@router.get(
    "/interventions/{intervention_id}",
    response={200: InterventionDetailOut, 404: ErrorOut},
    url_name="support_intervention",
    summary="One piece of support with its progress updates",
)
def intervention_detail(request, intervention_id: int):
    item = _intervention(request.auth, intervention_id)
    _audit_read(request.auth, "intervention.viewed", item, item.case)
    (item,) = services.with_warnings([item], services.consent_state(item.case))
    updates = services.intervention_updates(request.auth, item)[:1000]
    return {**intervention_out(item), "updates": [update_out(u) for u in updates]}


@router.post(
    "/interventions/{intervention_id}/status",
    response={200: InterventionOut, 404: ErrorOut, 409: ConflictOut, 422: dict},
    url_name="support_intervention_status",
    summary="Start, pause, resume, complete or stop support (409 if someone saved a newer version)",
    openapi_extra=json_body(StatusIn),
)
def change_status(request, intervention_id: int):
    item = _intervention(request.auth, intervention_id)
    policy.require(request.auth, "intervention.change_status", item)
    payload = parse_body(request, StatusIn)
    try:
        services.do_change_intervention_status(
            request.auth, item, payload.version, status=payload.status, reason=payload.reason
        )
    except EditConflict as conflict:
        current = _intervention(request.auth, intervention_id)
        detail = "Someone else saved this support after you read it. Read it again and re-apply your change."
        return Status(
            409,
            {
                "detail": detail,
                "current": intervention_out(current),
                "conflicts": [c.field for c in conflict.conflicts],
            },
        )
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    except PermissionDenied:
        raise Http404 from None
    item = _intervention(request.auth, intervention_id)
    return intervention_out(services.with_warnings([item], services.consent_state(item.case))[0])


@router.post(
    "/interventions/{intervention_id}/progress",
    response={201: UpdateOut, 404: ErrorOut, 422: dict},
    url_name="support_add_progress",
    summary="Add a progress update to support",
    openapi_extra=json_body(ProgressIn),
)
def add_progress(request, intervention_id: int):
    item = _intervention(request.auth, intervention_id)
    policy.require(request.auth, "intervention.add_progress", item)
    payload = parse_body(request, ProgressIn)
    try:
        update = services.do_add_progress_update(request.auth, item, occurred_on=payload.occurred_on, text=payload.text)
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return Status(201, update_out(update))


# --- Providers ---------------------------------------------------------------------------------
@router.get(
    "/providers",
    response={200: list[ProviderOut], 404: ErrorOut},
    url_name="support_providers",
    summary="The intervention providers of an area (yours unless area_id is given)",
)
def providers(request, area_id: int | None = None, active_only: bool = False):
    user = request.auth
    area = user.organisation.area if area_id is None else Area.objects.filter(pk=area_id).first()
    if area is None:
        raise Http404
    if area.pk == user.organisation.area_id:
        policy.require(user, "provider.list")
    items = list(services.area_providers(user, area, active_only=active_only)[:1000])
    if area_id is not None and not items and area.pk != user.organisation.area_id:
        raise Http404  # an area whose register this user may not read looks like no area at all
    with transaction.atomic():
        record(user, "provider.register_viewed", None, area_id=area.pk, count=len(items))
    return [provider_out(provider) for provider in items]
