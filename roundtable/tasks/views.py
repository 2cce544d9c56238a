"""Task pages. Thin: look up through the access policy, call a service, render."""

import re
from urllib.parse import urlencode

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


def _audit_list_view(user, action: str, tasks, **details) -> None:
    """One event for a list page, naming the cases whose tasks were shown (and, in ``details``,
    which page of which view)."""
    case_ids = sorted({task.case_id for task in tasks})
    with transaction.atomic():
        record(user, action, None, case_ids=case_ids, count=len(tasks), **details)


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
_A = {"person": "a person", "organisation": "an organisation"}


class LinkProblem(Exception):
    """A link to the overdue page that asks for something the page cannot show as asked: the
    message says exactly what, and ``links`` are (text, query string) pairs for the views the
    link probably meant. Refused with a 400 rather than dropping part of what was asked."""

    def __init__(self, by: str, message: str, links: list[tuple[str, str]]):
        super().__init__(message)
        self.by, self.message, self.links = by, message, links


def _group_link(by: str, value: str) -> list[tuple[str, str]]:
    """A link to one group's tasks, offered only for a well-formed id."""
    if not _GROUP_ID.fullmatch(value):
        return []
    query = urlencode({"by": by, services.OVERDUE_GROUP_PARAMS[by]: value})
    return [(f"The overdue tasks of {by} {value}", f"?{query}")]


def _all_link(by: str) -> tuple[str, str]:
    return (f"All overdue tasks by {by}", f"?by={by}")


def _overdue_grouping(request) -> tuple[str, str, str | None]:
    """Which grouping the page shows, the name of the parameter that picks one group, and the
    raw value given for it. A link carrying only ``organisation=`` implies grouping by organisation.

    Raises LinkProblem for a grouping we do not have, for a group parameter of the other
    grouping (``by=person&organisation=3``) and for both group parameters at once: each would
    otherwise drop a filter the user asked for. An empty parameter counts as not given."""
    given = {
        by: request.GET[param].strip()
        for by, param in services.OVERDUE_GROUP_PARAMS.items()
        if request.GET.get(param, "").strip()
    }
    asked = request.GET.get("by", "").strip()
    if asked and asked not in services.OVERDUE_GROUP_PARAMS:
        raise LinkProblem(
            "person",
            f"The link asks to group overdue tasks by “{asked[:40]}”: "
            "they can be grouped by person or by organisation.",
            [_all_link("person"), _all_link("organisation")],
        )
    if len(given) == 2:
        person, organisation = given["person"], given["organisation"]
        raise LinkProblem(
            asked or "person",
            f"The link names both a person (assignee={person[:40]}) and an organisation "
            f"(organisation={organisation[:40]}): the page shows one person or one organisation at a time.",
            [*_group_link("person", person), *_group_link("organisation", organisation), _all_link(asked or "person")],
        )
    if asked and given and asked not in given:
        (other, value), param = next(iter(given.items())), services.OVERDUE_GROUP_PARAMS[asked]
        raise LinkProblem(
            asked,
            f"The link groups overdue tasks by {asked} but names {_A[other]} "
            f"({services.OVERDUE_GROUP_PARAMS[other]}={value[:40]}): grouped by {asked}, the page shows "
            f"the tasks of {_A[asked]} ({param}=…), not of {_A[other]}.",
            [*_group_link(other, value), _all_link(asked)],
        )
    by = asked or (next(iter(given)) if given else "person")
    param = services.OVERDUE_GROUP_PARAMS[by]
    return by, param, given.get(by)


def _query_without(request, *names) -> str:
    """The current query string less ``names``, for links that change only those."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _group_page(request, user, by: str, group_id: int, context: dict):
    """One group's tasks. Its row and the heading's total come from one aggregate, and the row's
    count is this list's length, so the paginator needs no COUNT of its own."""
    group, context["total"] = services.overdue_group(user, by, group_id)
    context["group"] = group
    tasks = services.overdue_list(user, by, group_id) if group else Task.objects.none()
    paginator = Paginator(tasks, PAGE_SIZE)
    paginator.count = group["count"] if group else 0
    return paginator.get_page(request.GET.get("page"))


@require_GET
def overdue(request):
    """Overdue tasks the user oversees: a bounded, paged summary of groups (by person or by
    organisation) counted in SQL, and the tasks themselves paged, oldest due first; a group's
    link narrows the tasks to that group. Nothing here grows with the number of tasks."""
    policy.require(request.user, "task.view_overdue")
    context = {"group": None, "group_error": None, "error_links": [], "groups_page": None}
    status, group_id = 200, None
    try:
        by, param, raw_group = _overdue_grouping(request)
    except LinkProblem as problem:
        by, raw_group = problem.by, ""
        context.update(group_error=problem.message, error_links=problem.links)
    context.update(by=by, filtered=raw_group is not None)
    if context["group_error"]:
        page, status = _page(request, Task.objects.none()), 400
    elif raw_group is None:
        groups = services.overdue_groups(request.user, by)
        context["groups_page"] = Paginator(groups, GROUPS_PAGE_SIZE).get_page(request.GET.get("groups"))
        page = _page(request, services.overdue_list(request.user, by))
        context["total"] = page.paginator.count
    elif _GROUP_ID.fullmatch(raw_group):
        # The group's name comes from the same access-checked aggregate: an invisible or
        # unknown id finds no row and no tasks, and says nothing about who or what it is.
        group_id = int(raw_group)
        page = _group_page(request, request.user, by, group_id, context)
    else:
        context["group_error"] = f"The {by} in the link (“{raw_group[:40]}”) is not a {by} number."
        context["error_links"] = [_all_link(by)]
        page, status = _page(request, Task.objects.none()), 400
    if status == 400:
        context["total"] = None  # nothing was counted for a link we refused
    tasks = list(page.object_list)
    groups_page = context["groups_page"]
    details = {"page": page.number, "by": by, "group": group_id, "groups_page": None}
    if groups_page is not None:
        details["groups_page"] = groups_page.number
    _audit_list_view(request.user, "task.overdue_viewed", tasks, **details)
    context.update(
        page=page,
        tasks=tasks,
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
