"""Setting, editing and completing tasks through the pages."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from roundtable.accounts.models import Area
from roundtable.cases.models import CaseMembership
from roundtable.tasks.models import Task
from tests.conftest import force_sign_in
from tests.factories import AreaFactory, CaseFactory, OrganisationFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

# A Wednesday before Christmas, in the morning, London time.
BEFORE_CHRISTMAS = "2026-12-23 09:00 +00:00"


@pytest.fixture
def team(cast):
    """A case owned by the practitioner, with a police officer from another organisation on it."""
    practitioner = cast["practitioner"]
    police = UserFactory(
        organisation=OrganisationFactory(name="Northshire Police", area=practitioner.organisation.area),
        full_name="Officer Dibble",
    )
    case = CaseFactory(owner=practitioner, members=[police])
    return {"case": case, "owner": practitioner, "police": police}


def _create(client, case, **overrides):
    data = {"title": "Check police systems", "assignee": "", "due_mode": "working_days", "working_days": "5"}
    data.update(overrides)
    return client.post(f"/tasks/case/{case.pk}/new/", data)


def test_a_task_can_be_set_for_a_member_of_another_organisation_due_in_working_days(client, team):
    with time_machine.travel(BEFORE_CHRISTMAS, tick=False):
        force_sign_in(client, team["owner"])
        response = _create(client, team["case"], assignee=team["police"].pk, working_days="2")
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.assignee == team["police"]
    assert task.created_by == team["owner"]
    # 24 December, then Christmas, Boxing Day (observed 28th) and the weekend: the 29th.
    assert task.due_date == date(2026, 12, 29)


def test_working_days_use_the_bank_holidays_of_the_case_area(client, cast):
    scotland = AreaFactory(name="Glenshire", nation=Area.Nation.SCOTLAND)
    owner = UserFactory(organisation=OrganisationFactory(area=scotland))
    case = CaseFactory(owner=owner)
    with time_machine.travel("2025-12-31 09:00 +00:00", tick=False):
        force_sign_in(client, owner)
        _create(client, case, assignee=owner.pk, working_days="1")
    # 1 and 2 January are both bank holidays in Scotland.
    assert Task.objects.get().due_date == date(2026, 1, 5)


def test_a_task_can_be_due_on_a_date(client, team):
    with time_machine.travel(BEFORE_CHRISTMAS, tick=False):
        force_sign_in(client, team["owner"])
        response = _create(
            client,
            team["case"],
            assignee=team["owner"].pk,
            due_mode="date",
            due_day="8",
            due_month="1",
            due_year="2027",
        )
    assert response.status_code == 302
    assert Task.objects.get().due_date == date(2027, 1, 8)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the due date"),
        ("3", "", "2027", "The due date must include a month"),
        ("", "", "2027", "The due date must include a day and month"),
        ("3", "3", "", "The due date must include a year"),
        ("31", "2", "2027", "The due date must be a real date"),
        ("3", "13", "2027", "The due date must be a real date"),
        ("a", "3", "2027", "The due date must be a real date, in numbers"),
        ("3", "3", "27", "The year must include 4 numbers"),
        ("22", "12", "2026", "The due date must be today or in the future"),
    ],
)
def test_a_wrong_due_date_gets_a_specific_message_and_keeps_what_was_typed(client, team, day, month, year, message):
    with time_machine.travel(BEFORE_CHRISTMAS, tick=False):
        force_sign_in(client, team["owner"])
        date_parts = {"due_day": day, "due_month": month, "due_year": year}
        response = _create(
            client,
            team["case"],
            assignee=team["owner"].pk,
            due_mode="date",
            title="Visit the family at home",
            **date_parts,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    assert 'value="Visit the family at home"' in page
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("working_days", "message"),
    [
        ("", "Enter the number of working days"),
        ("five", "The number of working days must be a whole number, like 5"),
        ("-1", "The number of working days must be a whole number, like 5"),
        ("999", "The number of working days must be 250 or fewer"),
    ],
)
def test_a_wrong_number_of_working_days_gets_a_specific_message(client, team, working_days, message):
    force_sign_in(client, team["owner"])
    response = _create(client, team["case"], assignee=team["owner"].pk, working_days=working_days)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_missing_fields_each_get_a_message(client, team):
    force_sign_in(client, team["owner"])
    response = client.post(f"/tasks/case/{team['case'].pk}/new/", {})
    page = response.content.decode()
    for message in ("Enter what needs to be done", "Choose who should do it", "Choose how to set the due date"):
        assert message in page


def test_a_task_cannot_be_given_to_someone_who_is_not_on_the_case(client, team):
    outsider = UserFactory(organisation=team["owner"].organisation)
    force_sign_in(client, team["owner"])
    response = _create(client, team["case"], assignee=outsider.pk)
    assert "Choose someone who is a member of this case" in response.content.decode()
    assert not Task.objects.exists()


def test_the_form_offers_every_member_with_their_organisation(client, team):
    force_sign_in(client, team["owner"])
    page = client.get(f"/tasks/case/{team['case'].pk}/new/").content.decode()
    assert "Officer Dibble (Northshire Police)" in page
    assert 'data-aria-controls="conditional-working-days"' in page


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("done", "Enter a completion note saying what was done"),
        ("cancelled", "Enter a note saying why the task was cancelled"),
    ],
)
def test_a_completion_note_is_required_to_finish_a_task(client, team, status, message):
    task = TaskFactory(case=team["case"], assignee=team["police"])
    force_sign_in(client, team["police"])
    response = client.post(f"/tasks/{task.pk}/status/", {"status": status, "completion_note": "  ", "version": 1})
    assert response.status_code == 200
    assert message in response.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_the_assignee_can_mark_a_task_done_and_the_setter_is_told(client, team):
    task = TaskFactory(case=team["case"], assignee=team["police"])
    force_sign_in(client, team["police"])
    response = client.post(
        f"/tasks/{task.pk}/status/", {"status": "done", "completion_note": "No records held.", "version": 1}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.completion_note, task.version) == ("done", "No records held.", 2)
    assert task.completed_at is not None
    assert team["owner"].notices.get().url == f"/tasks/{task.pk}/"


def test_reopening_a_task_clears_its_completion_time(client, team):
    task = TaskFactory(case=team["case"], status="done", completion_note="Done", completed_at=timezone.now())
    force_sign_in(client, team["owner"])
    client.post(f"/tasks/{task.pk}/status/", {"status": "in_progress", "completion_note": "", "version": 1})
    task.refresh_from_db()
    assert (task.status, task.completed_at) == ("in_progress", None)


def test_a_second_editor_gets_a_conflict_and_keeps_their_text(client, team):
    task = TaskFactory(case=team["case"], title="Original title")
    force_sign_in(client, team["owner"])
    form = {
        "title": "", "description": "", "assignee": team["owner"].pk, "due_mode": "date",
        "due_day": task.due_date.day, "due_month": task.due_date.month, "due_year": task.due_date.year, "version": 1,
    }  # fmt: skip
    assert client.post(f"/tasks/{task.pk}/edit/", {**form, "title": "First person's title"}).status_code == 302
    response = client.post(f"/tasks/{task.pk}/edit/", {**form, "title": "Second person's title"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this task while you were editing it" in page
    assert "First person&#x27;s title" in page
    assert 'value="Second person&#x27;s title"' in page
    task.refresh_from_db()
    assert task.title == "First person's title"
    # Saving again, having seen the difference, is a deliberate overwrite.
    assert (
        client.post(f"/tasks/{task.pk}/edit/", {**form, "title": "Second person's title", "version": 2}).status_code
        == 302
    )
    task.refresh_from_db()
    assert (task.title, task.version) == ("Second person's title", 3)


def test_a_status_change_on_a_stale_version_is_refused_with_the_difference_shown(client, team):
    task = TaskFactory(case=team["case"], assignee=team["police"])
    Task.objects.filter(pk=task.pk).update(status="in_progress", version=2)
    force_sign_in(client, team["police"])
    response = client.post(
        f"/tasks/{task.pk}/status/", {"status": "cancelled", "completion_note": "Not needed", "version": 1}
    )
    page = response.content.decode()
    assert "Someone else saved this task" in page
    assert "Not needed" in page
    task.refresh_from_db()
    assert task.status == "in_progress"


def test_an_overdue_task_can_be_edited_without_moving_its_date(client, team):
    task = TaskFactory(case=team["case"], due_date=timezone.localdate() - timedelta(days=3))
    force_sign_in(client, team["owner"])
    form = {
        "title": "Renamed", "assignee": team["owner"].pk, "due_mode": "date", "due_day": task.due_date.day,
        "due_month": task.due_date.month, "due_year": task.due_date.year, "version": 1,
    }  # fmt: skip
    assert client.post(f"/tasks/{task.pk}/edit/", form).status_code == 302


def test_reassigning_a_task_tells_the_new_assignee(client, team, mailoutbox, django_capture_on_commit_callbacks):
    task = TaskFactory(case=team["case"])
    force_sign_in(client, team["owner"])
    form = {"title": task.title, "assignee": team["police"].pk, "due_mode": "working_days", "working_days": "3"}
    form["version"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/tasks/{task.pk}/edit/", form)
    assert team["police"].notices.count() == 1
    assert [m.to for m in mailoutbox] == [[team["police"].email]]


def test_every_task_change_is_audited_with_the_case_and_person(client, team):
    from roundtable.audit.models import AuditEvent

    force_sign_in(client, team["owner"])
    _create(client, team["case"], assignee=team["police"].pk)
    event = AuditEvent.objects.get(action="task.created")
    assert (event.case_id, event.person_id) == (team["case"].pk, team["case"].person_id)
    client.get(f"/tasks/case/{team['case'].pk}/")
    assert AuditEvent.objects.filter(action="case.tasks_viewed", case_id=team["case"].pk).count() == 1


def test_the_case_tasks_page_lists_open_tasks_first_with_overdue_at_the_top(client, team):
    today = timezone.localdate()
    TaskFactory(case=team["case"], title="Later", due_date=today + timedelta(days=9))
    TaskFactory(case=team["case"], title="Finished", due_date=today - timedelta(days=9), status="done")
    TaskFactory(case=team["case"], title="Late", due_date=today - timedelta(days=2))
    force_sign_in(client, team["owner"])
    response = client.get(f"/tasks/case/{team['case'].pk}/")
    assert [t.title for t in response.context["tasks"]] == ["Late", "Later", "Finished"]
    assert 'aria-current="page" href="/tasks/case/' in response.content.decode()


def test_a_viewer_on_the_case_sees_tasks_but_cannot_set_them(client, team, cast):
    viewer = cast["panel_admin"]
    CaseMembership.objects.create(case=team["case"], user=viewer, role=CaseMembership.Role.VIEWER)
    force_sign_in(client, viewer)
    response = client.get(f"/tasks/case/{team['case'].pk}/")
    assert response.status_code == 200
    assert "Set a task" not in response.content.decode()
    assert client.get(f"/tasks/case/{team['case'].pk}/new/").status_code == 404
