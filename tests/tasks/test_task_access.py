"""Tasks are visible with their case only; outsiders guessing IDs get 404 everywhere."""

import pytest
from django.utils import timezone

from roundtable.api.services import do_create_token
from roundtable.cases.models import CaseMembership
from roundtable.tasks.models import Task
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(cast):
    case = CaseFactory(owner=cast["practitioner"], members=[cast["panel_chair"]])
    return TaskFactory(case=case, assignee=cast["panel_chair"], due_date=timezone.localdate().replace(year=2020))


def _page_urls(task):
    return [
        f"/tasks/case/{task.case_id}/",
        f"/tasks/case/{task.case_id}/new/",
        f"/tasks/{task.pk}/",
        f"/tasks/{task.pk}/edit/",
        f"/tasks/{task.pk}/status/",
    ]


@pytest.mark.parametrize("who", ["other_org_practitioner", "other_org_admin", "org_admin", "system_admin", "auditor"])
def test_users_who_are_not_on_the_case_get_404_for_every_task_page(client, cast, task, who):
    force_sign_in(client, cast[who])
    for url in _page_urls(task):
        assert client.get(url).status_code == 404, url
    for url in _page_urls(task)[1:2] + _page_urls(task)[3:]:
        assert client.post(url, {"status": "done", "completion_note": "x", "version": 1}).status_code == 404, url
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_another_organisations_user_guessing_ids_gets_404_from_the_api(client, cast, task):
    _, token = do_create_token(cast["other_org_practitioner"], name="guess", days=1)
    headers = {"Authorization": f"Bearer {token}"}
    for url in (f"/api/v1/tasks/{task.pk}", f"/api/v1/tasks/case/{task.case_id}"):
        assert client.get(url, headers=headers).status_code == 404
    body = {"status": "done", "completion_note": "x", "version": 1}
    response = client.post(f"/api/v1/tasks/{task.pk}/status", body, content_type="application/json", headers=headers)
    assert response.status_code == 404
    create = {"title": "x", "assignee_id": cast["other_org_practitioner"].pk, "working_days": 1}
    response = client.post(
        f"/api/v1/tasks/case/{task.case_id}", create, content_type="application/json", headers=headers
    )
    assert response.status_code == 404
    # A badly formed body tells an outsider nothing either: still 404, not 422.
    response = client.post(f"/api/v1/tasks/{task.pk}/status", {}, content_type="application/json", headers=headers)
    assert response.status_code == 404


def test_an_outsiders_lists_do_not_contain_the_task(client, cast, task):
    outsider = cast["other_org_practitioner"]
    force_sign_in(client, outsider)
    assert task.title not in client.get("/tasks/").content.decode()
    _, token = do_create_token(outsider, name="t", days=1)
    assert client.get("/api/v1/tasks/mine", headers={"Authorization": f"Bearer {token}"}).json() == []


def test_the_assignee_may_change_the_status_but_not_edit_the_task(client, cast, task):
    force_sign_in(client, cast["panel_chair"])
    assert client.get(f"/tasks/{task.pk}/status/").status_code == 200
    assert client.get(f"/tasks/{task.pk}/edit/").status_code == 404


def test_a_member_who_neither_set_nor_holds_the_task_cannot_change_its_status(client, cast, task):
    other = UserFactory(organisation=cast["practitioner"].organisation)
    CaseMembership.objects.create(case=task.case, user=other, role=CaseMembership.Role.CONTRIBUTOR)
    force_sign_in(client, other)
    assert client.get(f"/tasks/{task.pk}/").status_code == 200
    assert client.get(f"/tasks/{task.pk}/status/").status_code == 404


def test_someone_taken_off_the_case_loses_its_tasks_even_when_assigned(client, cast, task):
    CaseMembership.objects.filter(case=task.case, user=cast["panel_chair"]).delete()
    force_sign_in(client, cast["panel_chair"])
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    assert task.title not in client.get("/tasks/").content.decode()


def test_overdue_view_is_refused_to_members_who_are_not_chairs_or_owners(client, cast, task):
    force_sign_in(client, cast["panel_admin"])
    assert client.get("/tasks/overdue/").status_code == 404
