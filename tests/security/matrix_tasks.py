"""Permission matrix rows for the tasks and notifications apps (see matrix.py).

The practitioner owns the case (and set and holds its task); the panel chair is a
contributor on it. Everyone else, including the other organisation's users guessing
IDs, gets 404 for the case's tasks."""

from datetime import timedelta

from django.utils import timezone

from roundtable.notifications.services import notify
from roundtable.tasks.models import Task
from tests.factories import CaseFactory
from tests.security.rows import SIGNED_IN, Row, roles

# Roles that work with case content (so see "My tasks", even if empty).
TASK_USERS = roles(
    "practitioner", "panel_chair", "panel_admin", "org_admin", "other_org_admin", "other_org_practitioner"
)
MEMBERS = roles("practitioner", "panel_chair")
ASSIGNEE = roles("practitioner")


def build(world):
    """Add the objects these rows need to the shared test world."""
    practitioner = world["practitioner"]
    case = CaseFactory(owner=practitioner, members=[world["panel_chair"]])
    world["task_case"] = case
    world["task"] = Task.objects.create(
        case=case,
        title="Matrix task",
        assignee=practitioner,
        created_by=practitioner,
        due_date=timezone.localdate() - timedelta(days=3),
    )
    world["notice"] = notify(practitioner, "Matrix notice", "/tasks/", email=False)


def case_kwargs(world):
    return {"case_pk": world["task_case"].pk}


def task_kwargs(world):
    return {"pk": world["task"].pk}


ROWS: dict[str, Row] = {
    # --- pages -------------------------------------------------------------------------------
    "tasks:mine": Row(TASK_USERS),
    "tasks:overdue": Row(roles("panel_chair", "practitioner")),
    "tasks:case_tasks": Row(MEMBERS, kwargs=case_kwargs),
    "tasks:create": Row(MEMBERS, kwargs=case_kwargs),
    "tasks:detail": Row(MEMBERS, kwargs=task_kwargs),
    "tasks:edit": Row(ASSIGNEE, kwargs=task_kwargs),
    "tasks:update_status": Row(ASSIGNEE, kwargs=task_kwargs),
    "notifications:list": Row(SIGNED_IN),
    "notifications:mark_read": Row(ASSIGNEE, method="POST", ok=302, kwargs=lambda world: {"pk": world["notice"].pk}),
    "notifications:mark_all_read": Row(SIGNED_IN, method="POST", ok=302),
    # --- API -----------------------------------------------------------------------------------
    "api:my_tasks": Row(TASK_USERS, api=True, anonymous=401),
    "api:overdue_tasks": Row(roles("panel_chair", "practitioner"), api=True, anonymous=401),
    "api:case_tasks": Row(MEMBERS, api=True, anonymous=401, kwargs=lambda w: {"case_id": w["task_case"].pk}),
    "api:create_task": Row(
        MEMBERS,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=lambda w: {"case_id": w["task_case"].pk},
        data=lambda w: {"title": "Ask the school", "assignee_id": w["practitioner"].pk, "working_days": 5},
    ),
    "api:task_detail": Row(MEMBERS, api=True, anonymous=401, kwargs=lambda w: {"task_id": w["task"].pk}),
    "api:update_task_status": Row(
        ASSIGNEE,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"task_id": w["task"].pk},
        data=lambda w: {"status": "in_progress", "version": w["task"].version},
    ),
    "api:notices": Row(SIGNED_IN, api=True, anonymous=401),
    "api:mark_notice_read": Row(
        ASSIGNEE, api=True, anonymous=401, method="POST", kwargs=lambda w: {"notice_id": w["notice"].pk}
    ),
    "api:mark_all_notices_read": Row(SIGNED_IN, api=True, anonymous=401, method="POST"),
}
