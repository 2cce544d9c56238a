"""The assessments API."""

import pytest

from roundtable.api.services import do_create_token
from roundtable.assessments import services
from roundtable.assessments.models import Assessment
from tests.assessments.factories import completed_assessment, factor_id

pytestmark = pytest.mark.django_db


def auth(user):
    _, raw = do_create_token(user, name="test", days=1)
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", headers=auth(user))


def test_a_case_lists_its_assessments_with_scores(client, team):
    completed_assessment(team["case"], days_ago=9, present={"Criminal capability": "high"})
    services.do_start_assessment(team["owner"], team["case"])
    response = client.get(f"/api/v1/assessments/case/{team['case'].pk}", headers=auth(team["viewer"]))
    assert response.status_code == 200
    draft, done = response.json()
    assert draft["status"] == "draft" and draft["scores"] == {"engagement": None, "intent": None, "capability": None}
    assert done["scores"] == {"engagement": 0, "intent": 0, "capability": 33}


def test_a_draft_is_created_saved_and_completed_over_the_api(client, team):
    case, user = team["case"], team["contributor"]
    response = post(client, f"/api/v1/assessments/case/{case.pk}", {"conclusion": "Starting"}, user)
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["ratings"]) == 22 and body["conclusion"] == "Starting"
    ratings = [
        {"factor_id": r["factor_id"], "present": r["label"] == "Harmful objectives", "rating": "high", "evidence": "x"}
        for r in body["ratings"]
    ]
    saved = post(client, f"/api/v1/assessments/{body['id']}", {"version": body["version"], "ratings": ratings}, user)
    assert saved.status_code == 200, saved.content
    rated = {r["label"]: (r["present"], r["rating"]) for r in saved.json()["ratings"]}
    assert rated["Harmful objectives"] == (True, "high") and rated["Criminal capability"] == (False, None)
    done = post(client, f"/api/v1/assessments/{body['id']}/complete", {"version": saved.json()["version"]}, user)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed" and done.json()["scores"]["intent"] == 17


def test_completing_an_unfinished_draft_gives_422_locating_each_factor(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    response = post(client, f"/api/v1/assessments/{draft.pk}/complete", {"version": draft.version}, team["owner"])
    assert response.status_code == 422
    errors = response.json()["errors"]
    threat = factor_id(draft, "Feeling under threat")
    assert {
        "loc": ["body", "ratings", threat, "present"],
        "msg": "Engagement: “Feeling under threat” – say whether it is present",
    } in errors
    assert {"loc": ["body", "conclusion"], "msg": "Enter the overall conclusion"} in errors


def test_a_stale_version_gets_409_with_the_current_record(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    services.do_save_draft(team["owner"], draft, draft.version, fields={"conclusion": "Theirs"})
    response = post(
        client, f"/api/v1/assessments/{draft.pk}", {"version": draft.version, "conclusion": "Mine"}, team["contributor"]
    )
    assert response.status_code == 409
    assert response.json()["current"]["conclusion"] == "Theirs" and response.json()["conflicts"] == ["conclusion"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"version": 1, "assessed_on": "2999-01-01"}, ["body", "assessed_on"]),
        ({"version": 1, "ratings": [{"factor_id": 999999, "present": True}]}, ["body", "ratings", 999999, "present"]),
        ({"version": 1, "ratings": [{"factor_id": 1, "rating": "extreme"}]}, ["body", "ratings", 0, "rating"]),
        ({"conclusion": "no version"}, ["body", "version"]),
    ],
)
def test_a_bad_update_gets_422_saying_where(client, team, body, where):
    draft = services.do_start_assessment(team["owner"], team["case"])
    response = post(client, f"/api/v1/assessments/{draft.pk}", body, team["owner"])
    assert response.status_code == 422
    assert where in [e["loc"] for e in response.json()["errors"]]


def test_an_outsider_gets_404_before_their_body_is_read(client, team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    assert post(client, f"/api/v1/assessments/{draft.pk}", {"nonsense": 1}, team["outsider"]).status_code == 404
    assert client.get(f"/api/v1/assessments/{draft.pk}", headers=auth(team["outsider"])).status_code == 404


def test_a_completed_assessment_cannot_be_updated_over_the_api(client, team):
    done = completed_assessment(team["case"])
    response = post(
        client, f"/api/v1/assessments/{done.pk}", {"version": done.version, "conclusion": "x"}, team["owner"]
    )
    assert response.status_code == 404
    assert Assessment.objects.get(pk=done.pk).conclusion != "x"


def test_the_factor_list_is_the_users_area_and_other_areas_are_404(client, team, other_organisation):
    response = client.get("/api/v1/assessments/factors", headers=auth(team["contributor"]))
    assert response.status_code == 200 and len(response.json()) == 22
    assert response.json()[0]["label"] == "Feelings of grievance and injustice"
    elsewhere = other_organisation.area_id
    assert (
        client.get(f"/api/v1/assessments/factors?area_id={elsewhere}", headers=auth(team["owner"])).status_code == 404
    )
