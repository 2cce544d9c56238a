"""Permission matrix rows for the people app (see matrix.py).

The practitioner owns a case about the person (so may see and edit the profile); the
panel administrator is a viewer on it (may see, may not edit, may merge). Everyone
else — the organisation administrator of the same organisation, the chair, system
administrators, auditors and the other organisation's users guessing IDs — gets 404 on
every profile page and API route."""

from roundtable.cases.models import CaseMembership
from roundtable.people.models import Address, AgencyInvolvement, PersonName, Relationship, SafeguardingFlag
from tests.factories import CaseFactory, PersonFactory
from tests.security.rows import Row, roles

SEARCHERS = roles(
    "org_admin", "panel_chair", "panel_admin", "practitioner", "other_org_admin", "other_org_practitioner"
)
SEE = roles("practitioner", "panel_admin")
EDIT = roles("practitioner")
MERGE = roles("panel_admin")


def build(world):
    practitioner = world["practitioner"]
    case = CaseFactory(owner=practitioner)
    CaseMembership.objects.create(case=case, user=world["panel_admin"], role=CaseMembership.Role.VIEWER)
    person = case.person
    relative = PersonFactory(created_by=practitioner)
    CaseFactory(owner=practitioner, person=relative).memberships.create(
        user=world["panel_admin"], role=CaseMembership.Role.VIEWER
    )
    world["person"] = person
    world["person_name"] = PersonName.objects.create(person=person, kind="alias", given_name="Matrix")
    world["person_address"] = Address.objects.create(person=person, line1="1 Matrix Street", postcode="NS1 1AA")
    world["person_link"] = Relationship.objects.create(person=person, related_person=relative, kind="brother")
    world["person_flag"] = SafeguardingFlag.objects.create(person=person, kind="cin", recorded_by=practitioner)
    world["person_involvement"] = AgencyInvolvement.objects.create(
        person=person, organisation=practitioner.organisation, status="open_active", updated_by=practitioner
    )


def person(world):
    return {"pk": world["person"].pk}


def api_person(world):
    return {"person_id": world["person"].pk}


def search_data(world):
    return {"given_name": world["person"].given_name, "family_name": world["person"].family_name}


ROWS: dict[str, Row] = {
    # --- deconfliction and creation: any case worker ------------------------------------------
    "people:search": Row(SEARCHERS),
    "people:request_access": Row(SEARCHERS, method="POST", ok=302, data=search_data),
    # Without a search first, creation sends the user to search.
    "people:create": Row(SEARCHERS, ok=302),
    # --- profile pages: need to know -------------------------------------------------------------
    "people:detail": Row(SEE, kwargs=person),
    "people:addresses": Row(SEE, kwargs=person),
    "people:family": Row(SEE, kwargs=person),
    "people:flags": Row(SEE, kwargs=person),
    "people:agencies": Row(SEE, kwargs=person),
    "people:cases": Row(SEE, kwargs=person),
    "people:history": Row(SEE, kwargs=person),
    "people:edit": Row(EDIT, kwargs=person),
    "people:name_add": Row(EDIT, kwargs=person),
    "people:name_remove": Row(
        EDIT, method="POST", ok=302, kwargs=lambda w: {"pk": w["person"].pk, "name_pk": w["person_name"].pk}
    ),
    "people:address_edit": Row(EDIT, kwargs=lambda w: {"pk": w["person"].pk, "address_pk": w["person_address"].pk}),
    "people:relationship_remove": Row(
        EDIT, method="POST", ok=302, kwargs=lambda w: {"pk": w["person"].pk, "link_pk": w["person_link"].pk}
    ),
    "people:flag_end": Row(
        EDIT,
        method="POST",
        ok=302,
        kwargs=lambda w: {"pk": w["person"].pk, "flag_pk": w["person_flag"].pk},
        data=lambda w: {"ended": "1/1/2030"},
    ),
    # Only users of the row's organisation who may see the profile (here both who see it
    # belong to it; tests/people proves another agency cannot).
    "people:involvement_edit": Row(
        SEE, kwargs=lambda w: {"pk": w["person"].pk, "involvement_pk": w["person_involvement"].pk}
    ),
    "people:merge": Row(MERGE, kwargs=person),
    # --- API ---------------------------------------------------------------------------------------
    "api:people_list": Row(SEARCHERS, api=True, anonymous=401),
    "api:people_deconfliction": Row(SEARCHERS, api=True, anonymous=401, method="POST", data=search_data),
    "api:people_request_access": Row(SEARCHERS, api=True, anonymous=401, method="POST", data=search_data),
    "api:people_create": Row(
        SEARCHERS,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        data=lambda w: {"given_name": "Matrix", "family_name": "Newperson"},
    ),
    "api:people_get": Row(SEE, api=True, anonymous=401, kwargs=api_person),
    # The matrix client sends GET here (the same path as people_get); PATCH is covered in tests/people.
    "api:people_update": Row(SEE, api=True, anonymous=401, kwargs=api_person),
    "api:people_add_name": Row(
        EDIT,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=api_person,
        data=lambda w: {"kind": "alias", "given_name": "Mx"},
    ),
    "api:people_add_address": Row(
        EDIT, api=True, anonymous=401, method="POST", ok=201, kwargs=api_person, data=lambda w: {"line1": "2 Lane"}
    ),
    "api:people_add_flag": Row(
        EDIT, api=True, anonymous=401, method="POST", ok=201, kwargs=api_person, data=lambda w: {"kind": "ehcp"}
    ),
    # Any partner who may see the profile records its own organisation's involvement.
    "api:people_add_involvement": Row(
        SEE,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=api_person,
        data=lambda w: {"status": "not_known", "service": "Matrix service"},
    ),
    "api:people_update_involvement": Row(
        SEE,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"person_id": w["person"].pk, "involvement_id": w["person_involvement"].pk},
        data=lambda w: {"status": "known_closed"},
    ),
}
