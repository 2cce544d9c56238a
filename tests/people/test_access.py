"""Need to know: a profile is visible through a case the user is a member of (or to its
creator while it has no case). Everyone else gets 404 on every page and API route."""

import json
import re

import pytest

from roundtable.access import policy
from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.cases.models import CaseMembership
from roundtable.people.models import Person, Relationship
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, PersonFactory
from tests.people.factories import (
    AddressFactory,
    FlagFactory,
    InvolvementFactory,
    PersonNameFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(cast):
    owner = cast["practitioner"]
    case = CaseFactory(owner=owner)
    person = case.person
    relative = CaseFactory(owner=owner).person
    return {
        "person": person,
        "name": PersonNameFactory(person=person),
        "address": AddressFactory(person=person),
        "flag": FlagFactory(person=person),
        "involvement": InvolvementFactory(person=person),
        "link": Relationship.objects.create(person=person, related_person=relative, kind="cousin"),
    }


def page_urls(p):
    pk = p["person"].pk
    return [
        f"/people/{pk}/",
        f"/people/{pk}/edit/",
        f"/people/{pk}/names/add/",
        f"/people/{pk}/addresses/",
        f"/people/{pk}/addresses/{p['address'].pk}/",
        f"/people/{pk}/family/",
        f"/people/{pk}/flags/",
        f"/people/{pk}/agencies/",
        f"/people/{pk}/agencies/{p['involvement'].pk}/",
        f"/people/{pk}/cases/",
        f"/people/{pk}/history/",
        f"/people/{pk}/merge/",
    ]


def post_urls(p):
    pk = p["person"].pk
    return [
        (f"/people/{pk}/edit/", {"given_name": "Changed", "family_name": "Name", "sex": "male", "version": 1}),
        (f"/people/{pk}/names/add/", {"kind": "alias", "given_name": "Sneaky"}),
        (f"/people/{pk}/names/{p['name'].pk}/remove/", {}),
        (f"/people/{pk}/addresses/", {"line1": "1 Sneaky Street"}),
        (f"/people/{pk}/addresses/{p['address'].pk}/", {"line1": "1 Sneaky Street"}),
        (f"/people/{pk}/family/{p['link'].pk}/remove/", {}),
        (f"/people/{pk}/flags/", {"kind": "cpp"}),
        (f"/people/{pk}/flags/{p['flag'].pk}/end/", {"ended": "1/1/2030"}),
        (f"/people/{pk}/agencies/", {"status": "not_known"}),
        (f"/people/{pk}/agencies/{p['involvement'].pk}/", {"status": "known_closed"}),
    ]


def api_calls(p):
    pk = p["person"].pk
    return [
        ("get", f"/api/v1/people/{pk}", None),
        ("patch", f"/api/v1/people/{pk}", {"version": 1, "given_name": "Changed"}),
        ("post", f"/api/v1/people/{pk}/names", {"kind": "alias", "given_name": "Sneaky"}),
        ("post", f"/api/v1/people/{pk}/addresses", {"line1": "1 Sneaky Street"}),
        ("post", f"/api/v1/people/{pk}/flags", {"kind": "cpp"}),
        ("post", f"/api/v1/people/{pk}/involvements", {"status": "not_known"}),
        ("post", f"/api/v1/people/{pk}/involvements/{p['involvement'].pk}", {"status": "known_closed"}),
    ]


OUTSIDERS = ["other_org_practitioner", "other_org_admin", "org_admin", "panel_chair", "system_admin", "auditor"]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_non_member_gets_404_on_every_profile_page(client, cast, profile, role):
    force_sign_in(client, cast[role])
    for url in page_urls(profile):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_non_member_cannot_change_anything_by_posting(client, cast, profile, role):
    force_sign_in(client, cast[role])
    before = AuditEvent.objects.count()
    for url, data in post_urls(profile):
        assert client.post(url, data).status_code == 404, url
    person = Person.objects.get(pk=profile["person"].pk)
    assert person.version == 1 and person.other_names.count() == 1 and person.addresses.count() == 1
    assert not AuditEvent.objects.filter(pk__gt=before, person_id=person.pk).exists()


@pytest.mark.parametrize("role", ["other_org_practitioner", "org_admin", "auditor"])
def test_a_non_member_gets_404_on_every_api_route(client, cast, profile, role):
    _, raw = do_create_token(cast[role], name="guess", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    for method, url, body in api_calls(profile):
        call = getattr(client, method)
        response = (
            call(url, data=json.dumps(body), content_type="application/json", headers=headers)
            if body
            else call(url, headers=headers)
        )
        assert response.status_code == 404, (method, url, response.content)


def test_a_user_of_another_organisation_guessing_ids_sees_the_same_404_as_for_a_missing_profile(client, cast, profile):
    force_sign_in(client, cast["other_org_practitioner"])
    existing = client.get(f"/people/{profile['person'].pk}/")
    missing = client.get("/people/999999/")
    assert existing.status_code == missing.status_code == 404

    # The same page, apart from per-response tokens (CSRF, CSP nonce).
    def scrub(content):
        return re.sub(r'(nonce|value)="[^"]*"', "", content.decode())

    assert scrub(existing.content) == scrub(missing.content)


def test_the_creator_sees_a_profile_until_it_has_a_case_they_are_not_on(cast):
    creator, other = cast["practitioner"], cast["panel_chair"]
    person = PersonFactory(created_by=creator)
    assert policy.visible(creator, Person.objects.filter(pk=person.pk)).exists()
    CaseFactory(owner=other, person=person)
    assert not policy.visible(creator, Person.objects.filter(pk=person.pk)).exists()
    assert policy.visible(other, Person.objects.filter(pk=person.pk)).exists()


def test_a_viewer_sees_the_profile_but_cannot_edit_it(client, cast, profile):
    viewer = cast["panel_chair"]
    profile["person"].cases.get().memberships.create(user=viewer, role=CaseMembership.Role.VIEWER)
    force_sign_in(client, viewer)
    page = client.get(f"/people/{profile['person'].pk}/")
    assert page.status_code == 200
    assert "Edit identity" not in page.content.decode()
    assert client.get(f"/people/{profile['person'].pk}/edit/").status_code == 404
    assert client.post(f"/people/{profile['person'].pk}/flags/", {"kind": "cpp"}).status_code == 404


def test_every_profile_view_is_recorded_with_the_person_id(client, cast, profile):
    force_sign_in(client, cast["practitioner"])
    person = profile["person"]
    for url in page_urls(profile)[:1] + [f"/people/{person.pk}/flags/", f"/people/{person.pk}/history/"]:
        client.get(url)
    sections = AuditEvent.objects.filter(action="person.viewed", person_id=person.pk).values_list(
        "details__section", flat=True
    )
    assert sorted(sections) == ["flags", "history", "profile"]


def test_who_has_seen_this_lists_each_viewer_and_their_organisation(client, cast, profile):
    person = profile["person"]
    colleague = cast["panel_admin"]
    person.cases.get().memberships.create(user=colleague, role=CaseMembership.Role.VIEWER)
    force_sign_in(client, colleague)
    client.get(f"/people/{person.pk}/")
    force_sign_in(client, cast["practitioner"])
    page = client.get(f"/people/{person.pk}/history/").content.decode()
    assert colleague.email in page
    assert colleague.organisation.name in page
    assert "Viewed" in page


def test_only_profiles_the_user_may_see_can_be_linked(client, cast, profile):
    person = profile["person"]
    stranger = CaseFactory(owner=cast["other_org_practitioner"]).person
    force_sign_in(client, cast["practitioner"])
    page = client.get(f"/people/{person.pk}/family/").content.decode()
    assert stranger.full_name not in page
    response = client.post(f"/people/{person.pk}/family/", {"related_person": stranger.pk, "kind": "brother"})
    assert "Choose a profile from the list" in response.content.decode()
    assert not Relationship.objects.filter(related_person=stranger).exists()


def test_a_link_to_a_profile_the_user_cannot_see_is_not_shown(client, cast, profile):
    person = profile["person"]
    hidden = CaseFactory(owner=cast["other_org_practitioner"]).person
    Relationship.objects.create(person=person, related_person=hidden, kind="father")
    force_sign_in(client, cast["practitioner"])
    page = client.get(f"/people/{person.pk}/family/").content.decode()
    assert "Cousin" in page
    assert hidden.full_name not in page and f"/people/{hidden.pk}/" not in page


def test_the_cases_section_lists_only_cases_the_user_is_a_member_of(client, cast, profile):
    person = profile["person"]
    mine = person.cases.get()
    theirs = CaseFactory(owner=cast["other_org_practitioner"], person=person)
    force_sign_in(client, cast["practitioner"])
    page = client.get(f"/people/{person.pk}/cases/").content.decode()
    assert mine.reference in page
    assert theirs.reference not in page
