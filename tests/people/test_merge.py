"""Merging duplicate profiles: an administrator's action; history kept; old links still work."""

import pytest

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import CaseMembership
from roundtable.people.matching import Criteria, find_matches
from roundtable.people.models import Person, Relationship
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, PersonFactory
from tests.people.factories import (
    AddressFactory,
    FlagFactory,
    InvolvementFactory,
    PersonNameFactory,
    SearchablePersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicates(cast):
    """Two profiles of one child, each on a case; the panel administrator is on both."""
    admin = cast["panel_admin"]
    survivor = SearchablePersonFactory(given_name="Riley", family_name="Ashcombe", created_by=cast["practitioner"])
    duplicate = SearchablePersonFactory(given_name="Rylee", family_name="Ashcomb", created_by=cast["panel_chair"])
    survivor_case = CaseFactory(owner=cast["practitioner"], person=survivor)
    duplicate_case = CaseFactory(owner=cast["panel_chair"], person=duplicate)
    for case in (survivor_case, duplicate_case):
        case.memberships.create(user=admin, role=CaseMembership.Role.VIEWER)
    sibling = PersonFactory(created_by=cast["panel_chair"])
    CaseFactory(owner=cast["panel_chair"], person=sibling)
    PersonNameFactory(person=duplicate, given_name="Ri", family_name="Ash")
    AddressFactory(person=duplicate, postcode="NS4 6RW")
    FlagFactory(person=duplicate, kind="lac")
    InvolvementFactory(person=duplicate)
    Relationship.objects.create(person=duplicate, related_person=sibling, kind="sister")
    Relationship.objects.create(person=survivor, related_person=duplicate, kind="self?")
    return {
        "admin": admin,
        "survivor": survivor,
        "duplicate": duplicate,
        "duplicate_case": duplicate_case,
        "sibling": sibling,
    }


def merge(client, d, keep="this"):
    return client.post(f"/people/{d['survivor'].pk}/merge/", {"other": d["duplicate"].pk, "keep": keep})


def test_an_administrator_who_sees_both_merges_and_everything_moves_to_the_survivor(client, duplicates):
    d = duplicates
    force_sign_in(client, d["admin"])
    response = merge(client, d)
    survivor = Person.objects.get(pk=d["survivor"].pk)
    assert response.url == f"/people/{survivor.pk}/"
    assert survivor.addresses.filter(postcode="NS4 6RW").exists()
    assert survivor.flags.filter(kind="lac").exists()
    assert survivor.involvements.count() == 1
    assert survivor.cases.filter(pk=d["duplicate_case"].pk).exists()
    assert {(n.given_name, n.family_name) for n in survivor.other_names.all()} == {("Ri", "Ash"), ("Rylee", "Ashcomb")}
    assert Relationship.objects.filter(person=survivor, related_person=d["sibling"]).exists()
    assert not Relationship.objects.filter(person=survivor, related_person=survivor).exists()
    duplicate = Person.objects.get(pk=d["duplicate"].pk)
    assert duplicate.merged_into_id == survivor.pk


def test_the_merge_is_audited_with_both_ids_on_both_profiles(client, duplicates):
    d = duplicates
    force_sign_in(client, d["admin"])
    merge(client, d)
    events = AuditEvent.objects.filter(action="person.merged")
    assert sorted(events.values_list("person_id", flat=True)) == sorted([d["survivor"].pk, d["duplicate"].pk])
    for event in events:
        assert event.details["survivor_id"] == d["survivor"].pk
        assert event.details["duplicate_id"] == d["duplicate"].pk


def test_the_merged_profiles_url_redirects_to_the_survivor(client, duplicates):
    d = duplicates
    force_sign_in(client, d["admin"])
    merge(client, d)
    response = client.get(f"/people/{d['duplicate'].pk}/flags/")
    assert response.status_code == 302
    assert response.url == f"/people/{d['survivor'].pk}/flags/"
    page = client.get(f"/people/{d['survivor'].pk}/").content.decode()
    assert "merged into this profile" in page


def test_the_survivor_is_found_by_the_duplicates_name_and_the_duplicate_is_not(duplicates, client):
    d = duplicates
    force_sign_in(client, d["admin"])
    merge(client, d)
    found = [m.person_id for m in find_matches(Criteria("Rylee", "Ashcomb"))]
    assert d["survivor"].pk in found
    assert d["duplicate"].pk not in found


def test_the_administrator_may_choose_the_other_profile_to_survive(client, duplicates):
    d = duplicates
    force_sign_in(client, d["admin"])
    merge(client, d, keep="other")
    assert Person.objects.get(pk=d["survivor"].pk).merged_into_id == d["duplicate"].pk


def test_a_practitioner_cannot_merge(client, cast, duplicates):
    d = duplicates
    force_sign_in(client, cast["practitioner"])
    assert client.get(f"/people/{d['survivor'].pk}/merge/").status_code == 404
    assert merge(client, d).status_code == 404
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_an_administrator_who_cannot_see_the_other_profile_cannot_pick_it(client, cast, duplicates):
    d = duplicates
    CaseMembership.objects.filter(case=d["duplicate_case"], user=d["admin"]).delete()
    force_sign_in(client, d["admin"])
    page = client.get(f"/people/{d['survivor'].pk}/merge/").content.decode()
    assert d["duplicate"].full_name not in page
    page = merge(client, d).content.decode()
    assert "Choose a profile from the list" in page
    assert Person.objects.filter(merged_into__isnull=False).count() == 0
