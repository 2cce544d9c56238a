"""The builder pages: no JSON typing, live preview, conflicts and publishing."""

import pytest

from roundtable.formbuilder.models import FormDefinition
from tests.conftest import force_sign_in
from tests.formbuilder.factories import published_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, cast):
    return force_sign_in(client, cast["panel_admin"])


def _create(client) -> FormDefinition:
    response = client.post("/forms/new/", {"name": "School referral", "purpose": "referral"})
    assert response.status_code == 302
    return FormDefinition.objects.get(name="School referral")


def _version(definition) -> dict:
    definition.refresh_from_db()
    return {"draft_version": definition.version}


def test_an_administrator_builds_and_publishes_a_form_with_a_conditional_question_and_a_group(admin_client):
    definition = _create(admin_client)
    admin_client.post(
        f"/forms/{definition.pk}/questions/add/", {**_version(definition), "section": "s1", "kind": "yes_no"}
    )
    admin_client.post(
        f"/forms/{definition.pk}/questions/q1/",
        {**_version(definition), "label": "Known to social care", "required": "on"},
    )
    admin_client.post(
        f"/forms/{definition.pk}/questions/add/", {**_version(definition), "section": "s1", "kind": "long_text"}
    )
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/q2/",
        {
            **_version(definition),
            "label": "Which team",
            "show_if_question": "q1",
            "show_if_op": "equals",
            "show_if_values": "Yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    admin_client.post(
        f"/forms/{definition.pk}/questions/add/", {**_version(definition), "section": "s1", "kind": "group"}
    )
    response = admin_client.post(f"/forms/{definition.pk}/publish/")
    assert response.status_code == 302
    definition.refresh_from_db()
    questions = definition.latest_version.schema["sections"][0]["questions"]
    assert [q["kind"] for q in questions] == ["yes_no", "long_text", "group"]
    assert questions[1]["show_if"] == {"question": "q1", "op": "equals", "value": "yes"}
    assert questions[2]["questions"][0]["id"] == "q4"


def test_the_question_preview_re_renders_from_the_unsaved_settings(admin_client):
    definition = _create(admin_client)
    admin_client.post(
        f"/forms/{definition.pk}/questions/add/", {**_version(definition), "section": "s1", "kind": "single_choice"}
    )
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/q1/preview/",
        {"label": "Sector of referrer", "options": "Police\nEducation\nHealth"},
    )
    page = response.content.decode()
    assert "Sector of referrer" in page and 'value="education"' in page
    definition.refresh_from_db()
    assert definition.draft["sections"][0]["questions"][0]["label"] != "Sector of referrer"  # nothing saved


def test_an_unsafe_pattern_is_refused_on_save_with_the_reason(admin_client):
    definition = _create(admin_client)
    admin_client.post(
        f"/forms/{definition.pk}/questions/add/", {**_version(definition), "section": "s1", "kind": "short_text"}
    )
    response = admin_client.post(
        f"/forms/{definition.pk}/questions/q1/", {**_version(definition), "label": "Ref", "pattern": "(a+)+$"}
    )
    assert response.status_code == 200
    assert "the pattern is refused because it repeats something that itself repeats" in response.content.decode()


def test_a_stale_builder_save_is_refused_as_a_conflict_and_nothing_is_overwritten(admin_client):
    definition = _create(admin_client)
    stale = _version(definition)
    admin_client.post(f"/forms/{definition.pk}/sections/add/", stale)
    response = admin_client.post(f"/forms/{definition.pk}/sections/add/", stale, follow=True)
    assert "Someone else changed this form" in response.content.decode()
    definition.refresh_from_db()
    assert len(definition.draft["sections"]) == 2


def test_removing_a_question_others_depend_on_is_refused(admin_client, area):
    definition = published_definition(area)
    response = admin_client.post(f"/forms/{definition.pk}/questions/q2/remove/", _version(definition), follow=True)
    assert "is shown only depending on this question" in response.content.decode()


def test_a_practitioner_cannot_open_the_builder_pages(client, cast, area):
    definition = published_definition(area)
    force_sign_in(client, cast["practitioner"])
    assert client.get(f"/forms/{definition.pk}/questions/q1/").status_code == 404
    assert client.get(f"/forms/{definition.pk}/").status_code == 200  # reading the form is fine


def test_another_areas_builder_gets_404_for_our_form(client, cast, area):
    from roundtable.accounts.models import Role
    from tests.factories import UserFactory

    definition = published_definition(area)
    outsider = UserFactory(organisation=cast["other_org_admin"].organisation, role=Role.PANEL_ADMIN)
    force_sign_in(client, outsider)
    assert client.get(f"/forms/{definition.pk}/").status_code == 404
    assert client.get(f"/forms/{definition.pk}/export/?version=1").status_code == 404
