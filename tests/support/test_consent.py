"""Consent: recorded per person as append-only history; the guard the Channel workflow uses."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.notifications.models import Notice
from roundtable.support import services
from roundtable.support.models import ConsentRecord, Intervention
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, PersonFactory
from tests.support.conftest import born_years_ago
from tests.support.factories import ConsentFactory, InterventionFactory, days

pytestmark = pytest.mark.django_db

Decision = ConsentRecord.Decision


def _record(actor, case, **overrides):
    fields = {
        "decision": Decision.GIVEN,
        "decided_by": "person",
        "occurred_on": days(-1),
        "how": "in_person",
        "capacity_note": "Understood the offer and can stop at any time.",
    }
    fields.update(overrides)
    return services.do_record_consent(actor, case, **fields)


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- The guard ---------------------------------------------------------------------------------
def test_support_cannot_start_until_consent_is_recorded_and_the_reason_names_the_person(team):
    assert services.consent_in_force(team["case"]) is None
    assert services.consent_problem(team["case"]) == (
        "Support cannot start: consent has not been recorded for Jaden Millbrook."
    )


def test_the_latest_decision_rules_so_a_withdrawal_ends_consent_and_says_when(team):
    given = _record(team["owner"], team["case"], occurred_on=days(-10))
    assert services.consent_in_force(team["case"]) == given
    withdrawn = _record(team["owner"], team["case"], decision=Decision.WITHDRAWN, occurred_on=days(-2))
    assert services.consent_in_force(team["case"]) is None
    assert services.consent_problem(team["case"]) == (
        f"Support cannot start: consent was withdrawn on {services.long_date(withdrawn.occurred_on)}."
    )


def test_a_decision_recorded_late_with_an_earlier_date_does_not_override_a_later_one(team):
    _record(team["owner"], team["case"], decision=Decision.REFUSED, occurred_on=days(-1))
    _record(team["owner"], team["case"], decision=Decision.GIVEN, occurred_on=days(-20))
    assert services.consent_problem(team["case"]).startswith("Support cannot start: consent was refused on")


def test_a_case_about_no_person_explains_that_consent_cannot_be_recorded(team):
    meeting = CaseFactory(owner=team["owner"], person=None, kind="meeting")
    assert "not about a person" in services.consent_problem(meeting)
    with pytest.raises(ValidationError, match="not about a person"):
        _record(team["owner"], meeting)


# --- What must be recorded ---------------------------------------------------------------------
def test_a_decision_by_a_parent_needs_their_name(team):
    errors = _errors(lambda: _record(team["owner"], team["case"], decided_by="parent"))
    assert errors == {"decided_by_name": ["Enter the name of the parent"]}


def test_a_decision_by_someone_else_needs_their_relationship_or_role(team):
    errors = _errors(lambda: _record(team["owner"], team["case"], decided_by="other", decided_by_name="Sam Foster"))
    assert "Enter their relationship to Jaden Millbrook" in errors["decided_by_relationship"][0]


def test_a_decision_cannot_be_dated_in_the_future(team):
    errors = _errors(lambda: _record(team["owner"], team["case"], occurred_on=days(1)))
    assert errors == {"occurred_on": ["The date of the decision must be today or in the past"]}


def test_another_way_of_giving_it_must_be_described(team):
    errors = _errors(lambda: _record(team["owner"], team["case"], how="other"))
    assert errors == {"how_detail": ["Enter how the decision was given"]}


def test_a_capacity_note_is_required_from_16_and_says_how_old_they_were(team):
    errors = _errors(lambda: _record(team["owner"], team["case"], capacity_note=""))
    assert errors["capacity_note"][0].startswith("Enter how Jaden Millbrook's capacity to decide was considered")
    assert "they were 17 on" in errors["capacity_note"][0]


def test_no_capacity_note_is_needed_under_16(team):
    child = PersonFactory(date_of_birth=born_years_ago(14), created_by=team["owner"])
    case = CaseFactory(owner=team["owner"], person=child)
    consent = _record(team["owner"], case, decided_by="parent", decided_by_name="Kerry Millbrook", capacity_note="")
    assert consent.decided_by_label == "Kerry Millbrook (parent)"


def test_capacity_is_judged_on_the_date_of_the_decision_not_today(team):
    # 16 for a week now: a decision made a month ago was at 15.
    person = PersonFactory(date_of_birth=born_years_ago(16, days=7), created_by=team["owner"])
    case = CaseFactory(owner=team["owner"], person=person)
    _record(team["owner"], case, occurred_on=days(-30), capacity_note="")
    errors = _errors(lambda: _record(team["owner"], case, occurred_on=days(-1), capacity_note=""))
    assert "they were 16 on" in errors["capacity_note"][0]


def test_an_unknown_age_requires_the_capacity_note_and_says_so(team):
    person = PersonFactory(date_of_birth=None, approximate_age=None, created_by=team["owner"])
    case = CaseFactory(owner=team["owner"], person=person)
    errors = _errors(lambda: _record(team["owner"], case, capacity_note=""))
    assert "their age is not recorded, so they may be 16 or over" in errors["capacity_note"][0]


def test_an_approximate_age_of_15_requires_the_note_because_it_may_be_a_year_out(team):
    person = PersonFactory(date_of_birth=None, approximate_age=15, created_by=team["owner"])
    case = CaseFactory(owner=team["owner"], person=person)
    errors = _errors(lambda: _record(team["owner"], case, capacity_note=""))
    assert "they were about 15" in errors["capacity_note"][0]
    young = CaseFactory(owner=team["owner"], person=PersonFactory(date_of_birth=None, approximate_age=12))
    assert services.capacity_reason(young.person, timezone.localdate()) is None


def test_consent_records_are_never_edited(team):
    consent = _record(team["owner"], team["case"])
    consent.notes = "changed"
    with pytest.raises(ValueError, match="append-only"):
        consent.save()


def test_recording_consent_is_audited_with_the_case_and_person(team):
    consent = _record(team["owner"], team["case"])
    event = AuditEvent.objects.get(action="consent.recorded")
    assert (event.case_id, event.person_id, event.object_id) == (team["case"].pk, team["person"].pk, str(consent.pk))


def test_withdrawal_flags_active_support_for_the_owners_and_never_stops_it(team):
    ConsentFactory(case=team["case"])
    active = InterventionFactory(case=team["case"], status=Intervention.Status.ACTIVE)
    _record(team["police"], team["case"], decision=Decision.WITHDRAWN)
    active.refresh_from_db()
    assert active.status == Intervention.Status.ACTIVE
    notice = Notice.objects.get(recipient=team["owner"])
    assert notice.message == f"Consent was withdrawn on case {team['case'].reference}: review its active support"
    assert "Jaden" not in notice.message


# --- The pages ---------------------------------------------------------------------------------
def _post(client, case, **overrides):
    data = {
        "decision": "given",
        "decided_by": "parent",
        "parent_name": "Kerry Millbrook",
        "carer_name": "",
        "other_name": "Typed then changed my mind",
        "occurred_on": days(-1).isoformat(),
        "how": "phone",
        "capacity_note": "Jaden lacks capacity for this decision at present (see the assessment).",
        "notes": "",
    }
    data.update(overrides)
    return client.post(f"/support/case/{case.pk}/consent/", data)


def test_a_contributor_records_consent_through_the_form_with_the_revealed_name(client, team):
    force_sign_in(client, team["police"])
    response = _post(client, team["case"])
    assert response.status_code == 302
    consent = ConsentRecord.objects.get()
    assert (consent.decided_by, consent.decided_by_name, consent.how) == ("parent", "Kerry Millbrook", "phone")
    assert consent.recorded_by == team["police"] and consent.person == team["person"]


def test_the_form_shows_the_missing_name_against_the_revealed_field(client, team):
    force_sign_in(client, team["owner"])
    response = _post(client, team["case"], parent_name="")
    assert response.status_code == 200
    assert response.context["form"].errors["parent_name"] == ["Enter the name of the parent"]
    assert b'href="#id_parent_name"' in response.content


def test_the_form_shows_the_capacity_reason_when_the_note_is_missing(client, team):
    force_sign_in(client, team["owner"])
    response = _post(client, team["case"], capacity_note="")
    assert "they were 17 on" in response.context["form"].errors["capacity_note"][0]
    assert ConsentRecord.objects.count() == 0


def test_a_viewer_reads_the_history_but_cannot_record(client, team):
    ConsentFactory(case=team["case"], decided_by="carer", decided_by_name="Pat Carer")
    force_sign_in(client, team["viewer"])
    page = client.get(f"/support/case/{team['case'].pk}/")
    assert page.status_code == 200
    assert b"Pat Carer (carer)" in page.content and b"Record a consent decision" not in page.content
    assert _post(client, team["case"]).status_code == 404


def test_the_support_page_says_why_support_cannot_start(client, team):
    force_sign_in(client, team["owner"])
    page = client.get(f"/support/case/{team['case'].pk}/")
    assert b"Support cannot start: consent has not been recorded for Jaden Millbrook." in page.content
    assert AuditEvent.objects.filter(action="case.support_viewed", case_id=team["case"].pk).exists()


def test_someone_not_on_the_case_gets_404(client, team, cast):
    force_sign_in(client, cast["panel_chair"])
    assert client.get(f"/support/case/{team['case'].pk}/").status_code == 404


def test_the_capacity_hint_gives_the_persons_age(team):
    assert "Jaden Millbrook is 17" in services.capacity_hint(team["person"])
    assert services.age_on(team["person"], timezone.localdate() + timedelta(days=400)).years == 18


def test_the_form_shows_every_problem_at_once(client, team):
    force_sign_in(client, team["owner"])
    response = client.post(
        f"/support/case/{team['case'].pk}/consent/", {"decided_by": "other", "how": "other", "occurred_on": ""}
    )
    errors = response.context["form"].errors
    assert set(errors) == {"decision", "other_name", "other_relationship", "occurred_on", "how_detail"}
    assert errors["other_name"] == ["Enter the name of the person who decided"]
