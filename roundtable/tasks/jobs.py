"""Background jobs of the tasks app (django-tasks: ``@task()`` and ``.enqueue()``).

The embedded default runs them in-process straight away (ImmediateBackend); in
production point TASKS at a worker backend (see docs/tasks.md). Jobs take IDs only and
re-read everything, so they never carry personal data through the queue.

E-mails carry a link and nothing else: no person's name, no task title, no case
reference. The linked page asks the reader to sign in and applies the access policy.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from roundtable.access import policy

ASSIGNED = "assigned"
DUE_TOMORROW = "due_tomorrow"
OVERDUE = "overdue"

SUBJECTS = {
    ASSIGNED: "Roundtable: you have a new task on a case",
    DUE_TOMORROW: "Roundtable: you have a task due on a case",
    OVERDUE: "Roundtable: you have an overdue task on a case",
}
OPENINGS = {
    ASSIGNED: "You have been given a task on a case in Roundtable.",
    DUE_TOMORROW: "You have a task due on a case in Roundtable. It is due tomorrow.",
    OVERDUE: "You have a task on a case in Roundtable that is past its due date.",
}


def task_email(kind: str, link: str) -> tuple[str, str]:
    """The subject and body of a task e-mail: fixed words and a link, nothing from the record."""
    body = f"{OPENINGS[kind]}\n\nSign in to see it:\n{link}\n\nThis e-mail was sent automatically by Roundtable.\n"
    return SUBJECTS[kind], body


@task()
def send_task_email(task_id: int, kind: str, assignee_id: int) -> bool:
    """E-mail the assignee of a task, if they still have it and may still see it."""
    from roundtable.tasks.models import Task

    if kind not in SUBJECTS:
        raise ValueError(f"Unknown task e-mail {kind!r}")
    found = Task.objects.select_related("assignee").filter(pk=task_id).first()
    if found is None or found.assignee_id != assignee_id:
        return False
    assignee = found.assignee
    # Checked at send time: the task may have been reassigned or the person taken off the case.
    if not assignee.is_active or not assignee.email:
        return False
    if not policy.visible(assignee, Task.objects.filter(pk=task_id)).exists():
        return False
    subject, body = task_email(kind, settings.SITE_URL + reverse("tasks:detail", args=[task_id]))
    send_mail(subject, body, from_email=None, recipient_list=[assignee.email])
    return True
