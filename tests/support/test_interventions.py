"""The support plan: interventions, their providers and DBS warnings, status, progress."""

import pytest
from django.core.exceptions import ValidationError

from roundtable.audit.models import AuditEvent
from roundtable.core.conflicts import EditConflict
from roundtable.support import services
from roundtable.support.models import Intervention, ProgressUpdate
from tests.conftest import force_sign_in
from tests.factories import OrganisationFactory
from tests.support.factories import ConsentFactory, InterventionFactory, ProviderFactory, UpdateFactory, days

pytestmark = pytest.mark.django_db

Status = Intervention.Status


def _create(actor, case, **overrides):
    fields = {
        "support_type": "mentoring",
        "provider_organisation": case.lead_organisation,
        "starts_on": days(0),
        "ends_on": days(60),
        "behaviours": "Shares extremist material online",
        "risks": "Being drawn into a group",
        "provider_risks": "None identified",
    }
    fields.update(overrides)
    return services.do_create_intervention(actor, case, **fields)


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- Consent guards the start ------------------------------------------------------------------
def test_support_cannot_be_created_active_without_consent_and_says_why(team):
    errors = _errors(lambda: _create(team["owner"], team["case"], status=Status.ACTIVE))
    assert errors == {"status": ["Support cannot start: consent has not been recorded for Jaden Millbrook."]}
    assert not Intervention.objects.exists()


def test_planned_support_can_be_added_before_consent_and_started_once_it_is_given(team):
    planned = _create(team["owner"], team["case"])
    with pytest.raises(ValidationError, match="consent has not been recorded"):
        services.do_change_intervention_status(team["owner"], planned, planned.version, status=Status.ACTIVE)
    ConsentFactory(case=team["case"])
    started = services.do_change_intervention_status(team["owner"], planned, planned.version, status=Status.ACTIVE)
    assert started.status == Status.ACTIVE
    assert ProgressUpdate.objects.get(intervention=started).text == "Support started."


def test_resuming_paused_support_after_withdrawal_is_refused_with_the_date(team):
    ConsentFactory(case=team["case"])
    item = _create(team["owner"], team["case"], status=Status.ACTIVE)
    item = services.do_change_intervention_status(
        team["owner"], item, item.version, status=Status.PAUSED, reason="Exams"
    )
    withdrawn = ConsentFactory(case=team["case"], decision="withdrawn", occurred_on=days(0))
    errors = _errors(lambda: services.do_change_intervention_status(team["owner"], item, item.version, status="active"))
    assert errors["status"] == [
        f"Support cannot start: consent was withdrawn on {services.long_date(withdrawn.occurred_on)}."
    ]


def test_withdrawal_flags_active_support_on_the_page_and_leaves_it_active(client, team):
    ConsentFactory(case=team["case"], occurred_on=days(-20))
    item = InterventionFactory(case=team["case"], status=Status.ACTIVE)
    withdrawn = ConsentFactory(case=team["case"], decision="withdrawn", occurred_on=days(-2))
    force_sign_in(client, team["viewer"])
    flag = f"Consent was withdrawn on {services.long_date(withdrawn.occurred_on)}: stop or pause this support."
    assert flag in client.get(f"/support/case/{team['case'].pk}/").content.decode()
    assert flag in client.get(f"/support/interventions/{item.pk}/").content.decode()
    item.refresh_from_db()
    assert item.status == Status.ACTIVE


# --- What support must say ---------------------------------------------------------------------
def test_other_support_needs_its_own_name(team):
    errors = _errors(lambda: _create(team["owner"], team["case"], support_type="other"))
    assert errors == {"custom_type": ["Enter the type of support"]}
    assert (
        _create(team["owner"], team["case"], support_type="other", custom_type="Boxing club").type_label
        == "Boxing club"
    )


def test_support_has_exactly_one_provider(team):
    provider = ProviderFactory(created_by=team["owner"])
    both = _errors(lambda: _create(team["owner"], team["case"], provider=provider))
    assert both == {"provider": ["Choose a partner organisation or a provider from the register, not both"]}
    neither = _errors(lambda: _create(team["owner"], team["case"], provider_organisation=None))
    assert neither == {"provider": ["Choose who will provide the support"]}


def test_a_provider_from_another_areas_register_is_refused(team, other_organisation):
    elsewhere = ProviderFactory(area=other_organisation.area)
    errors = _errors(lambda: _create(team["owner"], team["case"], provider_organisation=None, provider=elsewhere))
    assert errors == {"provider": [f"Choose a provider from the {team['case'].area.name} register"]}


def test_a_partner_organisation_must_be_in_the_cases_area(team, other_organisation):
    errors = _errors(lambda: _create(team["owner"], team["case"], provider_organisation=other_organisation))
    assert errors == {"provider_organisation": [f"Choose a partner organisation in {team['case'].area.name}"]}


def test_support_cannot_end_before_it_starts_and_must_name_behaviours_and_risks(team):
    errors = _errors(
        lambda: _create(team["owner"], team["case"], ends_on=days(-1), behaviours=" ", risks="", provider_risks="")
    )
    assert errors["ends_on"] == ["The end date must be the same as or after the start date"]
    assert errors["behaviours"] == ["Enter the behaviours this support addresses"]
    assert errors["risks"] == ["Enter the risks this support addresses"]
    assert errors["provider_risks"] == ["Enter the risks to the provider, or say that none were identified"]


# --- DBS warnings ------------------------------------------------------------------------------
def test_dbs_warnings_for_a_missing_an_expired_and_a_too_short_check(team):
    missing = ProviderFactory(name="Ali Mentor", dbs_checked_on=None, dbs_expires_on=None)
    expired = ProviderFactory(name="Bea Coach", dbs_checked_on=days(-800), dbs_expires_on=days(-3))
    short = ProviderFactory(name="Cal Tutor", dbs_expires_on=days(30))
    assert services.dbs_warning(missing) == "No DBS check is recorded for Ali Mentor."
    assert services.dbs_warning(expired) == f"Bea Coach's DBS check expired on {services.long_date(days(-3))}."
    assert services.dbs_warning(short) is None
    assert services.dbs_warning(short, until=days(60)) == (
        f"Cal Tutor's DBS check expires on {services.long_date(days(30))}, "
        f"before this support ends on {services.long_date(days(60))}."
    )


def test_the_plan_warns_when_the_providers_check_expires_before_the_support_ends(client, team):
    provider = ProviderFactory(created_by=team["owner"], name="Cal Tutor", dbs_expires_on=days(30))
    InterventionFactory(case=team["case"], provider=provider, ends_on=days(60))
    force_sign_in(client, team["owner"])
    page = client.get(f"/support/case/{team['case'].pk}/").content.decode()
    assert "Cal Tutor&#x27;s DBS check expires on" in page and "govuk-warning-text" in page


def test_the_form_warns_about_providers_without_a_current_check_where_they_are_chosen(client, team):
    ProviderFactory(created_by=team["owner"], name="Ali Mentor", dbs_checked_on=None, dbs_expires_on=None)
    ProviderFactory(created_by=team["owner"], name="Dee Current")
    force_sign_in(client, team["owner"])
    page = client.get(f"/support/case/{team['case'].pk}/interventions/new/").content.decode()
    assert "No DBS check is recorded for Ali Mentor." in page
    assert "Ali Mentor – no DBS check recorded" in page
    assert "Dee Current – DBS check valid until" in page


# --- Pages -------------------------------------------------------------------------------------
def _form(case, **overrides):
    data = {
        "support_type": "other",
        "custom_type": "Boxing club",
        "provider_kind": "register",
        "provider_organisation": case.lead_organisation.pk,  # under the option not chosen: ignored
        "provider": "",
        "starts_on": days(0).isoformat(),
        "ends_on": days(90).isoformat(),
        "behaviours": "Aggression at school",
        "risks": "Exclusion",
        "provider_risks": "Has made threats to staff before",
        "status": "planned",
    }
    data.update(overrides)
    return data


def test_a_contributor_adds_support_from_the_register_and_sees_the_dbs_warning(client, team):
    provider = ProviderFactory(
        created_by=team["owner"], name="Bea Coach", dbs_checked_on=days(-800), dbs_expires_on=days(-3)
    )
    force_sign_in(client, team["police"])
    response = client.post(
        f"/support/case/{team['case'].pk}/interventions/new/", _form(team["case"], provider=provider.pk)
    )
    item = Intervention.objects.get()
    assert response.status_code == 302 and response.url == f"/support/interventions/{item.pk}/"
    assert (item.provider, item.provider_organisation, item.custom_type) == (provider, None, "Boxing club")
    page = client.get(response.url).content.decode()
    assert "Bea Coach&#x27;s DBS check expired on" in page


def test_starting_support_in_the_form_without_consent_shows_the_reason_and_keeps_the_input(client, team):
    force_sign_in(client, team["owner"])
    data = _form(team["case"], provider_kind="organisation", status="active")
    response = client.post(f"/support/case/{team['case'].pk}/interventions/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        "Support cannot start: consent has not been recorded for Jaden Millbrook."
    ]
    assert "Has made threats to staff before" in response.content.decode()


def test_choosing_the_register_without_a_provider_is_an_error_against_the_provider(client, team):
    force_sign_in(client, team["owner"])
    response = client.post(f"/support/case/{team['case'].pk}/interventions/new/", _form(team["case"]))
    assert response.context["form"].errors["provider"] == ["Choose a provider from the register"]


def test_a_viewer_reads_support_but_cannot_change_it(client, team):
    item = InterventionFactory(case=team["case"])
    force_sign_in(client, team["viewer"])
    assert client.get(f"/support/interventions/{item.pk}/").status_code == 200
    assert client.get(f"/support/interventions/{item.pk}/edit/").status_code == 404
    assert client.post(f"/support/interventions/{item.pk}/progress/", {"text": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="intervention.viewed", object_id=str(item.pk)).exists()


def test_editing_keeps_a_provider_who_has_since_left_the_register(client, team):
    provider = ProviderFactory(created_by=team["owner"], active=False)
    item = InterventionFactory(case=team["case"], provider=provider)
    force_sign_in(client, team["owner"])
    data = _form(team["case"], support_type="mentoring", custom_type="", provider=provider.pk, version=item.version)
    response = client.post(f"/support/interventions/{item.pk}/edit/", data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.provider == provider and item.support_type == "mentoring" and item.version == 2


def test_two_people_editing_at_once_do_not_overwrite_each_other(client, team):
    item = InterventionFactory(case=team["case"])
    services.do_update_intervention(
        team["police"], item, item.version, support_type="careers", starts_on=item.starts_on, behaviours="b",
        risks="r", provider_risks="p", provider_organisation=item.provider_organisation,
    )  # fmt: skip
    force_sign_in(client, team["owner"])
    data = _form(team["case"], provider_kind="organisation", support_type="life_skills", custom_type="", version=1)
    response = client.post(f"/support/interventions/{item.pk}/edit/", data)
    assert response.status_code == 200 and response.context["conflict"] is not None
    assert "Someone else changed this support" in response.content.decode()
    item.refresh_from_db()
    assert item.support_type == "careers"


# --- Status --------------------------------------------------------------------------------------
def test_stopping_needs_a_reason_which_is_kept_in_the_progress_history(client, team):
    item = InterventionFactory(case=team["case"], status=Status.ACTIVE)
    force_sign_in(client, team["police"])
    url = f"/support/interventions/{item.pk}/status/"
    response = client.post(url, {"status": "stopped", "reason": "", "version": item.version})
    assert response.context["form"].errors["reason"] == ["Enter why the support was stopped"]
    response = client.post(url, {"status": "stopped", "reason": "Moved out of the area", "version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.status_reason) == (Status.STOPPED, "Moved out of the area")
    update = ProgressUpdate.objects.get(intervention=item)
    assert (update.status, update.text) == (Status.STOPPED, "Support stopped. Moved out of the area")


def test_finished_support_cannot_change_status_again(team):
    item = InterventionFactory(case=team["case"], status=Status.COMPLETED)
    errors = _errors(lambda: services.do_change_intervention_status(team["owner"], item, 1, status="active"))
    assert errors == {"status": ["This support is completed: its status cannot change again"]}


def test_planned_support_cannot_be_completed_without_starting(team):
    item = InterventionFactory(case=team["case"])
    errors = _errors(lambda: services.do_change_intervention_status(team["owner"], item, 1, status="completed"))
    assert errors == {"status": ["Support that is planned can only become active or stopped"]}


def test_a_stale_status_change_is_a_conflict(team):
    item = InterventionFactory(case=team["case"], version=3)
    with pytest.raises(EditConflict):
        services.do_change_intervention_status(team["owner"], item, 2, status="stopped", reason="No longer needed")


# --- Progress ------------------------------------------------------------------------------------
def test_progress_updates_are_appended_dated_and_never_edited(client, team):
    item = InterventionFactory(case=team["case"])
    force_sign_in(client, team["police"])
    url = f"/support/interventions/{item.pk}/progress/"
    future = client.post(url, {"occurred_on": days(2).isoformat(), "text": "Went well"})
    assert future.context["form"].errors["occurred_on"] == ["The date of the update must be today or in the past"]
    assert client.post(url, {"occurred_on": days(0).isoformat(), "text": "Went well"}).status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.author == team["police"]
    update.text = "Rewritten"
    with pytest.raises(ValueError, match="append-only"):
        update.save()
    assert AuditEvent.objects.filter(action="intervention.progress_added", case_id=team["case"].pk).exists()


def test_the_plan_lists_active_support_before_planned_and_finished(team):
    finished = InterventionFactory(case=team["case"], status=Status.COMPLETED, starts_on=days(-100))
    planned = InterventionFactory(case=team["case"], starts_on=days(-50))
    active = InterventionFactory(case=team["case"], status=Status.ACTIVE, starts_on=days(-10))
    UpdateFactory(intervention=active)
    listed = list(services.case_interventions(team["owner"], team["case"]))
    assert listed == [active, planned, finished]
    assert listed[0].update_count == 1


def test_partner_organisations_offered_are_those_of_the_cases_area(team, other_organisation):
    local = OrganisationFactory(area=team["case"].area, name="Harbour Lights Mentoring")
    offered = list(services.area_organisations(team["case"].area))
    assert local in offered and other_organisation not in offered


def test_the_form_shows_every_problem_at_once_without_repeating_the_missing_provider(client, team):
    force_sign_in(client, team["owner"])
    data = _form(team["case"], provider_kind="organisation", provider_organisation="", behaviours="", ends_on="")
    data.update(support_type="other", custom_type="", starts_on=days(5).isoformat(), status="active")
    errors = client.post(f"/support/case/{team['case'].pk}/interventions/new/", data).context["form"].errors
    assert errors["provider_organisation"] == ["Choose the partner organisation"]
    assert "provider" not in errors and "provider_kind" not in errors
    assert errors["custom_type"] == ["Enter the type of support"]
    assert errors["behaviours"] == ["Enter the behaviours this support addresses"]
    assert errors["status"] == ["Support cannot start: consent has not been recorded for Jaden Millbrook."]


def test_the_form_sent_back_warns_of_a_check_that_runs_out_before_the_end_entered(client, team):
    ProviderFactory(created_by=team["owner"], name="Cal Tutor", dbs_expires_on=days(30))
    force_sign_in(client, team["owner"])
    data = _form(team["case"], ends_on=days(60).isoformat(), behaviours="")
    page = client.post(f"/support/case/{team['case'].pk}/interventions/new/", data).content.decode()
    assert f"before this support ends on {services.long_date(days(60))}" in page
