"""Task pages. Thin: look up through the access policy, call a service, render."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.cases.navigation import case_sections
from roundtable.core.conflicts import EditConflict
from roundtable.tasks import services
from roundtable.tasks.forms import StatusForm, TaskForm
from roundtable.tasks.models import Task

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _case_or_404(request, case_pk) -> Case:
    return policy.get_visible_or_404(request.user, Case.objects.select_related("person", "area"), pk=case_pk)


def _task_or_404(request, pk) -> Task:
    related = ("case", "case__person", "case__area", "assignee", "assignee__organisation", "created_by")
    return policy.get_visible_or_404(request.user, Task.objects.select_related(*related), pk=pk)


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        target = field if field in form.fields else ("due_day" if field == "due_date" else None)
        for message in messages_:
            form.add_error(target, message)


def _audit_list_view(user, action: str, tasks) -> None:
    """One event for a list page, naming the cases whose tasks were shown."""
    case_ids = sorted({task.case_id for task in tasks})
    with transaction.atomic():
        record(user, action, None, case_ids=case_ids, count=len(tasks))


@require_GET
def my_tasks(request):
    policy.require(request.user, "task.list")
    closed = request.GET.get("show") == "closed"
    page = _page(request, services.my_tasks(request.user, closed=closed))
    tasks = list(page.object_list)
    _audit_list_view(request.user, "task.my_tasks_viewed", tasks)
    context = {"page": page, "tasks": tasks, "closed": closed}
    context["can_oversee"] = policy.can(request.user, "task.view_overdue")
    return render(request, "tasks/my_tasks.html", context)


GROUPS_PAGE_SIZE = 25
_GROUP_ID = re.compile(r"[0-9]{1,18}")  # a positive id that fits any database's integer


def _overdue_grouping(request) -> tuple[str, str, str | None]:
    """Which grouping the page shows, the name of the parameter that picks one group, and the
    raw value given for it. A link carrying only ``organisation=`` implies grouping by organisation."""
    given = [by for by, param in services.OVERDUE_GROUP_PARAMS.items() if request.GET.get(param, "").strip()]
    by = request.GET.get("by")
    if by not in services.OVERDUE_GROUP_PARAMS:
        by = given[0] if len(given) == 1 else "person"
    param = services.OVERDUE_GROUP_PARAMS[by]
    return by, param, request.GET.get(param, "").strip() or None


def _query_without(request, *names) -> str:
    """The current query string less ``names``, for links that change only those."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_GET
def overdue(request):
    """Overdue tasks the user oversees: a bounded, paged summary of groups (by person or by
    organisation) counted in SQL, and the tasks themselves paged, oldest due first; a group's
    link narrows the tasks to that group. Nothing here grows with the number of tasks."""
    policy.require(request.user, "task.view_overdue")
    by, param, raw_group = _overdue_grouping(request)
    context = {"by": by, "filtered": raw_group is not None, "group": None, "group_error": None, "groups_page": None}
    status = 200
    if raw_group is None:
        groups = services.overdue_groups(request.user, by)
        context["groups_page"] = Paginator(groups, GROUPS_PAGE_SIZE).get_page(request.GET.get("groups"))
        page = _page(request, services.overdue_list(request.user, by))
    elif _GROUP_ID.fullmatch(raw_group):
        group_id = int(raw_group)
        # The group's name comes from the same access-checked aggregate: an invisible or
        # unknown id finds no row and no tasks, and says nothing about who or what it is.
        context["group"] = services.overdue_groups(request.user, by).filter(key=group_id).first()
        page = _page(request, services.overdue_list(request.user, by, group_id))
    else:
        noun = "person" if by == "person" else "organisation"
        context["group_error"] = f"The {noun} in the link (“{raw_group[:40]}”) is not a {noun} number."
        page = _page(request, Task.objects.none())
        status = 400
    tasks = list(page.object_list)
    _audit_list_view(request.user, "task.overdue_viewed", tasks)
    context.update(
        page=page,
        tasks=tasks,
        total=page.paginator.count if raw_group is None else services.overdue_queryset(request.user).count(),
        tasks_query=_query_without(request, "page"),
        groups_query=_query_without(request, "groups"),
    )
    return render(request, "tasks/overdue.html", context, status=status)


def _case_context(case, active="tasks") -> dict:
    return {"case": case, "case_sections": case_sections(case), "active": active}


@require_GET
def case_tasks(request, case_pk):
    case = _case_or_404(request, case_pk)
    page = _page(request, services.case_tasks(request.user, case))
    with transaction.atomic():
        record(request.user, "case.tasks_viewed", case, case_id=case.pk, person_id=case.person_id)
    context = {**_case_context(case), "page": page, "tasks": list(page.object_list)}
    context["can_create"] = policy.can(request.user, "task.create", case)
    return render(request, "tasks/case_tasks.html", context)


def _task_form(request, case, data=None, **kwargs) -> TaskForm:
    members = services.assignable_members(request.user, case).order_by("full_name")
    return TaskForm(data, members=members, nation=case.area.nation, **kwargs)


@require_http_methods(["GET", "POST"])
def create(request, case_pk):
    case = _case_or_404(request, case_pk)
    policy.require(request.user, "task.create", case)
    form = _task_form(
        request, case, request.POST if request.method == "POST" else None, initial={"due_mode": "working_days"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.do_create_task(
                request.user,
                case,
                title=data["title"],
                description=data["description"],
                assignee=data["assignee"],
                due_date=data["due_date"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Task set for {task.assignee.full_name}, due {task.due_date:%-d %B %Y}.")
            return redirect("tasks:case_tasks", case.pk)
    return render(request, "tasks/task_form.html", {**_case_context(case), "form": form, "creating": True})


@require_GET
def detail(request, pk):
    task = _task_or_404(request, pk)
    task.is_overdue = task.status in Task.OPEN_STATES and task.due_date < timezone.localdate()
    with transaction.atomic():
        record(request.user, "task.viewed", task, case_id=task.case_id, person_id=task.case.person_id)
    context = {
        **_case_context(task.case),
        "task": task,
        "can_edit": policy.can(request.user, "task.edit", task),
        "can_update_status": policy.can(request.user, "task.update_status", task),
    }
    return render(request, "tasks/task_detail.html", context)


def _keep_theirs_version(request, current) -> dict:
    """On a conflict, re-show the person's own text against the latest version, so saving
    again is a deliberate choice made after seeing what changed."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    return data


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    task = _task_or_404(request, pk)
    policy.require(request.user, "task.edit", task)
    conflict = None
    if request.method == "POST":
        form = _task_form(request, task.case, request.POST, current_due_date=task.due_date)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_update_task(
                    request.user,
                    task,
                    data["version"] or 0,
                    title=data["title"],
                    description=data["description"],
                    assignee=data["assignee"],
                    due_date=data["due_date"],
                )
            except EditConflict as clash:
                conflict = clash
                data = _keep_theirs_version(request, clash.current)
                form = _task_form(request, task.case, data, current_due_date=clash.current.due_date)
                form.is_valid()
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "The task is saved.")
                return redirect("tasks:detail", task.pk)
    else:
        form = _task_form(request, task.case, initial=TaskForm.initial_for(task), current_due_date=task.due_date)
    context = {**_case_context(task.case), "form": form, "task": task, "conflict": conflict, "creating": False}
    return render(request, "tasks/task_form.html", context)


@require_http_methods(["GET", "POST"])
def update_status(request, pk):
    task = _task_or_404(request, pk)
    policy.require(request.user, "task.update_status", task)
    conflict = None
    initial = {"status": task.status, "completion_note": task.completion_note, "version": task.version}
    form = StatusForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_change_task_status(
                request.user, task, data["version"], status=data["status"], completion_note=data["completion_note"]
            )
        except EditConflict as clash:
            conflict = clash
            form = StatusForm(_keep_theirs_version(request, clash.current))
            form.is_valid()
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The task's status is saved.")
            return redirect("tasks:detail", task.pk)
    context = {**_case_context(task.case), "form": form, "task": task, "conflict": conflict}
    return render(request, "tasks/status_form.html", context)
