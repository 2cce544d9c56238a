"""Assignment e-mails and the daily reminder sweep, with a frozen clock."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from roundtable.cases.models import CaseMembership
from roundtable.notifications.models import Notice
from roundtable.tasks.services import do_create_task
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

TUESDAY_MORNING = "2026-03-10 07:00 +00:00"
WEDNESDAY_MORNING = "2026-03-11 07:00 +00:00"


@pytest.fixture
def world(cast):
    owner = cast["practitioner"]
    holder = UserFactory(organisation=owner.organisation, full_name="Hazel Holder", email="hazel@example.test")
    person = PersonFactory(given_name="Morwenna", family_name="Quillfeather", created_by=owner)
    case = CaseFactory(owner=owner, person=person, members=[holder])
    tasks = {
        "tomorrow": TaskFactory(
            case=case, assignee=holder, title="Ask Morwenna about school", due_date=date(2026, 3, 11)
        ),
        "late": TaskFactory(case=case, assignee=holder, title="Visit Morwenna at home", due_date=date(2026, 3, 5)),
        "later": TaskFactory(case=case, assignee=holder, title="Later", due_date=date(2026, 3, 12)),
        "today": TaskFactory(case=case, assignee=holder, title="Today", due_date=date(2026, 3, 10)),
        "done": TaskFactory(case=case, assignee=holder, title="Done", due_date=date(2026, 3, 1), status="done"),
    }
    gone = UserFactory(organisation=owner.organisation, email="gone@example.test")
    CaseMembership.objects.create(case=case, user=gone)
    tasks["taken_off"] = TaskFactory(case=case, assignee=gone, title="Removed", due_date=date(2026, 3, 2))
    CaseMembership.objects.filter(user=gone).delete()
    inactive = UserFactory(organisation=owner.organisation, email="inactive@example.test", is_active=False)
    CaseMembership.objects.create(case=case, user=inactive)
    tasks["inactive"] = TaskFactory(case=case, assignee=inactive, title="Inactive", due_date=date(2026, 3, 2))
    return {"holder": holder, "person": person, "case": case, "tasks": tasks}


def _sweep(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_task_reminders", stdout=StringIO())


def test_the_sweep_reminds_of_tasks_due_tomorrow_and_overdue_only(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        _sweep(django_capture_on_commit_callbacks)
    tasks = world["tasks"]
    notices = sorted((n.recipient_id, n.message, n.url) for n in Notice.objects.all())
    reference = world["case"].reference
    assert notices == sorted([
        (world["holder"].pk, f"You have a task due tomorrow on case {reference}", f"/tasks/{tasks['tomorrow'].pk}/"),
        (world["holder"].pk, f"You have an overdue task on case {reference}", f"/tasks/{tasks['late'].pk}/"),
    ])  # fmt: skip
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("hazel@example.test", "Roundtable: you have a task due on a case"),
        ("hazel@example.test", "Roundtable: you have an overdue task on a case"),
    ]
    links = sorted(line for m in mailoutbox for line in m.body.splitlines() if line.startswith("http"))
    assert links == sorted(f"http://127.0.0.1:8000/tasks/{tasks[k].pk}/" for k in ("tomorrow", "late"))


def test_running_the_sweep_twice_the_same_day_sends_nothing_new(world, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        _sweep(django_capture_on_commit_callbacks)
    with time_machine.travel("2026-03-10 21:00 +00:00", tick=False):
        _sweep(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    assert Notice.objects.count() == 2


def test_overdue_tasks_are_reminded_again_the_next_day(world, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        _sweep(django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        _sweep(django_capture_on_commit_callbacks)
    # Wednesday: "late" and "today" (due Tuesday) are overdue, "later" is due tomorrow;
    # "tomorrow" is due today and had its reminder yesterday.
    tasks = world["tasks"]
    assert sorted(n.url for n in Notice.objects.filter(created_at__date=date(2026, 3, 11))) == sorted(
        f"/tasks/{tasks[key].pk}/" for key in ("late", "today", "later")
    )
    assert len(mailoutbox) == 3


def test_reminder_emails_carry_a_link_and_no_personal_data(world, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        _sweep(django_capture_on_commit_callbacks)
    assert mailoutbox
    for message in mailoutbox:
        text = f"{message.subject}\n{message.body}"
        for secret in ("Morwenna", "Quillfeather", "Hazel", "Visit Morwenna", "Ask Morwenna", world["case"].reference):
            assert secret not in text


def test_assigning_a_task_emails_the_assignee_a_link_only_after_commit(
    world, mailoutbox, django_capture_on_commit_callbacks, cast
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task = do_create_task(
            cast["practitioner"], world["case"], title="Phone Morwenna Quillfeather's mother",
            assignee=world["holder"], due_date=date(2099, 1, 5),
        )  # fmt: skip
    assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["hazel@example.test"]
    assert message.subject == "Roundtable: you have a new task on a case"
    assert f"/tasks/{task.pk}/" in message.body
    for secret in ("Morwenna", "Quillfeather", "Hazel", "mother", world["case"].reference):
        assert secret not in message.subject + message.body
    assert world["holder"].notices.get().url == f"/tasks/{task.pk}/"


def test_nobody_is_emailed_about_a_task_they_set_themselves(
    world, mailoutbox, django_capture_on_commit_callbacks, cast
):
    with django_capture_on_commit_callbacks(execute=True):
        do_create_task(
            cast["practitioner"],
            world["case"],
            title="Note to self",
            assignee=cast["practitioner"],
            due_date=date(2099, 1, 5),
        )
    assert mailoutbox == []
