"""A panel chooses the forms it uses (its chair and administrators, audited); a panel's
choice wins over its area's; a panel can own forms; a practitioner records a home visit
on a case with the form its panel (or area) uses."""

import copy

import pytest

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import ChronologyEntry
from roundtable.formbuilder import choices, services
from roundtable.formbuilder.models import AreaFormChoice, FormDefinition, PanelFormChoice, Submission
from roundtable.formbuilder.standard import HOME_VISIT, load_standard_forms
from tests.channel.factories import submit
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, UserFactory
from tests.formbuilder.factories import published_definition
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(cast, area):
    return PanelFactory(area=area, name="Northshire Channel Panel", chair=cast["panel_chair"])


def home_visit_form(area, name="Northshire home visit"):
    return published_definition(area, {**copy.deepcopy(HOME_VISIT), "name": name})


def test_a_panels_choice_wins_over_its_areas_and_the_area_is_the_fallback(panel, area):
    load_standard_forms(area)
    standard = AreaFormChoice.objects.get(area=area, purpose="home_visit").definition
    assert choices.chosen(panel, "home_visit") == standard
    own = home_visit_form(area)
    PanelFormChoice.objects.create(panel=panel, purpose="home_visit", definition=own)
    assert choices.chosen(panel, "home_visit") == own
    services.do_retire_definition(panel.chair, own)
    assert choices.chosen(panel, "home_visit") == standard  # a retired form is chosen by nobody
    assert not PanelFormChoice.objects.exists()


def test_the_chair_chooses_the_panels_home_visit_form_on_its_forms_page_and_it_is_audited(client, panel, area):
    own = home_visit_form(area)
    force_sign_in(client, panel.chair)
    page = client.get(f"/forms/panels/{panel.pk}/").content.decode()
    assert "Forms this panel uses" in page and "Northshire home visit" in page
    response = client.post(f"/forms/panels/{panel.pk}/", {"purpose": "home_visit", "definition": own.pk})
    assert response.status_code == 302
    assert PanelFormChoice.objects.get(panel=panel, purpose="home_visit").definition == own
    event = AuditEvent.objects.get(action="panel.form_chosen")
    assert event.actor_id == panel.chair.pk and event.details["definition"] == own.pk
    client.post(f"/forms/panels/{panel.pk}/", {"purpose": "home_visit", "definition": ""})
    assert not PanelFormChoice.objects.exists()
    assert AuditEvent.objects.filter(action="panel.form_choice_cleared").count() == 1


def test_only_published_forms_of_the_right_purpose_of_the_panels_area_are_offered(client, panel, area, cast):
    referral_form = published_definition(
        area, {**copy.deepcopy(HOME_VISIT), "name": "A referral", "purpose": "referral"}
    )
    elsewhere = home_visit_form(cast["other_org_admin"].organisation.area, name="Southshire visit")
    force_sign_in(client, panel.chair)
    for wrong in (referral_form, elsewhere):
        response = client.post(f"/forms/panels/{panel.pk}/", {"purpose": "home_visit", "definition": wrong.pk})
        assert response.status_code == 422
        assert "Choose one of the published forms listed." in response.content.decode()
    assert not PanelFormChoice.objects.exists()


def test_a_form_without_what_channel_needs_is_refused_as_a_channel_panels_referral_form(client, panel, area):
    load_standard_forms(area)
    behaviour = FormDefinition.objects.get(owner_area=area, standard_key="behaviour_referral")
    force_sign_in(client, panel.chair)
    response = client.post(f"/forms/panels/{panel.pk}/", {"purpose": "referral", "definition": behaviour.pk})
    assert response.status_code == 422
    page = response.content.decode()
    assert "cannot be this Channel panel&#x27;s referral form" in page
    assert "It has no question with the id &#x27;concern&#x27;" in page
    assert f'value="{behaviour.pk}" checked' in page  # what was chosen is kept
    channel = FormDefinition.objects.get(owner_area=area, standard_key="channel_referral")
    assert (
        client.post(f"/forms/panels/{panel.pk}/", {"purpose": "referral", "definition": channel.pk}).status_code == 302
    )


def test_people_who_are_not_the_panels_chair_or_administrators_get_page_not_found(client, panel, cast):
    for role in ("practitioner", "panel_admin", "system_admin", "other_org_admin"):
        force_sign_in(client, cast[role])  # this panel_admin administers no panel here
        assert client.get(f"/forms/panels/{panel.pk}/").status_code == 404, role
    administrator = panel.administrators.first()
    force_sign_in(client, administrator)
    assert client.get(f"/forms/panels/{panel.pk}/").status_code == 200


def test_a_panels_own_form_is_built_by_its_chair_and_administrators_and_chosen_only_by_it(client, panel, area, cast):
    force_sign_in(client, panel.chair)
    page = client.get("/forms/new/").content.decode()
    assert "Who owns the form" in page and "Northshire Channel Panel" in page
    response = client.post("/forms/new/", {"name": "Panel visit", "purpose": "home_visit", "owner": str(panel.pk)})
    assert response.status_code == 302
    definition = FormDefinition.objects.get(name="Panel visit")
    assert definition.owner_panel == panel and definition.owner_area == area
    force_sign_in(client, cast["panel_admin"])  # a builder of the area, not of this panel
    assert client.get(f"/forms/{definition.pk}/details/").status_code == 404
    assert client.get(f"/forms/{definition.pk}/").status_code == 200  # the area still sees it
    other = PanelFactory(area=area, name="Behaviour Panel", chair=cast["panel_chair"], kind="behaviour_primary")
    definition = services.do_save_draft(None, definition, {**copy.deepcopy(HOME_VISIT), "name": "Panel visit"},
                                        expected_version=definition.version)  # fmt: skip
    services.do_publish_definition(None, definition)
    assert definition in choices.choosable(panel, "home_visit")
    assert definition not in choices.choosable(other, "home_visit")


def test_a_practitioner_records_a_home_visit_with_the_panels_form_and_it_reaches_the_chronology(client, panel, area):
    own = home_visit_form(area)
    PanelFormChoice.objects.create(panel=panel, purpose="home_visit", definition=own)
    channel_case = submit(panel)
    worker = panel.police_lead
    force_sign_in(client, worker)
    page = client.get(f"/forms/case/{channel_case.case_id}/").content.decode()
    assert "Record a home visit" in page and "Northshire home visit" in page
    response = client.post(f"/forms/case/{channel_case.case_id}/start/", {"definition": own.pk})
    submission = Submission.objects.get()
    assert response.url == f"/forms/submissions/{submission.pk}/fill/" and submission.version == own.latest_version
    answers = {
        "q1-day": "3",
        "q1-month": "3",
        "q1-year": "2026",
        "q2-line1": "4 Mill Lane",
        "q2-town": "Northtown",
        "q2-postcode": "NS1 4AB",
        "q3[0][q4]": "Jordan",
        "q6": "yes",
        "q8": "Tidy home, Jordan was calm.",
        "q9": "no",
        "action": "submit",
    }
    assert client.post(f"/forms/submissions/{submission.pk}/fill/", answers).status_code == 302
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert submission.entry.kind == ChronologyEntry.Kind.HOME_VISIT and submission.entry.case_id == channel_case.case_id


def test_a_case_without_a_panel_uses_the_areas_home_visit_form(client, area, cast):
    load_standard_forms(area)
    practitioner = cast["practitioner"]
    case = CaseFactory(owner=practitioner)
    force_sign_in(client, practitioner)
    assert "Record a home visit" in client.get(f"/forms/case/{case.pk}/").content.decode()


def test_another_panels_own_form_cannot_be_started_on_a_case(area, cast, panel):
    other = PanelFactory(area=area, name="Behaviour Panel", kind="behaviour_primary")
    definition = services.do_create_definition(None, name="Theirs", purpose="home_visit", area=area, owner_panel=other)
    definition = services.do_save_draft(None, definition, {**copy.deepcopy(HOME_VISIT), "name": "Theirs"},
                                        expected_version=definition.version)  # fmt: skip
    services.do_publish_definition(None, definition)
    definition.refresh_from_db()
    practitioner = UserFactory(organisation=cast["practitioner"].organisation)
    case = CaseFactory(owner=practitioner)
    with pytest.raises(Exception, match="belongs to Behaviour Panel"):
        services.do_start_submission(practitioner, definition, case)


def test_the_service_refuses_anyone_but_the_panels_chair_and_administrators_and_changes_nothing(panel, area, cast):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    own = home_visit_form(area)
    PanelFormChoice.objects.create(panel=panel, purpose="home_visit", definition=own)
    inactive_chair = UserFactory(organisation=panel.chair.organisation, role="panel_chair", is_active=False)
    panel.administrators.add(inactive_chair)
    refused = [cast[role] for role in ("practitioner", "panel_admin", "system_admin", "other_org_admin")]
    refused += [cast["other_org_practitioner"], inactive_chair, AnonymousUser()]
    before = AuditEvent.objects.count()
    for who in refused:
        for definition in (own, None):  # choosing and clearing alike
            with pytest.raises(PermissionDenied, match="^You cannot choose this panel's forms$"):
                choices.do_choose_for_panel(who, panel, "home_visit", definition)
        # Refused before anything about the choice is checked: no hint of what would be accepted.
        with pytest.raises(PermissionDenied):
            choices.do_choose_for_panel(who, panel, "not_a_purpose", own)
    assert PanelFormChoice.objects.get().definition == own and AuditEvent.objects.count() == before

    choices.do_choose_for_panel(panel.administrators.first(), panel, "home_visit", None)
    assert not PanelFormChoice.objects.exists()
    assert AuditEvent.objects.filter(action="panel.form_choice_cleared").count() == 1


def test_a_trusted_operator_at_the_command_line_chooses_a_panels_form_like_any_other_service_call(panel, area):
    own = home_visit_form(area)
    choices.do_choose_for_panel(None, panel, "home_visit", own)
    assert choices.chosen(panel, "home_visit") == own
    assert AuditEvent.objects.get(action="panel.form_chosen").actor_id is None
