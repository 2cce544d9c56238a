"""The people API: the same rules as the pages, in JSON."""

import json
from datetime import date

import pytest

from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.people.models import Person
from tests.factories import CaseFactory, UserFactory
from tests.people.factories import SearchablePersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, cast):
    def call(method, url, body=None, user=None):
        _, raw = do_create_token(user or cast["practitioner"], name="t", days=1)
        headers = {"Authorization": f"Bearer {raw}"}
        if body is None:
            return getattr(client, method)(url, headers=headers)
        return getattr(client, method)(url, json.dumps(body), "application/json", headers=headers)

    return call


@pytest.fixture
def mine(cast):
    person = SearchablePersonFactory(given_name="Skye", family_name="Marchbank", created_by=cast["practitioner"])
    CaseFactory(owner=cast["practitioner"], person=person)
    return person


def test_the_list_holds_only_people_the_user_may_see(api, cast, mine):
    CaseFactory(owner=cast["other_org_practitioner"])
    body = api("get", "/api/v1/people/").json()
    assert [item["id"] for item in body["items"]] == [mine.pk]
    assert body["count"] == 1


def test_getting_a_person_returns_the_profile_and_is_audited(api, mine):
    body = api("get", f"/api/v1/people/{mine.pk}").json()
    assert body["family_name"] == "Marchbank"
    assert body["version"] == 1
    assert AuditEvent.objects.filter(action="person.viewed", person_id=mine.pk, details__section="api").exists()


def test_deconfliction_returns_visible_matches_and_only_the_names_of_holders_of_the_rest(api, cast, mine):
    holder = UserFactory(organisation=cast["other_org_practitioner"].organisation)
    hidden = SearchablePersonFactory(given_name="Skye", family_name="Marchbanks", created_by=holder)
    CaseFactory(owner=holder, person=hidden)
    response = api("post", "/api/v1/people/deconfliction", {"given_name": "Marchbank", "family_name": "Skye"})
    body = response.json()
    assert [m["id"] for m in body["matches"]] == [mine.pk]
    assert body["held_by"] == [holder.organisation.name]
    assert set(body) == {"matches", "held_by"}
    assert "Marchbanks" not in response.content.decode()


def test_deconfliction_without_a_name_is_a_422_with_a_clear_message(api):
    response = api("post", "/api/v1/people/deconfliction", {"postcode": "NS1 1AA"})
    assert response.status_code == 422
    assert "given_name or a family_name" in response.json()["detail"]


def test_creating_and_adding_parts_through_the_api(api):
    created = api("post", "/api/v1/people/", {"given_name": "Ivo", "family_name": "Lanyon", "sex": "male"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api("post", f"/api/v1/people/{pk}/names", {"kind": "alias", "given_name": "Ive"}).status_code == 201
    address = api("post", f"/api/v1/people/{pk}/addresses", {"line1": "3 Weir Road", "postcode": "ns4 2je"})
    assert address.json()["addresses"][0]["postcode"] == "NS4 2JE"
    flag = api("post", f"/api/v1/people/{pk}/flags", {"kind": "cin", "started": "2026-01-05"})
    assert flag.json()["flags"][0]["label"] == "Child in Need"
    involvement = api("post", f"/api/v1/people/{pk}/involvements", {"status": "open_assessment", "service": "EH"})
    assert involvement.json()["involvements"][0]["status"] == "open_assessment"
    assert Person.objects.get(pk=pk).search_keys.filter(key="p:ive").exists()


def test_invalid_input_gets_422_with_the_reason(api, mine):
    bad_date = api("post", "/api/v1/people/", {"given_name": "A", "family_name": "B", "date_of_birth": "31/02/2010"})
    assert bad_date.status_code == 422
    future = api(
        "post", "/api/v1/people/", {"given_name": "A", "family_name": "B", "date_of_birth": str(date(2999, 1, 1))}
    )
    assert future.status_code == 422 and "past" in future.json()["detail"]
    bad_postcode = api("post", f"/api/v1/people/{mine.pk}/addresses", {"line1": "1 Road", "postcode": "XYZ"})
    assert bad_postcode.status_code == 422 and "postcode" in bad_postcode.json()["detail"]
    other_flag = api("post", f"/api/v1/people/{mine.pk}/flags", {"kind": "other"})
    assert other_flag.status_code == 422 and "Describe the flag" in other_flag.json()["detail"]
    nulled = api("patch", f"/api/v1/people/{mine.pk}", {"version": 1, "family_name": None})
    assert nulled.status_code == 422 and "family_name" in nulled.json()["detail"]


def test_system_administrators_and_auditors_cannot_use_the_people_api(api, cast, mine):
    for role in ("system_admin", "auditor"):
        assert api("get", "/api/v1/people/", user=cast[role]).status_code == 404
        assert api("get", f"/api/v1/people/{mine.pk}", user=cast[role]).status_code == 404


def test_the_openapi_schema_documents_the_people_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/people/deconfliction" in paths
    assert "requestBody" in paths["/api/v1/people/{person_id}"]["patch"]
