"""No lost edits: a second save based on an old version shows what changed and keeps the text."""

import json
import re

import pytest

from roundtable.api.services import do_create_token
from roundtable.people.models import Person
from tests.conftest import force_sign_in
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def form_data(page: str) -> dict:
    """What a browser would send back from the edit form, unchanged."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value.replace("&quot;", '"').replace("&amp;", "&").replace("&#x27;", "'")
    data["sex"] = re.search(r'name="sex" type="radio" value="([^"]+)" checked', page).group(1)
    data.pop("csrfmiddlewaretoken", None)
    return data


@pytest.fixture
def editors(cast, client):
    first, second = cast["practitioner"], cast["panel_chair"]
    case = CaseFactory(owner=first, members=[second])
    person = case.person
    person.school_or_employer = "Millford Academy"
    person.save()
    return first, second, person


def test_the_second_save_gets_a_conflict_showing_what_changed_and_keeping_their_text(editors, client):
    from django.test import Client

    first, second, person = editors
    url = f"/people/{person.pk}/edit/"
    a, b = Client(), Client()
    force_sign_in(a, first)
    force_sign_in(b, second)
    a_form = form_data(a.get(url).content.decode())
    b_form = form_data(b.get(url).content.decode())

    assert a.post(url, {**a_form, "school_or_employer": "Northshire Pupil Referral Service"}).status_code == 302
    response = b.post(url, {**b_form, "languages": "English, Polish"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this profile while you were editing it" in page
    assert "Northshire Pupil Referral Service" in page  # what they saved
    assert "Millford Academy" in page  # what it was before
    assert 'value="English, Polish"' in page  # this person's text is kept in the form
    person.refresh_from_db()
    assert person.school_or_employer == "Northshire Pupil Referral Service"
    assert person.languages == ""  # nothing silently saved

    # Saving again applies the text on purpose, without undoing the other person's change.
    retry = form_data(page)
    assert b.post(url, retry).status_code == 302
    person.refresh_from_db()
    assert person.languages == "English, Polish"
    assert person.school_or_employer == "Northshire Pupil Referral Service"
    assert person.version == 3


def test_a_save_with_no_changes_does_not_bump_the_version(editors, client):
    first, _second, person = editors
    force_sign_in(client, first)
    url = f"/people/{person.pk}/edit/"
    assert client.post(url, form_data(client.get(url).content.decode())).status_code == 302
    assert Person.objects.get(pk=person.pk).version == 1


def test_the_api_answers_409_to_a_stale_version(editors, client):
    first, _second, person = editors
    _, raw = do_create_token(first, name="t", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    url = f"/api/v1/people/{person.pk}"
    ok = client.patch(url, json.dumps({"version": 1, "languages": "Welsh"}), "application/json", headers=headers)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, json.dumps({"version": 1, "languages": "Urdu"}), "application/json", headers=headers)
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2
    assert body["conflicts"] == [{"field": "languages", "theirs": "Welsh", "yours": "Urdu"}]
    assert Person.objects.get(pk=person.pk).languages == "Welsh"
