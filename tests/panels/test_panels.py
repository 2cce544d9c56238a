"""Panel pages: who sees a panel, who changes its settings, and how bad settings are refused."""

import pytest
from django.urls import reverse

from roundtable.accounts.models import Role
from roundtable.audit.models import AuditEvent
from roundtable.panels.models import Panel
from tests.conftest import force_sign_in
from tests.factories import AreaFactory, OrganisationFactory, UserFactory
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db


def settings_data(panel, **overrides) -> dict:
    data = {
        "name": panel.name,
        "chair": panel.chair_id,
        "administrators": [u.pk for u in panel.administrators.all()],
        "members": [],
        "police_lead": panel.police_lead_id,
        "prevent_team": [u.pk for u in panel.prevent_team.all()],
        "adults_lead": panel.adults_lead_id,
        "children_lead": panel.children_lead_id,
        "info_request_days": "5",
        "post_exit_review_months": "6,12",
        "is_active": "on",
        "version": panel.version,
    }
    data.update(overrides)
    return data


def test_a_panel_is_seen_by_the_people_named_on_it_and_system_admins_only(client, panel, cast):
    member = UserFactory(organisation=panel.chair.organisation)
    panel.members.add(member)
    url = reverse("panels:detail", args=[panel.pk])
    for user in (
        panel.chair,
        panel.police_lead,
        panel.prevent_team.first(),
        panel.adults_lead,
        member,
        cast["system_admin"],
    ):
        force_sign_in(client, user)
        assert client.get(url).status_code == 200, user
    for user in (cast["practitioner"], cast["other_org_admin"], cast["auditor"]):
        force_sign_in(client, user)
        assert client.get(url).status_code == 404, user


def test_the_chair_changes_the_settings_and_it_is_audited(client, panel):
    force_sign_in(client, panel.chair)
    response = client.post(
        reverse("panels:edit", args=[panel.pk]),
        settings_data(panel, info_request_days="10", post_exit_review_months="3, 6, 12"),
    )
    assert response.status_code == 302
    panel.refresh_from_db()
    assert (panel.info_request_days, panel.review_months) == (10, [3, 6, 12])
    event = AuditEvent.objects.get(action="panel.updated")
    assert "info_request_days" in event.details["fields"]


@pytest.mark.parametrize(
    ("months", "message"),
    [
        ("six", "Enter the months after exit as whole numbers separated by commas, like 6,12"),
        ("12,6", "Put the months in order, smallest first, like 6,12"),
        ("6,6", "Each number of months can only appear once"),
        ("0,6", "Each number of months must be between 1 and 60"),
    ],
)
def test_bad_review_months_are_refused_saying_what_is_wrong(client, panel, months, message):
    force_sign_in(client, panel.chair)
    page = client.post(reverse("panels:edit", args=[panel.pk]), settings_data(panel, post_exit_review_months=months))
    assert message in page.content.decode()
    panel.refresh_from_db()
    assert panel.post_exit_review_months == "6,12"


def test_information_request_days_must_be_between_1_and_30(client, panel):
    force_sign_in(client, panel.chair)
    page = client.post(reverse("panels:edit", args=[panel.pk]), settings_data(panel, info_request_days="31"))
    assert "The number of working days must be between 1 and 30" in page.content.decode()


def test_people_from_another_area_cannot_be_put_on_the_panel(panel):
    from django.core.exceptions import ValidationError

    from roundtable.panels.services import do_update_panel

    stranger = UserFactory(organisation=OrganisationFactory(area=AreaFactory(name="Elsewhere")))
    with pytest.raises(ValidationError) as error:
        do_update_panel(panel.chair, panel, version=panel.version, settings={"prevent_team": [stranger]})
    assert error.value.message_dict["prevent_team"] == ["Choose people from organisations in Northshire"]


def test_two_people_saving_at_once_do_not_overwrite_each_other(client, panel, cast):
    stale = settings_data(panel, info_request_days="7")
    force_sign_in(client, cast["system_admin"])
    assert client.post(reverse("panels:edit", args=[panel.pk]), settings_data(panel, name="Renamed")).status_code == 302
    force_sign_in(client, panel.chair)
    page = client.post(reverse("panels:edit", args=[panel.pk]), stale).content.decode()
    assert "Someone else changed this panel while you were editing it" in page
    panel.refresh_from_db()
    assert (panel.name, panel.info_request_days) == ("Renamed", 5)


def test_only_the_chair_and_system_admins_change_settings(client, panel):
    force_sign_in(client, panel.police_lead)
    assert client.get(reverse("panels:edit", args=[panel.pk])).status_code == 404
    assert client.post(reverse("panels:edit", args=[panel.pk]), settings_data(panel, name="Mine")).status_code == 404


def test_a_system_admin_sets_up_a_panel_with_a_chair_from_its_area(client, cast, area):
    force_sign_in(client, cast["system_admin"])
    chair = UserFactory(organisation=OrganisationFactory(area=area), role=Role.PANEL_CHAIR)
    outsider = UserFactory(organisation=OrganisationFactory(area=AreaFactory(name="Farshire")))
    data = {"kind": "behaviour_primary", "area": area.pk, "name": "Primary Behaviour Panel", "chair": outsider.pk}
    page = client.post(reverse("panels:create"), data).content.decode()
    assert "Choose someone from an organisation in Northshire" in page
    response = client.post(reverse("panels:create"), {**data, "chair": chair.pk})
    panel = Panel.objects.get(name="Primary Behaviour Panel")
    assert response.url == reverse("panels:edit", args=[panel.pk])
    # A behaviour panel has no Channel settings to fill in.
    assert "Police Prevent lead" not in client.get(response.url).content.decode()


@pytest.mark.parametrize("people", [2, 40])
def test_panel_pages_query_counts(client, cast, area, people, django_assert_max_num_queries):
    organisation = OrganisationFactory(area=area)
    crowd = [UserFactory(organisation=organisation) for _ in range(people)]
    panels = [PanelFactory(area=area, members=crowd, prevent_team=crowd[:5]) for _ in range(3)]
    force_sign_in(client, cast["system_admin"])
    with django_assert_max_num_queries(9):
        assert client.get(reverse("panels:list")).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("panels:detail", args=[panels[0].pk])).status_code == 200
