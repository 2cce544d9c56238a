"""Tasks API: my tasks, a case's tasks, create, change status, overdue tasks (paged).

Everything reads through the access policy; anything not visible is a 404. Write
operations check access before they read the request body, so an outsider learns
nothing from validation messages either. Bodies are JSON (form-encoded also accepted).
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import model_validator

from roundtable.access import policy
from roundtable.accounts.models import User
from roundtable.api.bodies import json_body, parse_body, unprocessable
from roundtable.api.schemas import ErrorOut
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.core.conflicts import EditConflict
from roundtable.tasks import services
from roundtable.tasks.forms import MAX_WORKING_DAYS
from roundtable.tasks.models import Task

router = Router(tags=["tasks"])


class PersonOut(Schema):
    id: int
    full_name: str
    organisation: str


class TaskOut(Schema):
    id: int
    case_id: int
    case_reference: str
    title: str
    description: str
    assignee: PersonOut
    created_by_id: int
    due_date: date
    status: str
    is_overdue: bool
    completion_note: str
    completed_at: datetime | None
    version: int


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    assignee_id: int
    due_date: date | None = Field(None, description="Give either due_date or working_days")
    working_days: int | None = Field(None, ge=0, le=MAX_WORKING_DAYS, description="Due in N working days from today")

    @model_validator(mode="after")
    def one_due_date(self):
        if (self.due_date is None) == (self.working_days is None):
            raise ValueError("Give either due_date or working_days, not both or neither")
        return self


class StatusIn(Schema):
    status: Task.Status
    completion_note: str = ""
    version: int = Field(description="The version you read; a newer saved version gives 409")


class ConflictOut(Schema):
    detail: str
    current: TaskOut
    conflicts: list[str]


class OverdueGroupOut(Schema):
    id: int = Field(description="The person's (or organisation's) id: pass it as `group` for its tasks")
    name: str
    detail: str = Field(description="A person's organisation; empty when grouped by organisation")
    count: int = Field(description="Their overdue tasks that you oversee")
    earliest_due: date


class OverdueGroupPageOut(Schema):
    items: list[OverdueGroupOut]
    page: int
    pages: int
    count: int


class OverduePageOut(Schema):
    by: Literal["person", "organisation"]
    items: list[TaskOut]
    page: int
    pages: int
    count: int
    groups: OverdueGroupPageOut


class OverdueQuery(Schema):
    by: Literal["person", "organisation"] = "person"
    group: int | None = Field(None, ge=1, description="Only the tasks of this person (or organisation): a group's `id`")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100, description="Tasks a page (and groups a page, unless groups_page_size)")
    groups_page: int = Field(1, ge=1)
    groups_page_size: int | None = Field(None, ge=1, le=100, description="Groups a page; without it, page_size")


# The overdue page's own names for what this endpoint calls ``group`` and ``groups_page``. A
# client that copies them from a page link would otherwise have its filter silently dropped.
_PAGE_PARAMETERS = {
    "assignee": "`assignee` is the overdue page's name for one person: here pass `by=person&group=<id>`.",
    "organisation": "`organisation` is the overdue page's name for one organisation: "
    "here pass `by=organisation&group=<id>`.",
    "groups": "`groups` is the overdue page's name for the page of groups: here pass `groups_page`.",
}


def task_out(task: Task, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "id": task.pk,
        "case_id": task.case_id,
        "case_reference": task.case.reference,
        "title": task.title,
        "description": task.description,
        "assignee": {
            "id": task.assignee_id,
            "full_name": task.assignee.full_name,
            "organisation": task.assignee.organisation.name,
        },
        "created_by_id": task.created_by_id,
        "due_date": task.due_date,
        "status": task.status,
        "is_overdue": task.status in Task.OPEN_STATES and task.due_date < today,
        "completion_note": task.completion_note,
        "completed_at": task.completed_at,
        "version": task.version,
    }


def _audit_list(user, tasks: list[Task], action: str, **details) -> None:
    """One event naming the cases of the tasks returned (and, in ``details``, what was asked)."""
    with transaction.atomic():
        record(user, action, None, case_ids=sorted({t.case_id for t in tasks}), count=len(tasks), **details)


@router.get("/mine", response=list[TaskOut], url_name="my_tasks", summary="My open tasks, overdue first")
def my_tasks(request, closed: bool = False):
    policy.require(request.auth, "task.list")
    tasks = list(services.my_tasks(request.auth, closed=closed)[:500])
    _audit_list(request.auth, tasks, "task.my_tasks_viewed")
    return [task_out(task) for task in tasks]


def _page_of(qs, page: int, size: int, count: int | None = None) -> dict:
    """One page of ``qs`` in the cases list's shape (``page`` past the end is an empty page).
    ``count``, when the caller already knows it, saves counting ``qs`` again."""
    count = qs.count() if count is None else count
    start = (page - 1) * size
    items = list(qs[start : start + size]) if start < count else []
    return {"items": items, "page": page, "pages": max(1, -(-count // size)), "count": count}


def _group_out(row: dict) -> dict:
    return {
        "id": row["key"],
        "name": row["label"],
        "detail": row["detail"] or "",
        "count": row["count"],
        "earliest_due": row["earliest_due"],
    }


@router.get(
    "/overdue",
    response={200: OverduePageOut, 404: ErrorOut, 422: dict},
    url_name="overdue_tasks",
    summary="Overdue tasks on cases you oversee, oldest due first, paged, with their groups counted",
)
def overdue(request, params: Query[OverdueQuery]):
    """The same services as the overdue page: groups counted in SQL and tasks sliced in SQL, so
    nothing here grows with the number of overdue tasks. An unknown or invisible group has no
    tasks and no group row, exactly like one with nothing overdue. With a group, its row (one
    query) carries the count of its tasks, so neither list is counted again."""
    policy.require(request.auth, "task.view_overdue")
    misnamed = [name for name in _PAGE_PARAMETERS if name in request.GET]
    if misnamed:
        raise NinjaValidationError([{"loc": ["query", name], "msg": _PAGE_PARAMETERS[name]} for name in misnamed])
    groups = services.overdue_groups(request.auth, params.by)
    if params.group is None:
        tasks = _page_of(services.overdue_list(request.auth, params.by), params.page, params.page_size)
        group_page = _page_of(groups, params.groups_page, params.groups_page_size or params.page_size)
    else:
        row = groups.filter(key=params.group).first()
        theirs = services.overdue_list(request.auth, params.by, params.group)
        tasks = _page_of(theirs, params.page, params.page_size, count=row["count"] if row else 0)
        items = [row] if row and params.groups_page == 1 else []
        group_page = {"items": items, "page": params.groups_page, "pages": 1, "count": 1 if row else 0}
    asked = {"page": params.page, "by": params.by, "group": params.group, "groups_page": params.groups_page}
    _audit_list(request.auth, tasks["items"], "task.overdue_viewed", **asked, via="api")
    today = timezone.localdate()
    group_page["items"] = [_group_out(g) for g in group_page["items"]]
    return {"by": params.by, **tasks, "items": [task_out(t, today) for t in tasks["items"]], "groups": group_page}


@router.get(
    "/case/{case_id}", response={200: list[TaskOut], 404: ErrorOut}, url_name="case_tasks", summary="Tasks of a case"
)
def case_tasks(request, case_id: int):
    case = policy.get_visible_or_404(request.auth, Case.objects.all(), pk=case_id)
    tasks = list(services.case_tasks(request.auth, case)[:1000])
    with transaction.atomic():
        record(request.auth, "case.tasks_viewed", case, case_id=case.pk, person_id=case.person_id)
    return [task_out(task) for task in tasks]


@router.post(
    "/case/{case_id}",
    response={201: TaskOut, 404: ErrorOut, 422: dict},
    url_name="create_task",
    summary="Set a task on a case",
    openapi_extra=json_body(TaskIn),
)
def create_task(request, case_id: int):
    case = policy.get_visible_or_404(request.auth, Case.objects.select_related("area"), pk=case_id)
    policy.require(request.auth, "task.create", case)
    payload = parse_body(request, TaskIn)
    assignee = User.objects.filter(pk=payload.assignee_id).first()
    if assignee is None:
        raise NinjaValidationError(
            [{"loc": ["body", "assignee_id"], "msg": "Choose someone who is a member of this case"}]
        )
    due = payload.due_date or services.due_in_working_days(case, payload.working_days)
    try:
        task = services.do_create_task(
            request.auth, case, title=payload.title, description=payload.description, assignee=assignee, due_date=due
        )
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    task = Task.objects.select_related("case", "assignee__organisation").get(pk=task.pk)
    return Status(201, task_out(task))


def _visible_task(user, task_id: int) -> Task:
    related = ("case", "assignee", "assignee__organisation")
    return policy.get_visible_or_404(user, Task.objects.select_related(*related), pk=task_id)


@router.get("/{task_id}", response={200: TaskOut, 404: ErrorOut}, url_name="task_detail", summary="One task")
def task_detail(request, task_id: int):
    task = _visible_task(request.auth, task_id)
    with transaction.atomic():
        record(request.auth, "task.viewed", task, case_id=task.case_id, person_id=task.case.person_id)
    return task_out(task)


@router.post(
    "/{task_id}/status",
    response={200: TaskOut, 404: ErrorOut, 409: ConflictOut, 422: dict},
    url_name="update_task_status",
    summary="Change a task's status (409 if someone saved a newer version)",
    openapi_extra=json_body(StatusIn),
)
def update_status(request, task_id: int):
    task = _visible_task(request.auth, task_id)
    policy.require(request.auth, "task.update_status", task)
    payload = parse_body(request, StatusIn)
    try:
        updated = services.do_change_task_status(
            request.auth, task, payload.version, status=payload.status, completion_note=payload.completion_note
        )
    except EditConflict as conflict:
        current = _visible_task(request.auth, task_id)
        detail = "Someone else saved this task after you read it. Read it again and re-apply your change."
        return Status(
            409, {"detail": detail, "current": task_out(current), "conflicts": [c.field for c in conflict.conflicts]}
        )
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    except PermissionDenied:
        raise Http404 from None
    return task_out(_visible_task(request.auth, updated.pk))
