"""Cases, members and chronology entries over the API, through the same access policy and
services as the pages. A case you are not a member of is a 404, like one that does not
exist; a restricted entry's text is omitted for everyone not named on it.

Bodies are read after the access check (JSON, or form-encoded for simple clients), so a
caller learns nothing about a case they cannot see from validation errors either."""

from datetime import date, datetime
from typing import Literal

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from roundtable.access import policy
from roundtable.accounts.models import Organisation, User
from roundtable.api.bodies import json_body, parse_body
from roundtable.audit.services import record
from roundtable.cases import queries, services
from roundtable.cases.models import Case, CaseMembership, ChronologyEntry, EntryRevision
from roundtable.core.conflicts import EditConflict
from roundtable.people.models import Person

router = Router(tags=["cases"])

CaseKind = Literal[tuple(Case.Kind.values)]
CaseState = Literal[tuple(Case.State.values)]
EntryKind = Literal[tuple(ChronologyEntry.Kind.values)]
MemberRole = Literal[tuple(CaseMembership.Role.values)]


# --- Schemas ------------------------------------------------------------------------------------
class Named(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    reference: str
    kind: str
    state: str
    title: str
    person: Named | None
    owner: Named
    lead_organisation: Named
    created_at: datetime
    updated_at: datetime
    has_overdue_tasks: bool


class CasePageOut(Schema):
    items: list[CaseOut]
    page: int
    pages: int
    count: int


class CaseIn(Schema):
    kind: CaseKind
    title: str = pydantic.Field(min_length=1, max_length=200)
    person_id: int | None = None
    lead_organisation_id: int | None = None
    state: CaseState = "open"


class MemberOut(Schema):
    id: int
    user: Named
    organisation: Named
    role: str
    invited: bool


class MemberIn(Schema):
    email: str = pydantic.Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: MemberRole = "contributor"
    full_name: str = ""
    organisation_id: int | None = None
    organisation_name: str = ""
    sector: str = ""


class MemberRoleIn(Schema):
    role: MemberRole


class EntryOut(Schema):
    id: int
    case_id: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    author: Named
    organisation: Named
    version: int
    is_restricted: bool
    content_visible: bool
    placeholder: str | None = None
    summary: str | None = None
    body: str | None = None
    restricted_to: list[Named] | None = None
    amended: bool = False
    retracted_at: datetime | None = None
    retracted_by: Named | None = None
    retraction_reason: str | None = None


class EntryPageOut(Schema):
    items: list[EntryOut]
    older: str | None = pydantic.Field(None, description="Cursor: pass as `before` for the next (older) page")
    newer: str | None = pydantic.Field(None, description="Cursor: pass as `after` for the previous (newer) page")


class EntryIn(Schema):
    kind: EntryKind
    summary: str = pydantic.Field(min_length=1, max_length=200)
    body: str = ""
    occurred_at: datetime
    restricted: bool = False
    restricted_to: list[int] = []


class EntryAmendIn(Schema):
    version: int
    summary: str = pydantic.Field(min_length=1, max_length=200)
    body: str = ""
    occurred_at: datetime
    kind: EntryKind | None = None
    reason: str = ""


class RetractIn(Schema):
    reason: str = pydantic.Field(min_length=1, max_length=1000)


class RestrictIn(Schema):
    restricted: bool
    restricted_to: list[int] = []


class RevisionOut(Schema):
    version: int
    summary: str
    body: str
    occurred_at: datetime
    edited_by: Named
    edited_at: datetime
    reason: str


class FieldConflictOut(Schema):
    field: str
    theirs: str
    yours: str


class ConflictOut(Schema):
    detail: str
    current: EntryOut
    conflicts: list[FieldConflictOut]


class ErrorOut(Schema):
    detail: str
    errors: dict | list | None = None


# --- Helpers -----------------------------------------------------------------------------------


def _refuse(exc: Exception):
    if isinstance(exc, PermissionDenied):
        raise HttpError(403, str(exc) or "You cannot do that on this case.")
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = next(iter(errors.values()))[0]
        raise HttpError(422, first) from exc
    raise exc


def _case(request, case_id: int) -> Case:
    return policy.get_visible_or_404(
        request.auth, Case.objects.select_related("person", "owner", "lead_organisation"), pk=case_id
    )


def _audit(request, action: str, case: Case, **details) -> None:
    record(request.auth, action, case, case_id=case.pk, person_id=case.person_id, **details)


def _named(obj, label: str) -> dict:
    return {"id": obj.pk, "name": label}


def case_out(case: Case, has_overdue: bool | None = None) -> dict:
    overdue = getattr(case, "has_overdue_tasks", has_overdue)
    return {
        "id": case.pk,
        "reference": case.reference,
        "kind": case.kind,
        "state": case.state,
        "title": case.title,
        "person": _named(case.person, case.person.full_name) if case.person else None,
        "owner": _named(case.owner, case.owner.full_name),
        "lead_organisation": _named(case.lead_organisation, case.lead_organisation.name),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "has_overdue_tasks": bool(overdue),
    }


def _local_date(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"


def entry_out(entry: ChronologyEntry) -> dict:
    """What the API shows of an entry: content only when the policy set ``content_visible``."""
    visible = bool(entry.content_visible)
    out = {
        "id": entry.pk,
        "case_id": entry.case_id,
        "kind": entry.kind,
        "occurred_at": entry.occurred_at,
        "recorded_at": entry.recorded_at,
        "author": _named(entry.author, entry.author.full_name),
        "organisation": _named(entry.organisation, entry.organisation.name),
        "version": entry.version,
        "is_restricted": entry.is_restricted,
        "content_visible": visible,
        "retracted_at": entry.retracted_at,
        "retracted_by": _named(entry.retracted_by, entry.retracted_by.full_name) if entry.retracted_by else None,
    }
    if not visible:
        out["placeholder"] = (
            f"Restricted entry, {entry.get_kind_display().lower()} recorded "
            f"{_local_date(entry.recorded_at)} by {entry.author.full_name}, {entry.organisation.name}. "
            f"Ask {entry.author.full_name} for access."
        )
        return out
    out["amended"] = bool(getattr(entry, "was_amended", False))
    out["retraction_reason"] = entry.retraction_reason if entry.retracted_at else None
    if entry.retracted_at is None:
        out["summary"] = entry.summary
        out["body"] = entry.body
    if entry.is_restricted:
        out["restricted_to"] = [_named(user, user.full_name) for user in entry.restricted_to.all()]
    return out


def _entry(request, case: Case, entry_id: int) -> ChronologyEntry:
    return policy.get_visible_or_404(
        request.auth, queries.case_entries(request.auth, case).prefetch_related("restricted_to"), pk=entry_id
    )


def _fresh_entry(request, case: Case, entry_id: int) -> dict:
    return entry_out(_entry(request, case, entry_id))


def _case_members(case: Case, ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=ids, case_memberships__case=case))
    if len(users) != len(set(ids)):
        raise HttpError(422, "You can only name members of this case.")
    return users


# --- Cases ---------------------------------------------------------------------------------------
class CaseListQuery(Schema):
    kind: CaseKind | None = None
    state: CaseState | None = None
    owner: int | None = None
    mine: bool = False
    overdue: bool = False
    sort: Literal[tuple(queries.CASE_SORTS)] = "updated"
    order: Literal["asc", "desc"] = "desc"
    page: int = pydantic.Field(1, ge=1)
    page_size: int = pydantic.Field(25, ge=1, le=100)


@router.get("/", response=CasePageOut, url_name="case_list", summary="Cases you are a member of")
def list_cases(request, params: Query[CaseListQuery]):
    if not policy.can(request.auth, "case.list"):
        raise HttpError(403, "Your role does not work with cases.")
    filters = queries.CaseFilters(
        kind=params.kind or "",
        state=params.state or "",
        owner=params.owner,
        mine=params.mine,
        overdue=params.overdue,
        sort=params.sort,
        descending=params.order == "desc",
    )
    cases = queries.visible_cases(request.auth, filters)
    count = cases.count()
    start = (params.page - 1) * params.page_size
    items = list(cases[start : start + params.page_size])
    record(request.auth, "case.list_viewed", None, page=params.page, via="api")
    return {
        "items": [case_out(case) for case in items],
        "page": params.page,
        "pages": max(1, -(-count // params.page_size)),
        "count": count,
    }


@router.post(
    "/",
    response={201: CaseOut, 403: ErrorOut, 422: ErrorOut},
    url_name="case_create",
    summary="Open a case",
    openapi_extra=json_body(CaseIn),
)
def create_case(request):
    if not policy.can(request.auth, "case.create"):
        raise HttpError(403, "Your role cannot open cases.")
    data = parse_body(request, CaseIn)
    person = None
    if data.person_id is not None:
        person = policy.visible(request.auth, Person.objects.filter(pk=data.person_id)).first()
        if person is None:
            raise HttpError(422, "There is no person with that id that you can see.")
    lead = None
    if data.lead_organisation_id is not None:
        lead = Organisation.objects.filter(pk=data.lead_organisation_id, is_active=True).first()
        if lead is None:
            raise HttpError(422, "There is no organisation with that id.")
    try:
        case = services.do_create_case(
            request.auth, kind=data.kind, title=data.title, person=person, lead_organisation=lead, state=data.state
        )
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return Status(
        201, case_out(Case.objects.select_related("person", "owner", "lead_organisation").get(pk=case.pk), False)
    )


@router.get("/{int:case_id}", response=CaseOut, url_name="case_detail", summary="One case")
def get_case(request, case_id: int):
    case = _case(request, case_id)
    _audit(request, "case.viewed", case, via="api")
    overdue = Case.objects.filter(queries.overdue_tasks_exist(), pk=case.pk).exists()
    return case_out(case, overdue)


# --- Members -------------------------------------------------------------------------------------
def member_out(membership: CaseMembership) -> dict:
    user = membership.user
    return {
        "id": membership.pk,
        "user": _named(user, user.full_name),
        "organisation": _named(user.organisation, user.organisation.name),
        "role": membership.role,
        "invited": not user.is_active,
    }


def _memberships(request, case: Case):
    return policy.visible(
        request.auth, CaseMembership.objects.filter(case=case).select_related("user__organisation")
    ).order_by("user__full_name")


@router.get("/{int:case_id}/members", response=list[MemberOut], url_name="member_list", summary="Members of a case")
def list_members(request, case_id: int):
    case = _case(request, case_id)
    _audit(request, "case.members_viewed", case, via="api")
    return [member_out(m) for m in _memberships(request, case)]


@router.post(
    "/{int:case_id}/members",
    response={201: MemberOut, 403: ErrorOut, 422: ErrorOut},
    url_name="member_add",
    summary="Add a member (invites them if they have no account)",
    openapi_extra=json_body(MemberIn),
)
def add_member(request, case_id: int):
    case = _case(request, case_id)
    if not policy.can(request.auth, "case.manage_members", case):
        raise HttpError(403, "Only an owner of the case can add members.")
    data = parse_body(request, MemberIn)
    existing = User.objects.filter(email__iexact=data.email).first()
    try:
        if existing is not None:
            membership = services.do_add_member(request.auth, case, user=existing, role=data.role)
        else:
            organisation = None
            if data.organisation_id is not None:
                organisation = Organisation.objects.filter(pk=data.organisation_id, is_active=True).first()
                if organisation is None:
                    raise HttpError(422, "There is no organisation with that id.")
            elif not data.organisation_name.strip():
                raise HttpError(422, "They have no account: give organisation_id or organisation_name to invite them.")
            membership = services.do_invite_member(
                request.auth,
                case,
                email=data.email,
                full_name=data.full_name,
                role=data.role,
                organisation=organisation,
                organisation_name=data.organisation_name,
                sector=data.sector,
            )
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return Status(201, member_out(CaseMembership.objects.select_related("user__organisation").get(pk=membership.pk)))


def _membership(request, case, member_id: int) -> CaseMembership:
    membership = policy.get_visible_or_404(
        request.auth, _memberships(request, case).select_related("case"), pk=member_id
    )
    if not policy.can(request.auth, "case.manage_members", case):
        raise HttpError(403, "Only an owner of the case can change its members.")
    return membership


@router.post(
    "/{int:case_id}/members/{int:member_id}/role",
    response={200: MemberOut, 403: ErrorOut, 422: ErrorOut},
    url_name="member_role",
    summary="Change a member's role",
    openapi_extra=json_body(MemberRoleIn),
)
def change_member_role(request, case_id: int, member_id: int):
    case = _case(request, case_id)
    membership = _membership(request, case, member_id)
    data = parse_body(request, MemberRoleIn)
    try:
        services.do_change_member_role(request.auth, membership, data.role)
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return member_out(membership)


@router.post(
    "/{int:case_id}/members/{int:member_id}/remove",
    response={204: None, 403: ErrorOut, 422: ErrorOut},
    url_name="member_remove",
    summary="Remove a member",
)
def remove_member(request, case_id: int, member_id: int):
    case = _case(request, case_id)
    membership = _membership(request, case, member_id)
    try:
        services.do_remove_member(request.auth, membership)
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return Status(204, None)


# --- Chronology ------------------------------------------------------------------------------------
class EntryListQuery(Schema):
    kind: list[EntryKind] = []
    organisation: int | None = None
    author: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    before: str = ""
    after: str = ""
    limit: int = pydantic.Field(queries.ENTRY_PAGE_SIZE, ge=1, le=100)


@router.get(
    "/{int:case_id}/entries",
    response=EntryPageOut,
    url_name="entry_list",
    summary="Chronology entries, newest first (keyset-paged)",
)
def list_entries(request, case_id: int, params: Query[EntryListQuery]):
    case = _case(request, case_id)
    filters = queries.EntryFilters(
        kinds=params.kind,
        organisation=params.organisation,
        author=params.author,
        date_from=params.date_from,
        date_to=params.date_to,
        text=params.q.strip(),
    )
    entries = filters.apply(request.auth, queries.case_entries(request.auth, case)).prefetch_related("restricted_to")
    page = queries.entry_page(entries, before=params.before, after=params.after, size=params.limit)
    _audit(request, "case.chronology_viewed", case, shown=len(page.entries), via="api")
    return {"items": [entry_out(e) for e in page.entries], "older": page.older_cursor, "newer": page.newer_cursor}


@router.get("/{int:case_id}/entries/{int:entry_id}", response=EntryOut, url_name="entry_detail", summary="One entry")
def get_entry(request, case_id: int, entry_id: int):
    case = _case(request, case_id)
    entry = _entry(request, case, entry_id)
    _audit(request, "entry.viewed", case, entry=entry.pk, via="api")
    return entry_out(entry)


@router.get(
    "/{int:case_id}/entries/{int:entry_id}/revisions",
    response=list[RevisionOut],
    url_name="entry_revisions",
    summary="Earlier versions of an entry (empty when you may not read its content)",
)
def list_revisions(request, case_id: int, entry_id: int):
    case = _case(request, case_id)
    entry = _entry(request, case, entry_id)
    _audit(request, "entry.history_viewed", case, entry=entry.pk, via="api")
    revisions = policy.visible(request.auth, EntryRevision.objects.filter(entry=entry).select_related("edited_by"))
    return [
        {
            "version": r.version,
            "summary": r.summary,
            "body": r.body,
            "occurred_at": r.occurred_at,
            "edited_by": _named(r.edited_by, r.edited_by.full_name),
            "edited_at": r.edited_at,
            "reason": r.reason,
        }
        for r in revisions
    ]


@router.post(
    "/{int:case_id}/entries",
    response={201: EntryOut, 403: ErrorOut, 422: ErrorOut},
    url_name="entry_create",
    summary="Add a chronology entry",
    openapi_extra=json_body(EntryIn),
)
def create_entry(request, case_id: int):
    case = _case(request, case_id)
    if not policy.can(request.auth, "entry.create", case):
        raise HttpError(403, "Viewers cannot add entries to this case.")
    data = parse_body(request, EntryIn)
    named = _case_members(case, data.restricted_to) if data.restricted else []
    try:
        entry = services.do_record_entry(
            request.auth,
            case,
            kind=data.kind,
            summary=data.summary,
            body=data.body,
            occurred_at=data.occurred_at,
            restricted=data.restricted,
            restricted_to=named,
        )
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return Status(201, _fresh_entry(request, case, entry.pk))


@router.post(
    "/{int:case_id}/entries/{int:entry_id}/amend",
    response={200: EntryOut, 403: ErrorOut, 409: ConflictOut, 422: ErrorOut},
    url_name="entry_amend",
    summary="Amend an entry (send the version you read; 409 if someone else saved since)",
    openapi_extra=json_body(EntryAmendIn),
)
def amend_entry(request, case_id: int, entry_id: int):
    case = _case(request, case_id)
    entry = _entry(request, case, entry_id)
    if not policy.can(request.auth, "entry.amend", entry):
        raise HttpError(403, "Only the author can amend an entry, and not once it is retracted.")
    data = parse_body(request, EntryAmendIn)
    try:
        services.do_amend_entry(
            request.auth,
            entry,
            expected_version=data.version,
            kind=data.kind,
            summary=data.summary,
            body=data.body,
            occurred_at=data.occurred_at,
            reason=data.reason,
        )
    except EditConflict as conflict:
        return Status(
            409,
            {
                "detail": "Someone else changed this entry since you read it. Nothing was overwritten.",
                "current": _fresh_entry(request, case, entry.pk),
                "conflicts": [
                    {"field": c.field, "theirs": str(c.theirs), "yours": str(c.yours)} for c in conflict.conflicts
                ],
            },
        )
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return _fresh_entry(request, case, entry.pk)


@router.post(
    "/{int:case_id}/entries/{int:entry_id}/retract",
    response={200: EntryOut, 403: ErrorOut, 422: ErrorOut},
    url_name="entry_retract",
    summary="Retract an entry, with a reason",
    openapi_extra=json_body(RetractIn),
)
def retract_entry(request, case_id: int, entry_id: int):
    case = _case(request, case_id)
    entry = _entry(request, case, entry_id)
    if not policy.can(request.auth, "entry.retract", entry):
        raise HttpError(403, "Only the author or an owner of the case can retract an entry.")
    data = parse_body(request, RetractIn)
    try:
        services.do_retract_entry(request.auth, entry, reason=data.reason)
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return _fresh_entry(request, case, entry.pk)


@router.post(
    "/{int:case_id}/entries/{int:entry_id}/restrict",
    response={200: EntryOut, 403: ErrorOut, 422: ErrorOut},
    url_name="entry_restrict",
    summary="Restrict an entry to named members (or open it to the case again)",
    openapi_extra=json_body(RestrictIn),
)
def restrict_entry(request, case_id: int, entry_id: int):
    case = _case(request, case_id)
    entry = _entry(request, case, entry_id)
    if not policy.can(request.auth, "entry.restrict", entry):
        raise HttpError(403, "Only the author can change who may read an entry.")
    data = parse_body(request, RestrictIn)
    named = _case_members(case, data.restricted_to) if data.restricted else []
    try:
        services.do_restrict_entry(request.auth, entry, restricted=data.restricted, restricted_to=named)
    except (ValidationError, PermissionDenied) as exc:
        _refuse(exc)
    return _fresh_entry(request, case, entry.pk)
