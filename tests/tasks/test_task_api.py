"""The tasks API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.api.services import do_create_token
from roundtable.tasks.models import Task
from tests.factories import CaseFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


def auth(user):
    _, raw = do_create_token(user, name="test", days=1)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def team(cast):
    other = UserFactory(organisation=cast["practitioner"].organisation)
    case = CaseFactory(owner=cast["practitioner"], members=[other])
    return {"case": case, "owner": cast["practitioner"], "other": other}


def test_a_task_is_created_in_working_days_and_returned(client, team):
    body = {"title": "Check records", "assignee_id": team["other"].pk, "working_days": 0}
    response = client.post(
        f"/api/v1/tasks/case/{team['case'].pk}", body, content_type="application/json", headers=auth(team["owner"])
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["title"], data["assignee"]["id"], data["due_date"]) == (
        "Check records",
        team["other"].pk,
        str(timezone.localdate()),
    )


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"title": "x", "assignee_id": 1}, "Give either due_date or working_days"),
        (
            {"title": "x", "assignee_id": 1, "working_days": 3, "due_date": "2099-01-01"},
            "Give either due_date or working_days",
        ),
        ({"title": "", "assignee_id": 1, "working_days": 3}, "at least 1 character"),
        ({"title": "x", "assignee_id": 1, "due_date": "2099-02-30"}, "date"),
        ({"title": "x", "assignee_id": 1, "due_date": "2000-01-01"}, "The due date must be today or in the future"),
    ],
)
def test_a_bad_task_gets_422_with_a_clear_message(client, team, body, where):
    body = {**body, "assignee_id": team["other"].pk}
    response = client.post(
        f"/api/v1/tasks/case/{team['case'].pk}", body, content_type="application/json", headers=auth(team["owner"])
    )
    assert response.status_code == 422
    assert where in response.content.decode()
    assert not Task.objects.exists()


def test_a_non_member_cannot_be_given_a_task(client, team, cast):
    body = {"title": "x", "assignee_id": cast["other_org_practitioner"].pk, "working_days": 2}
    response = client.post(
        f"/api/v1/tasks/case/{team['case'].pk}", body, content_type="application/json", headers=auth(team["owner"])
    )
    assert response.status_code == 422
    assert "Choose someone who is a member of this case" in response.content.decode()


def test_changing_status_on_a_stale_version_is_a_409_with_the_current_task(client, team):
    task = TaskFactory(case=team["case"], assignee=team["other"])
    headers = auth(team["other"])
    url = f"/api/v1/tasks/{task.pk}/status"
    first = client.post(url, {"status": "in_progress", "version": 1}, content_type="application/json", headers=headers)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.post(
        url,
        {"status": "done", "completion_note": "Done", "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "in_progress"
    assert stale.json()["conflicts"] == ["status", "completion_note"]


def test_done_without_a_note_is_422(client, team):
    task = TaskFactory(case=team["case"])
    response = client.post(
        f"/api/v1/tasks/{task.pk}/status",
        {"status": "done", "version": 1},
        content_type="application/json",
        headers=auth(team["owner"]),
    )
    assert response.status_code == 422
    assert "Enter a completion note saying what was done" in response.content.decode()


def test_my_tasks_and_the_case_tasks_come_overdue_first(client, team):
    today = timezone.localdate()
    TaskFactory(case=team["case"], title="Soon", due_date=today + timedelta(days=1))
    TaskFactory(case=team["case"], title="Late", due_date=today - timedelta(days=1))
    headers = auth(team["owner"])
    mine = client.get("/api/v1/tasks/mine", headers=headers).json()
    assert [(t["title"], t["is_overdue"]) for t in mine] == [("Late", True), ("Soon", False)]
    on_case = client.get(f"/api/v1/tasks/case/{team['case'].pk}", headers=headers).json()
    assert [t["title"] for t in on_case] == ["Late", "Soon"]


def test_the_overdue_api_pages_tasks_and_counts_groups_by_person_and_organisation(client, team, cast):
    task = TaskFactory(case=team["case"], assignee=team["other"], due_date=timezone.localdate() - timedelta(days=2))
    headers = auth(team["owner"])
    data = client.get("/api/v1/tasks/overdue", headers=headers).json()
    assert (data["by"], data["count"], data["page"], data["pages"]) == ("person", 1, 1, 1)
    assert [t["id"] for t in data["items"]] == [task.pk]
    assert [(g["id"], g["name"], g["detail"], g["count"]) for g in data["groups"]["items"]] == [
        (team["other"].pk, team["other"].full_name, team["other"].organisation.name, 1)
    ]
    by_organisation = client.get("/api/v1/tasks/overdue?by=organisation", headers=headers).json()
    assert [(g["name"], g["count"]) for g in by_organisation["groups"]["items"]] == [
        (team["other"].organisation.name, 1)
    ]


def test_every_task_operation_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/tasks/mine",
        "/api/v1/tasks/overdue",
        "/api/v1/tasks/case/{case_id}",
        "/api/v1/tasks/{task_id}/status",
    } <= set(schema["paths"])
    assert "requestBody" in schema["paths"]["/api/v1/tasks/{task_id}/status"]["post"]
