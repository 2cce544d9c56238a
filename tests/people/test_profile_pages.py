"""The profile pages: identity bar, sections, and adding to the record with clear errors."""

from datetime import date, timedelta

import pytest

from roundtable.audit.models import AuditEvent
from roundtable.people.models import Address, PersonName, SafeguardingFlag
from tests.conftest import force_sign_in
from tests.factories import CaseFactory
from tests.people.factories import AddressFactory, FlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_and_person(cast, client):
    owner = cast["practitioner"]
    person = CaseFactory(owner=owner).person
    person.date_of_birth = date(2012, 3, 3)
    person.save()
    force_sign_in(client, owner)
    return owner, person


def test_the_identity_bar_shows_name_date_of_birth_age_and_current_flags_as_badges(client, owner_and_person):
    _owner, person = owner_and_person
    FlagFactory(person=person, kind="cpp")
    FlagFactory(person=person, kind="lac", ended=date.today() - timedelta(days=30))
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "moj-identity-bar" in page
    assert person.full_name in page
    assert f"Born 3 March 2012 (age {person.age})" in page
    assert '<strong class="moj-badge moj-badge--red">Child Protection Plan</strong>' in page
    assert 'moj-badge--red">Looked After Child' not in page  # ended flags are not current
    for label in (
        "Profile",
        "Addresses",
        "Family and household",
        "Flags",
        "Agencies involved",
        "Cases",
        "Who has seen this",
    ):
        assert f">{label}</a>" in page


def test_an_approximate_age_is_shown_when_the_date_of_birth_is_not_known(client, owner_and_person):
    _owner, person = owner_and_person
    person.date_of_birth, person.approximate_age = None, 15
    person.save()
    assert "Approximate age 15" in client.get(f"/people/{person.pk}/").content.decode()


def test_several_other_names_can_be_added_one_after_another(client, owner_and_person):
    _owner, person = owner_and_person
    url = f"/people/{person.pk}/names/add/"
    first = client.post(url, {"kind": "alias", "given_name": "Jay", "add_another": "1"})
    assert first.url == url
    client.post(url, {"kind": "previous", "family_name": "Dunmore"})
    assert set(PersonName.objects.filter(person=person).values_list("kind", flat=True)) == {"alias", "previous"}
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Jay" in page and "Dunmore" in page
    assert AuditEvent.objects.filter(action="person.name_added", person_id=person.pk).count() == 2


def test_an_empty_other_name_gets_a_clear_error(client, owner_and_person):
    _owner, person = owner_and_person
    page = client.post(f"/people/{person.pk}/names/add/", {"kind": "alias"}).content.decode()
    assert "Enter a given name, a family name or both" in page


def test_addresses_keep_their_history_and_the_postcode_is_normalised(client, owner_and_person):
    _owner, person = owner_and_person
    old = AddressFactory(person=person, line1="9 Orchard Close", moved_in=date(2020, 5, 1))
    client.post(
        f"/people/{person.pk}/addresses/", {"line1": "27 Canal Street", "postcode": "ns7 1bd", "moved_in": "1/2/2024"}
    )
    client.post(
        f"/people/{person.pk}/addresses/{old.pk}/",
        {"line1": "9 Orchard Close", "postcode": "NS2 3QT", "moved_in": "1/5/2020", "moved_out": "31/1/2024"},
    )
    assert Address.objects.get(line1="27 Canal Street").postcode == "NS7 1BD"
    page = client.get(f"/people/{person.pk}/addresses/").content.decode()
    assert page.index("27 Canal Street") < page.index("9 Orchard Close")  # current first
    assert "31 January 2024" in page


def test_an_address_that_moves_out_before_it_moves_in_is_refused_with_the_text_kept(client, owner_and_person):
    _owner, person = owner_and_person
    page = client.post(
        f"/people/{person.pk}/addresses/",
        {"line1": "4 Back Lane", "postcode": "ZZZ", "moved_in": "1/2/2024", "moved_out": "1/1/2024"},
    ).content.decode()
    assert "Enter a real postcode, for example NS1 4AB" in page
    assert "The moved out date must be the same as or after the moved in date" in page
    assert 'value="4 Back Lane"' in page
    assert not Address.objects.filter(person=person).exists()


def test_a_flag_is_added_with_dates_and_ended_later(client, owner_and_person):
    _owner, person = owner_and_person
    client.post(f"/people/{person.pk}/flags/", {"kind": "cin", "started": "3/11/2025"})
    flag = SafeguardingFlag.objects.get(person=person)
    assert flag.started == date(2025, 11, 3)
    client.post(f"/people/{person.pk}/flags/{flag.pk}/end/", {"ended": "1/3/2026"})
    flag.refresh_from_db()
    assert flag.ended == date(2026, 3, 1)
    assert AuditEvent.objects.filter(action="person.flag_ended", person_id=person.pk).exists()


def test_an_other_flag_needs_a_description(client, owner_and_person):
    _owner, person = owner_and_person
    page = client.post(f"/people/{person.pk}/flags/", {"kind": "other"}).content.decode()
    assert "Describe the flag when you choose &#x27;Other&#x27;" in page or "Describe the flag" in page
    assert not SafeguardingFlag.objects.exists()


def test_family_links_read_both_ways(client, cast, owner_and_person):
    owner, person = owner_and_person
    mother = CaseFactory(owner=owner).person
    client.post(f"/people/{person.pk}/family/", {"related_person": mother.pk, "kind": "mother", "lives_with": "on"})
    child_page = client.get(f"/people/{person.pk}/family/").content.decode()
    mother_page = client.get(f"/people/{mother.pk}/family/").content.decode()
    assert mother.full_name in child_page and "Mother" in child_page and "Same household" in child_page
    assert person.full_name in mother_page and f"{mother.given_name} is their mother" in mother_page


def test_the_case_reference_links_to_the_case_when_the_case_pages_exist(client, owner_and_person):
    from django.urls import NoReverseMatch, reverse

    _owner, person = owner_and_person
    case = person.cases.get()
    page = client.get(f"/people/{person.pk}/cases/").content.decode()
    assert case.reference in page
    try:
        url = reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        assert 'href="/cases/' not in page  # no link to a page that does not exist yet
    else:
        assert f'href="{url}"' in page
