"""The consent and support API: the same rules and messages as the pages."""

import pytest

from roundtable.api.services import do_create_token
from roundtable.support.models import ConsentRecord, Intervention
from tests.support.factories import ConsentFactory, InterventionFactory, ProviderFactory, days

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, path, body=None):
        _, raw = do_create_token(user, name="t", days=1)
        headers = {"Authorization": f"Bearer {raw}"}
        if method == "GET":
            return client.get(f"/api/v1/support{path}", headers=headers)
        return client.post(f"/api/v1/support{path}", body or {}, content_type="application/json", headers=headers)

    return call


def test_the_consent_history_says_whether_support_can_start(api, team):
    response = api(team["viewer"], "GET", f"/case/{team['case'].pk}/consent")
    assert response.status_code == 200
    assert response.json() == {
        "in_force": False,
        "problem": "Support cannot start: consent has not been recorded for Jaden Millbrook.",
        "records": [],
    }


def test_recording_consent_through_the_api_applies_the_capacity_rule(api, team):
    body = {
        "decision": "given",
        "decided_by": "person",
        "occurred_on": days(-1).isoformat(),
        "how": "email",
    }
    response = api(team["police"], "POST", f"/case/{team['case'].pk}/consent", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "capacity_note"]
    body["capacity_note"] = "Has capacity: understood and asked questions."
    response = api(team["police"], "POST", f"/case/{team['case'].pk}/consent", body)
    assert response.status_code == 201 and response.json()["decision"] == "given"
    assert api(team["viewer"], "GET", f"/case/{team['case'].pk}/consent").json()["in_force"] is True


def test_a_name_sent_for_a_decision_by_the_person_is_refused_not_dropped(api, team):
    body = {
        "decision": "refused",
        "decided_by": "person",
        "decided_by_name": "Kerry Millbrook",
        "occurred_on": days(0).isoformat(),
        "how": "phone",
        "capacity_note": "Has capacity.",
    }
    response = api(team["owner"], "POST", f"/case/{team['case'].pk}/consent", body)
    assert response.status_code == 422 and not ConsentRecord.objects.exists()


def test_a_viewer_cannot_record_consent_and_an_outsider_cannot_tell_the_case_exists(api, team, cast):
    body = {"decision": "nonsense"}
    assert api(team["viewer"], "POST", f"/case/{team['case'].pk}/consent", body).status_code == 404
    assert api(cast["panel_chair"], "POST", f"/case/{team['case'].pk}/consent", body).status_code == 404
    assert api(cast["panel_chair"], "GET", f"/case/{team['case'].pk}/consent").status_code == 404


def _support(**overrides):
    body = {
        "support_type": "careers",
        "starts_on": days(0).isoformat(),
        "behaviours": "Disengaged from college",
        "risks": "NEET",
        "provider_risks": "None identified",
        "status": "active",
    }
    body.update(overrides)
    return body


def test_starting_support_without_consent_answers_422_with_the_reason(api, team):
    body = _support(provider_organisation_id=team["case"].lead_organisation_id)
    response = api(team["owner"], "POST", f"/case/{team['case'].pk}/interventions", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", "status"], "msg": "Support cannot start: consent has not been recorded for Jaden Millbrook."}
    ]


def test_support_from_the_register_carries_the_dbs_warning(api, team):
    ConsentFactory(case=team["case"])
    provider = ProviderFactory(created_by=team["owner"], name="Ali Mentor", dbs_checked_on=None, dbs_expires_on=None)
    response = api(team["owner"], "POST", f"/case/{team['case'].pk}/interventions", _support(provider_id=provider.pk))
    assert response.status_code == 201
    assert response.json()["dbs_warning"] == "No DBS check is recorded for Ali Mentor."
    assert response.json()["provider"]["name"] == "Ali Mentor"


def test_the_plan_flags_active_support_after_withdrawal(api, team):
    ConsentFactory(case=team["case"], occurred_on=days(-9))
    InterventionFactory(case=team["case"], status=Intervention.Status.ACTIVE)
    ConsentFactory(case=team["case"], decision="withdrawn", occurred_on=days(-1))
    (item,) = api(team["viewer"], "GET", f"/case/{team['case'].pk}/interventions").json()
    assert item["status"] == "active" and item["consent_flag"].startswith("Consent was withdrawn on")


def test_status_changes_and_progress_through_the_api(api, team):
    item = InterventionFactory(case=team["case"], status=Intervention.Status.ACTIVE)
    path = f"/interventions/{item.pk}"
    paused = api(team["police"], "POST", f"{path}/status", {"status": "paused", "reason": "Exams", "version": 1})
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    stale = api(team["police"], "POST", f"{path}/status", {"status": "stopped", "reason": "x", "version": 1})
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    added = api(team["police"], "POST", f"{path}/progress", {"occurred_on": days(0).isoformat(), "text": "Call made"})
    assert added.status_code == 201
    detail = api(team["viewer"], "GET", path).json()
    assert [u["text"] for u in detail["updates"]] == ["Call made", "Support paused. Exams"]


def test_providers_of_your_area_and_not_of_another(api, team, cast, other_organisation):
    ProviderFactory(created_by=team["owner"], name="Ali Mentor")
    mine = api(cast["panel_chair"], "GET", "/providers")
    assert [p["name"] for p in mine.json()] == ["Ali Mentor"]
    area_id = team["case"].area_id
    assert api(cast["other_org_practitioner"], "GET", f"/providers?area_id={area_id}").status_code == 404
    assert api(cast["auditor"], "GET", "/providers").status_code == 404
