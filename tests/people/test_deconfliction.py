"""Deconfliction: find a person before creating one, without leaking hidden profiles."""

import re
from datetime import date

import pytest

from roundtable.audit.models import AuditEvent
from roundtable.notifications.models import Notice
from roundtable.people.matching import Criteria, candidate_ids, find_matches, keys_for_parts, lookup_keys, soundex
from roundtable.people.models import Person
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.people.factories import AddressFactory, PersonNameFactory, SearchablePersonFactory

pytestmark = pytest.mark.django_db

DOB = date(2010, 5, 17)


def search(client, **criteria):
    return client.get("/people/", criteria)


@pytest.fixture
def amara(cast):
    """A profile the practitioner can see through their case."""
    person = SearchablePersonFactory(
        given_name="Amara", family_name="Okonkwo", date_of_birth=DOB, created_by=cast["practitioner"]
    )
    CaseFactory(owner=cast["practitioner"], person=person)
    return person


@pytest.fixture
def hidden(other_organisation):
    """A profile held by another organisation, on a case nobody in ours is a member of."""
    holder = UserFactory(organisation=other_organisation)
    person = SearchablePersonFactory(given_name="Bethany", family_name="Wrexley", date_of_birth=DOB, created_by=holder)
    AddressFactory(person=person, postcode="SS9 8ZZ", line1="77 Secret Row")
    case = CaseFactory(owner=holder, person=person)
    return person, case


def test_soundex_codes_names_that_sound_alike_the_same():
    assert soundex("smith") == soundex("smyth") == "s530"
    assert soundex("okonkwo") == soundex("okonkow")
    assert soundex("ashcraft") == "a261"  # h does not separate letters with the same code


def test_a_misspelt_surname_with_given_and_family_names_transposed_is_found(client, cast, amara):
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="Okonkow", family_name="Amara").content.decode()
    assert f"/people/{amara.pk}/" in page
    assert "Amara Okonkwo" in page


def test_another_name_is_searched_like_the_main_name(client, cast, amara):
    PersonNameFactory(person=amara, kind="previous", given_name="Amara", family_name="Fenwick")
    from roundtable.people.services import refresh_search_keys

    refresh_search_keys(amara)
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="Amara", family_name="Fenwik").content.decode()
    assert f"/people/{amara.pk}/" in page


def test_a_different_name_with_a_different_date_of_birth_is_not_a_match(amara):
    assert find_matches(Criteria("Zebedee", "Quartermaine", date(1970, 1, 1))) == []


def test_the_date_of_birth_and_postcode_strengthen_a_weak_name_match(cast, amara):
    AddressFactory(person=amara, postcode="NS2 3QT")
    weak = Criteria("Amira", "Okoro")
    strong = Criteria("Amira", "Okoro", DOB, "ns2 3qt")
    assert amara.pk not in [m.person_id for m in find_matches(weak)]
    assert amara.pk in [m.person_id for m in find_matches(strong)]


def test_name_keys_pair_tokens_of_two_parts_whatever_their_order():
    assert keys_for_parts(["amara", "okonkwo"]) == keys_for_parts(["okonkwo", "amara"])
    assert "p:ama|s:o252" in keys_for_parts(["amara", "okonkwo"])
    # A misspelt family name typed first still shares the phonetic pair.
    assert lookup_keys(["okonkow", "amara"]) & keys_for_parts(["amara", "okonkwo"])


def test_a_search_with_two_name_parts_looks_up_pairs_not_every_person_sharing_one_name(cast, amara, monkeypatch):
    from roundtable.people import matching

    # Thirty people share Amara's given name: one name alone would make each a candidate.
    monkeypatch.setattr(matching, "RARE_TOKEN_LIMIT", 10)  # so thirty is common
    for n in range(30):
        SearchablePersonFactory(given_name="Amara", family_name=f"Quill{'abcdefghijklmnopqrstuvwxyz'[n % 26]}{n}")
    assert candidate_ids(Criteria("Amara", "Okonkow")) == {amara.pk}
    assert amara.pk in candidate_ids(Criteria("", "Amara"))  # one name part: the tokens alone
    assert len(candidate_ids(Criteria("", "Amara"))) == 31


def test_a_rare_name_finds_its_person_when_the_other_name_is_typed_beyond_recognition(cast, amara):
    # "Xmara" shares neither Soundex code nor prefix with "Amara", so no pair matches;
    # "Okonkwo" is rare, so it is looked up alone as well.
    assert amara.pk in candidate_ids(Criteria("Xmara", "Okonkwo"))


def test_a_misspelt_first_letter_with_names_transposed_still_scores_as_a_match(cast, amara):
    # Sorted, "okonkwo xmara" and "amara okonkwo" differ in order; every order is tried.
    assert amara.pk in [m.person_id for m in find_matches(Criteria("Okonkwo", "Xmara"))]


def test_a_common_name_is_not_looked_up_alone_when_two_names_are_given(cast, amara, monkeypatch):
    from roundtable.people import matching

    monkeypatch.setattr(matching, "RARE_TOKEN_LIMIT", 1)  # every token counts as common now
    assert amara.pk not in candidate_ids(Criteria("Xmara", "Okonkwo"))
    assert amara.pk in candidate_ids(Criteria("Amara", "Okonkow"))


def test_candidates_are_narrowed_in_sql_not_by_loading_everyone(cast, amara):
    for n in range(30):
        SearchablePersonFactory(given_name=f"Unrelated{n}", family_name="Zzyzx", date_of_birth=date(1990, 1, 1))
    ids = candidate_ids(Criteria("Amara", "Okonkwo"))
    assert ids == {amara.pk}


def test_the_search_is_audited_with_its_criteria(client, cast, amara):
    force_sign_in(client, cast["practitioner"])
    search(client, given_name="Amara", family_name="Okonkwo", date_of_birth="17/5/2010", postcode="ns2 3qt")
    event = AuditEvent.objects.get(action="person.searched")
    assert event.actor_id == cast["practitioner"].pk
    assert event.details["criteria"] == {
        "given_name": "Amara",
        "family_name": "Okonkwo",
        "date_of_birth": "2010-05-17",
        "postcode": "NS2 3QT",
    }


def test_an_invisible_match_shows_only_the_holding_organisation_and_request_access(client, cast, hidden):
    person, case = hidden
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="Wrexley", family_name="Bethanie").content.decode()
    assert f"A possible match is held by {case.lead_organisation.name}." in page
    assert "Request access" in page
    assert "No profiles you have access to match" in page
    for secret in ("Bethany", "Wrexley</", "17 May 2010", "SS9", "Secret Row", f"/people/{person.pk}/", case.reference):
        assert secret not in page
    # The request-access form carries the search again, never an identifier of the hidden profile.
    hidden_inputs = set(re.findall(r'type="hidden" name="([^"]+)"', page))
    assert hidden_inputs == {"csrfmiddlewaretoken", "given_name", "family_name", "date_of_birth", "postcode"}


def test_a_caseless_invisible_match_names_the_creators_organisation(client, cast):
    creator = UserFactory(organisation=OrganisationFactory(name="Harbour Lights Mentoring"))
    SearchablePersonFactory(given_name="Corin", family_name="Haddow", created_by=creator)
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="Corin", family_name="Haddow").content.decode()
    assert "A possible match is held by Harbour Lights Mentoring." in page


def test_several_hidden_matches_give_one_line_so_their_number_is_not_revealed(client, cast, other_organisation):
    holder = UserFactory(organisation=other_organisation)
    for _ in range(3):
        CaseFactory(
            owner=holder, person=SearchablePersonFactory(given_name="Dana", family_name="Pell", created_by=holder)
        )
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="Dana", family_name="Pell").content.decode()
    assert page.count("A possible match is held by") == 1
    assert page.count(other_organisation.name) == 1


def test_requesting_access_notifies_the_owner_without_personal_data_and_is_audited(client, cast, hidden):
    person, case = hidden
    requester = cast["practitioner"]
    force_sign_in(client, requester)
    response = client.post(
        "/people/request-access/", {"given_name": "Bethany", "family_name": "Wrexley", "date_of_birth": "17/5/2010"}
    )
    assert response.status_code == 302
    notice = Notice.objects.get(recipient=case.owner)
    assert notice.url == f"/people/{person.pk}/"
    assert requester.full_name in notice.message
    for personal in ("Bethany", "Wrexley", "2010", "SS9"):
        assert personal not in notice.message
    event = AuditEvent.objects.get(action="person.access_requested")
    assert event.actor_id == requester.pk
    assert event.person_id == person.pk
    # The requester learns nothing new from the confirmation.
    page = client.get(response.url).content.decode()
    assert "Your request has been sent" in page
    assert f"/people/{person.pk}/" not in page


def test_requesting_access_with_nothing_hidden_tells_nobody(client, cast, amara):
    force_sign_in(client, cast["practitioner"])
    client.post("/people/request-access/", {"given_name": "Amara", "family_name": "Okonkwo"})
    assert not Notice.objects.exists()
    assert AuditEvent.objects.filter(action="person.access_requested", person_id__isnull=True).exists()


def test_merged_profiles_are_not_matches(cast, amara):
    survivor = SearchablePersonFactory(given_name="Amara", family_name="Okonkwo-Smith")
    Person.objects.filter(pk=amara.pk).update(merged_into=survivor)
    assert amara.pk not in [m.person_id for m in find_matches(Criteria("Amara", "Okonkwo"))]


def test_a_search_needs_a_name(client, cast):
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="", family_name="", postcode="NS1 1AA").content.decode()
    assert "There is a problem" in page
    assert "Enter a given name or a family name to search for" in page


def test_a_search_with_a_wrong_postcode_or_date_gets_a_specific_error(client, cast):
    force_sign_in(client, cast["practitioner"])
    page = search(client, family_name="Okonkwo", postcode="XYZ 123", date_of_birth="31/2/2010").content.decode()
    assert "Enter a real postcode, for example NS1 4AB" in page
    assert "Enter date of birth as a real date" in page


def test_creating_a_profile_needs_a_search_first(client, cast):
    force_sign_in(client, cast["practitioner"])
    response = client.get("/people/new/")
    assert response.status_code == 302
    assert response.url == "/people/"
    response = client.post("/people/new/?search=forged", {"given_name": "A", "family_name": "B", "sex": "male"})
    assert response.status_code == 302
    assert not Person.objects.exists()


def test_after_searching_the_new_profile_form_is_prefilled_and_creates_an_audited_profile(client, cast):
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="Keelan", family_name="Brightwater", date_of_birth="3/3/2012").content.decode()
    create_url = re.search(r'href="(/people/new/\?search=[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(create_url).content.decode()
    assert 'value="Keelan"' in form and 'value="Brightwater"' in form and "2012-03-03" in form
    response = client.post(
        create_url,
        {
            "given_name": "Keelan",
            "family_name": "Brightwater",
            "date_of_birth": "3/3/2012",
            "sex": "male",
            "line1": "8 Mill Lane",
            "postcode": "ns2 5pf",
        },
    )
    person = Person.objects.get(family_name="Brightwater")
    assert response.url == f"/people/{person.pk}/"
    assert person.addresses.get().postcode == "NS2 5PF"
    assert AuditEvent.objects.filter(action="person.created", person_id=person.pk).exists()
    # It is immediately findable.
    assert person.pk in [m.person_id for m in find_matches(Criteria("Brightwater", "Keelan"))]


def test_a_new_profile_with_a_future_date_of_birth_gets_a_clear_error(client, cast):
    force_sign_in(client, cast["practitioner"])
    page = search(client, given_name="Keelan", family_name="Brightwater").content.decode()
    create_url = re.search(r'href="(/people/new/\?search=[^"]+)"', page).group(1).replace("&amp;", "&")
    page = client.post(
        create_url, {"given_name": "Keelan", "family_name": "Brightwater", "date_of_birth": "1/1/2999", "sex": "male"}
    ).content.decode()
    assert "Date of birth must be in the past" in page
    assert 'value="Brightwater"' in page  # nothing typed is lost
    assert not Person.objects.exists()
