"""People API: the same services and access policy as the pages. Anything the token's user
may not see answers 404; invalid input 422; a stale version 409."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from roundtable.access import policy
from roundtable.api.bodies import json_body, parse_body
from roundtable.api.schemas import ErrorOut
from roundtable.audit.services import record
from roundtable.core.conflicts import EditConflict
from roundtable.people import services
from roundtable.people.matching import Criteria, is_postcode
from roundtable.people.models import AgencyInvolvement, Person, PersonName, SafeguardingFlag, Sex

router = Router(tags=["people"])


# --- Schemas ---------------------------------------------------------------------------------
class NameOut(Schema):
    id: int
    kind: PersonName.Kind
    given_name: str
    family_name: str


class AddressOut(Schema):
    id: int
    line1: str
    line2: str
    town: str
    postcode: str
    moved_in: date | None
    moved_out: date | None


class FlagOut(Schema):
    id: int
    kind: SafeguardingFlag.Kind
    label: str
    detail: str
    started: date | None
    ended: date | None

    @staticmethod
    def resolve_label(flag):
        return flag.get_kind_display()


class InvolvementOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.name")
    service: str
    status: AgencyInvolvement.Status
    stage: str
    contact: str


class PersonSummaryOut(Schema):
    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    approximate_age: int | None


class PersonOut(PersonSummaryOut):
    sex: Sex
    gender: str
    ethnicity: str
    languages: str
    nationality: str
    immigration_status: str
    school_or_employer: str
    phone: str
    email: str
    version: int
    merged_into_id: int | None
    other_names: list[NameOut]
    addresses: list[AddressOut]
    flags: list[FlagOut]
    involvements: list[InvolvementOut]

    @staticmethod
    def resolve_other_names(person):
        return list(person.other_names.all())

    @staticmethod
    def resolve_addresses(person):
        return list(person.addresses.all())

    @staticmethod
    def resolve_flags(person):
        return list(person.flags.all())

    @staticmethod
    def resolve_involvements(person):
        return list(person.involvements.all())


class PersonIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    date_of_birth: date | None = None
    approximate_age: int | None = Field(None, ge=0, le=120)
    sex: Sex = Sex.NOT_KNOWN
    gender: str = Field("", max_length=100)
    ethnicity: str = Field("", max_length=100)
    languages: str = Field("", max_length=200)
    nationality: str = Field("", max_length=100)
    immigration_status: str = Field("", max_length=200)
    school_or_employer: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)
    email: str = Field("", max_length=254)


class PersonPatch(Schema):
    version: int = Field(..., description="The version you read. A stale version gets 409.")
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: date | None = None
    approximate_age: int | None = Field(None, ge=0, le=120)
    sex: Sex | None = None
    gender: str | None = Field(None, max_length=100)
    ethnicity: str | None = Field(None, max_length=100)
    languages: str | None = Field(None, max_length=200)
    nationality: str | None = Field(None, max_length=100)
    immigration_status: str | None = Field(None, max_length=200)
    school_or_employer: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=254)


NULLABLE = {"date_of_birth", "approximate_age"}


class ConflictField(Schema):
    field: str
    theirs: str
    yours: str


class ConflictOut(Schema):
    detail: str
    current_version: int
    conflicts: list[ConflictField]


class SearchIn(Schema):
    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    date_of_birth: date | None = None
    postcode: str = Field("", max_length=10)


class SearchOut(Schema):
    matches: list[PersonSummaryOut]
    held_by: list[str] = Field(..., description="Organisations holding possible matches you may not see. Nothing else.")


class RequestAccessOut(Schema):
    detail: str


class NameIn(Schema):
    kind: PersonName.Kind
    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)


class AddressIn(Schema):
    line1: str = Field(..., min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    town: str = Field("", max_length=100)
    postcode: str = Field("", max_length=10)
    moved_in: date | None = None
    moved_out: date | None = None


class FlagIn(Schema):
    kind: SafeguardingFlag.Kind
    detail: str = Field("", max_length=200)
    started: date | None = None
    ended: date | None = None


class InvolvementIn(Schema):
    service: str = Field("", max_length=200)
    status: AgencyInvolvement.Status
    stage: str = Field("", max_length=200)
    contact: str = Field("", max_length=200)


# --- Helpers ---------------------------------------------------------------------------------


DETAIL = Person.objects.select_related("created_by").prefetch_related(
    "other_names", "addresses", "flags", "involvements__organisation"
)


def _person(request, person_id: int) -> Person:
    """The person if the token's user may see it, else 404 (no such thing and not yours alike)."""
    person = policy.visible(request.auth, DETAIL.filter(pk=person_id)).first()
    if person is None:
        raise HttpError(404, "Not found.")
    return person


def _invalid(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        errors = [{"field": name, "message": message} for name, msgs in exc.message_dict.items() for message in msgs]
    else:
        errors = [{"field": None, "message": message} for message in exc.messages]
    return Status(422, {"detail": " ".join(error["message"] for error in errors)})


def _criteria(body: SearchIn) -> Criteria:
    if not (body.given_name.strip() or body.family_name.strip()):
        raise HttpError(422, "Give a given_name or a family_name to search for.")
    if body.postcode and not is_postcode(body.postcode):
        raise HttpError(422, "postcode is not a real postcode, for example NS1 4AB.")
    return Criteria(body.given_name.strip(), body.family_name.strip(), body.date_of_birth, body.postcode)


def _allowed(request, action: str, obj=None) -> None:
    if not policy.can(request.auth, action, obj):
        raise HttpError(404, "Not found.")


# --- Routes ------------------------------------------------------------------------------------
@router.get("/", response=list[PersonSummaryOut], url_name="people_list", summary="People you may see")
@paginate(LimitOffsetPagination)
def list_people(request, q: str = ""):
    _allowed(request, "person.search")
    people = policy.visible(request.auth, Person.objects.filter(merged_into__isnull=True))
    for part in q.split():
        people = people.filter(Q(given_name__icontains=part) | Q(family_name__icontains=part))
    record(request.auth, "person.listed", None, q=q)
    return people.only("pk", "given_name", "family_name", "date_of_birth", "approximate_age")


@router.post(
    "/deconfliction",
    response={200: SearchOut, 404: ErrorOut, 422: ErrorOut},
    url_name="people_deconfliction",
    summary="Deconfliction search: matches you may see, and who holds the others",
    openapi_extra=json_body(SearchIn),
)
def deconfliction(request):
    _allowed(request, "person.search")
    body = parse_body(request, SearchIn)
    result = services.do_search_people(request.auth, _criteria(body))
    return {"matches": result.visible, "held_by": result.held_by}


@router.post(
    "/deconfliction/request-access",
    response={200: RequestAccessOut, 404: ErrorOut, 422: ErrorOut},
    url_name="people_request_access",
    summary="Ask the holders of matches you may not see for access",
    openapi_extra=json_body(SearchIn),
)
def request_access(request):
    _allowed(request, "person.request_access")
    body = parse_body(request, SearchIn)
    services.do_request_access(request.auth, _criteria(body))
    return {"detail": "Your request has been sent to the organisations holding possible matches."}


@router.post(
    "/",
    response={201: PersonOut, 404: ErrorOut, 422: ErrorOut},
    url_name="people_create",
    summary="Create a profile (search with /deconfliction first)",
    openapi_extra=json_body(PersonIn),
)
def create_person(request):
    _allowed(request, "person.create")
    body = parse_body(request, PersonIn)
    try:
        person = services.do_create_person(request.auth, identity=body.dict())
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _person(request, person.pk))


@router.get("/{person_id}", response={200: PersonOut, 404: ErrorOut}, url_name="people_get", summary="One profile")
def get_person(request, person_id: int):
    person = _person(request, person_id)
    services.record_profile_view(request.auth, person, "api")
    return person


@router.patch(
    "/{person_id}",
    response={200: PersonOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut},
    url_name="people_update",
    summary="Change identity fields (send the version you read)",
    openapi_extra=json_body(PersonPatch),
)
def update_person(request, person_id: int):
    person = _person(request, person_id)
    _allowed(request, "person.edit", person)
    body = parse_body(request, PersonPatch)
    changes = body.dict(exclude_unset=True)
    version = changes.pop("version")
    blanked = sorted(name for name, value in changes.items() if value is None and name not in NULLABLE)
    if blanked:
        raise HttpError(422, f"These fields cannot be null: {', '.join(blanked)}. Send an empty string instead.")
    try:
        services.do_update_person(request.auth, person, expected_version=version, changes=changes)
    except EditConflict as exc:
        return Status(
            409,
            {
                "detail": "Someone else saved this profile since you read it. Read it again and re-apply your changes.",
                "current_version": exc.current.version,
                "conflicts": [
                    {"field": c.field, "theirs": str(c.theirs), "yours": str(c.yours)} for c in exc.conflicts
                ],
            },
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _person(request, person_id))


def _add(request, person_id: int, action: str, service, schema: type[Schema], check=None):
    person = _person(request, person_id)
    _allowed(request, action, person)
    body = parse_body(request, schema)
    if check:
        check(body)
    try:
        service(request.auth, person, **body.dict())
    except ValidationError as exc:
        return _invalid(exc)
    except PermissionDenied:
        raise HttpError(404, "Not found.") from None
    return Status(201, _person(request, person_id))


ADD_RESPONSES = {201: PersonOut, 404: ErrorOut, 422: ErrorOut}


@router.post(
    "/{person_id}/names",
    response=ADD_RESPONSES,
    url_name="people_add_name",
    summary="Add another name",
    openapi_extra=json_body(NameIn),
)
def add_name(request, person_id: int):
    return _add(request, person_id, "person.edit", services.do_add_name, NameIn)


def _check_postcode(body) -> None:
    if body.postcode and not is_postcode(body.postcode):
        raise HttpError(422, "postcode is not a real postcode, for example NS1 4AB.")


@router.post(
    "/{person_id}/addresses",
    response=ADD_RESPONSES,
    url_name="people_add_address",
    summary="Add an address",
    openapi_extra=json_body(AddressIn),
)
def add_address(request, person_id: int):
    return _add(request, person_id, "person.edit", services.do_add_address, AddressIn, _check_postcode)


@router.post(
    "/{person_id}/flags",
    response=ADD_RESPONSES,
    url_name="people_add_flag",
    summary="Add a flag",
    openapi_extra=json_body(FlagIn),
)
def add_flag(request, person_id: int):
    return _add(request, person_id, "person.edit", services.do_add_flag, FlagIn)


@router.post(
    "/{person_id}/involvements",
    response=ADD_RESPONSES,
    url_name="people_add_involvement",
    summary="Record your own organisation's involvement",
    openapi_extra=json_body(InvolvementIn),
)
def add_involvement(request, person_id: int):
    return _add(request, person_id, "person.add_involvement", services.do_add_involvement, InvolvementIn)


@router.post(
    "/{person_id}/involvements/{involvement_id}",
    response={200: PersonOut, 404: ErrorOut, 422: ErrorOut},
    url_name="people_update_involvement",
    summary="Update your own organisation's involvement row",
    openapi_extra=json_body(InvolvementIn),
)
def update_involvement(request, person_id: int, involvement_id: int):
    person = _person(request, person_id)
    involvement = policy.visible(request.auth, AgencyInvolvement.objects.filter(person=person, pk=involvement_id))
    involvement = involvement.select_related("person").first()
    if involvement is None:
        raise HttpError(404, "Not found.")
    _allowed(request, "involvement.edit", involvement)
    body = parse_body(request, InvolvementIn)
    try:
        services.do_update_involvement(request.auth, involvement, **body.dict())
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _person(request, person_id))
