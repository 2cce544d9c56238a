"""My tasks, the home page panel and the overdue view."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.accounts.models import Role
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


def test_my_tasks_lists_overdue_first_then_by_due_date(client, cast):
    me = cast["practitioner"]
    case = CaseFactory(owner=me)
    for title, due in [("In ten days", 10), ("Two days late", -2), ("Tomorrow", 1), ("A week late", -7), ("Today", 0)]:
        TaskFactory(case=case, title=title, due_date=days(due))
    TaskFactory(case=case, title="Finished", due_date=days(-20), status="done")
    TaskFactory(case=case, title="Someone else's", assignee=CaseFactory().owner)
    force_sign_in(client, me)
    response = client.get("/tasks/")
    assert [t.title for t in response.context["tasks"]] == [
        "A week late",
        "Two days late",
        "Today",
        "Tomorrow",
        "In ten days",
    ]
    assert response.content.decode().count("govuk-tag--red") == 2
    closed = client.get("/tasks/?show=closed")
    assert [t.title for t in closed.context["tasks"]] == ["Finished"]


def test_the_home_page_shows_my_open_tasks_with_the_overdue_count(client, cast):
    me = cast["practitioner"]
    case = CaseFactory(owner=me)
    TaskFactory(case=case, title="Not yet", due_date=days(4))
    TaskFactory(case=case, title="Late one", due_date=days(-1))
    TaskFactory(case=case, title="Done one", status="done")
    force_sign_in(client, me)
    response = client.get("/")
    panel = next(p for p in response.context["panels"] if p["template"] == "tasks/home_panel.html")
    assert (panel["count"], panel["overdue"]) == (2, 1)
    assert [t.title for t in panel["tasks"]] == ["Late one", "Not yet"]
    page = response.content.decode()
    assert '<span class="moj-notification-badge" aria-hidden="true">2</span>' in page
    assert "1 overdue" in page


def test_the_home_page_has_no_task_panel_for_system_administrators(client, cast):
    force_sign_in(client, cast["system_admin"])
    response = client.get("/")
    assert all(p["template"] != "tasks/home_panel.html" for p in response.context["panels"])


@pytest.fixture
def late_work(cast):
    chair, owner = cast["panel_chair"], cast["practitioner"]
    area = owner.organisation.area
    police = UserFactory(organisation=OrganisationFactory(name="Northshire Police", area=area), full_name="Pat Police")
    school = UserFactory(organisation=OrganisationFactory(name="Millford Academy", area=area), full_name="Sam School")
    seen = CaseFactory(owner=owner, members=[chair, police, school])
    TaskFactory(case=seen, assignee=police, title="Police late 1", due_date=days(-3))
    TaskFactory(case=seen, assignee=police, title="Police late 2", due_date=days(-1))
    TaskFactory(case=seen, assignee=school, title="School late", due_date=days(-2))
    TaskFactory(case=seen, assignee=school, title="School on time", due_date=days(2))
    TaskFactory(case=seen, assignee=school, title="School done late", due_date=days(-9), status="done")
    chaired_only = CaseFactory(owner=chair, members=[police])
    TaskFactory(case=chaired_only, assignee=police, title="On the chair's own case", due_date=days(-5))
    unseen = CaseFactory(members=[police])
    TaskFactory(case=unseen, assignee=police, title="On a case the chair cannot see", due_date=days(-5))
    return {"chair": chair, "owner": owner}


def test_a_chair_sees_overdue_tasks_grouped_by_person_over_the_cases_they_can_see(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get("/tasks/overdue/")
    groups = [(g.label, [t.title for t in g.tasks]) for g in response.context["groups"]]
    assert groups == [
        ("Pat Police", ["On the chair's own case", "Police late 1", "Police late 2"]),
        ("Sam School", ["School late"]),
    ]
    assert "On a case the chair cannot see" not in response.content.decode()


def test_the_overdue_view_groups_by_organisation(client, late_work):
    force_sign_in(client, late_work["chair"])
    response = client.get("/tasks/overdue/?by=organisation")
    assert [(g.label, len(g.tasks)) for g in response.context["groups"]] == [
        ("Northshire Police", 3),
        ("Millford Academy", 1),
    ]


def test_a_case_owner_sees_overdue_tasks_on_the_cases_they_own_only(client, late_work):
    force_sign_in(client, late_work["owner"])
    response = client.get("/tasks/overdue/")
    titles = sorted(t.title for g in response.context["groups"] for t in g.tasks)
    assert titles == ["Police late 1", "Police late 2", "School late"]


def test_a_panel_chair_with_no_cases_sees_an_empty_overdue_view(client, organisation):
    chair = UserFactory(organisation=organisation, role=Role.PANEL_CHAIR)
    force_sign_in(client, chair)
    response = client.get("/tasks/overdue/")
    assert response.status_code == 200
    assert "No tasks are overdue" in response.content.decode()
