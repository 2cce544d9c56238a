"""Query counts stay flat as data grows: the same bound at 10 rows and at 200."""

import pytest
from django.db import connection

from roundtable.accounts.models import Organisation
from roundtable.people.models import Relationship
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory
from tests.people.factories import (
    AddressFactory,
    FlagFactory,
    InvolvementFactory,
    PersonNameFactory,
    SearchablePersonFactory,
)

pytestmark = pytest.mark.django_db

SIZES = [10, 200]
# PostgreSQL takes the audit chain's advisory lock with one more statement.
AUDIT_LOCK = 1 if connection.vendor == "postgresql" else 0
# Session, user and 2FA device (3), the shared page furniture (unread notices), the page's own
# reads, one audit event (lock, head, insert)
# and the policy checks. Measured; any growth with rows fails at 200.
SEARCH_BOUND = 19
SECTION_BOUNDS = {
    "": 15,
    "addresses/": 13,
    "family/": 15,
    "flags/": 12,
    "agencies/": 14,
    "cases/": 13,
    "history/": 13,
}


@pytest.mark.parametrize("rows", SIZES)
def test_search_results_take_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries, rows):
    user = cast["practitioner"]
    for _ in range(rows):
        person = SearchablePersonFactory(given_name="Jordan", family_name="Samplewell", created_by=user)
        CaseFactory(owner=user, person=person)
    force_sign_in(client, user)
    with django_assert_max_num_queries(SEARCH_BOUND + AUDIT_LOCK):
        response = client.get("/people/", {"given_name": "Jordan", "family_name": "Samplewell"})
    assert response.content.decode().count("/people/") >= rows


@pytest.fixture
def full_profile(cast):
    def build(rows):
        user = cast["practitioner"]
        person = CaseFactory(owner=user).person
        area = user.organisation.area
        for _ in range(rows):
            PersonNameFactory(person=person)
            AddressFactory(person=person)
            FlagFactory(person=person)
            organisation = OrganisationFactory(area=area)
            InvolvementFactory(person=person, organisation=organisation, updated_by=user)
            relative = CaseFactory(owner=user).person
            Relationship.objects.create(person=person, related_person=relative, kind="cousin")
            CaseFactory(owner=user, person=person)
        assert Organisation.objects.count() >= rows
        return user, person

    return build


@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("section", list(SECTION_BOUNDS))
def test_each_profile_section_takes_a_fixed_number_of_queries(
    client, full_profile, django_assert_max_num_queries, rows, section
):
    user, person = full_profile(rows)
    force_sign_in(client, user)
    client.get(f"/people/{person.pk}/history/")  # some history to list
    with django_assert_max_num_queries(SECTION_BOUNDS[section] + AUDIT_LOCK):
        response = client.get(f"/people/{person.pk}/{section}")
    assert response.status_code == 200
