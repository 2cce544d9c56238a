"""The register of intervention providers: kept by an area's panel chairs and administrators."""

import pytest
from django.core.exceptions import ValidationError

from roundtable.access import policy
from roundtable.audit.models import AuditEvent
from roundtable.support import services
from roundtable.support.models import InterventionProvider
from tests.cases.factories import MembershipFactory
from tests.conftest import force_sign_in
from tests.factories import UserFactory
from tests.support.factories import InterventionFactory, ProviderFactory, days

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "name": "Sam Mentor",
        "organisation": "",
        "contact": "sam@example.test",
        "dbs_checked_on": days(-10).isoformat(),
        "dbs_expires_on": days(355).isoformat(),
        "notes": "",
    }
    data.update(overrides)
    return data


def test_a_panel_chair_adds_a_provider_to_their_areas_register(client, cast):
    force_sign_in(client, cast["panel_chair"])
    response = client.post("/support/providers/new/", _form())
    assert response.status_code == 302
    provider = InterventionProvider.objects.get()
    assert provider.area == cast["panel_chair"].organisation.area and provider.dbs_expires_on == days(355)
    assert AuditEvent.objects.filter(action="provider.created", object_id=str(provider.pk)).exists()


def test_adding_a_provider_without_a_dbs_check_is_allowed_with_a_warning(client, cast):
    force_sign_in(client, cast["panel_admin"])
    response = client.post("/support/providers/new/", _form(dbs_checked_on="", dbs_expires_on=""), follow=True)
    assert "Warning: No DBS check is recorded for Sam Mentor." in response.content.decode()


@pytest.mark.parametrize(
    ("checked", "expires", "field", "message"),
    [
        (-10, None, "dbs_expires_on", "Enter when the DBS check expires or is due for renewal"),
        (None, 100, "dbs_checked_on", "Enter the date of the DBS check"),
        (3, 100, "dbs_checked_on", "The date of the DBS check must be today or in the past"),
        (-10, -20, "dbs_expires_on", "The DBS expiry date must be after the date of the check"),
    ],
)
def test_dbs_dates_must_make_sense(cast, checked, expires, field, message):
    with pytest.raises(ValidationError) as caught:
        services.do_create_provider(
            cast["panel_chair"],
            cast["panel_chair"].organisation.area,
            name="Sam Mentor",
            dbs_checked_on=days(checked) if checked is not None else None,
            dbs_expires_on=days(expires) if expires is not None else None,
        )
    assert caught.value.message_dict == {field: [message]}


def test_two_providers_in_an_area_cannot_share_a_name(cast):
    ProviderFactory(created_by=cast["panel_chair"], name="Sam Mentor")
    with pytest.raises(ValidationError, match="There is already a provider called sam mentor"):
        services.do_create_provider(cast["panel_chair"], cast["panel_chair"].organisation.area, name="sam mentor")


def test_practitioners_read_the_register_but_cannot_change_it(client, cast):
    provider = ProviderFactory(
        created_by=cast["panel_chair"], name="Ali Mentor", dbs_checked_on=None, dbs_expires_on=None
    )
    force_sign_in(client, cast["practitioner"])
    page = client.get("/support/providers/").content.decode()
    assert "Ali Mentor" in page and "No DBS check recorded" in page and "Add a provider" not in page
    assert client.get("/support/providers/new/").status_code == 404
    assert client.get(f"/support/providers/{provider.pk}/edit/").status_code == 404


def test_another_areas_register_is_not_found(client, cast):
    provider = ProviderFactory(created_by=cast["panel_chair"])
    force_sign_in(client, cast["other_org_admin"])
    assert client.get(f"/support/providers/{provider.pk}/edit/").status_code == 404
    assert provider.name not in client.get("/support/providers/").content.decode()


def test_a_member_of_a_case_elsewhere_sees_the_provider_named_on_it(team, other_organisation):
    provider = ProviderFactory(created_by=team["owner"])
    InterventionFactory(case=team["case"], provider=provider)
    visitor = UserFactory(organisation=other_organisation)
    qs = InterventionProvider.objects.filter(pk=provider.pk)
    assert not policy.visible(visitor, qs).exists()
    MembershipFactory(case=team["case"], user=visitor)
    assert policy.visible(visitor, qs).exists()


def test_taking_a_provider_off_the_register_keeps_them_on_existing_support(client, cast):
    provider = ProviderFactory(created_by=cast["panel_chair"], name="Sam Mentor")
    force_sign_in(client, cast["panel_chair"])
    data = _form(active="", version=provider.version)
    assert client.post(f"/support/providers/{provider.pk}/edit/", data).status_code == 302
    provider.refresh_from_db()
    assert provider.active is False and provider.version == 2
    assert provider not in services.area_providers(cast["panel_chair"], provider.area, active_only=True)


def test_a_stale_provider_edit_shows_both_versions(client, cast):
    provider = ProviderFactory(created_by=cast["panel_chair"], name="Sam Mentor")
    services.do_update_provider(
        cast["panel_admin"], provider, 1, name="Samuel Mentor", organisation=None, contact="", notes="",
        dbs_checked_on=provider.dbs_checked_on, dbs_expires_on=provider.dbs_expires_on, active=True,
    )  # fmt: skip
    force_sign_in(client, cast["panel_chair"])
    response = client.post(f"/support/providers/{provider.pk}/edit/", _form(name="Sam Mentor", active="on", version=1))
    assert response.status_code == 200 and "Samuel Mentor" in response.content.decode()
    provider.refresh_from_db()
    assert provider.name == "Samuel Mentor"
