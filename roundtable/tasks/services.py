"""What people can do with tasks. Each operation checks the access policy, changes data
in one transaction and records audit there too; e-mails go out after commit, from a
background job (see jobs.py), and carry a link only."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, CharField, Count, F, Max, Min, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from roundtable.access import policy
from roundtable.accounts.models import User
from roundtable.audit.services import record
from roundtable.cases.models import Case as RecordCase
from roundtable.cases.models import CaseMembership
from roundtable.core.conflicts import EditConflict, save_if_unchanged
from roundtable.notifications.services import notify
from roundtable.tasks import jobs
from roundtable.tasks.models import Task
from roundtable.tasks.working_days import add_working_days

Status = Task.Status
CLOSED_STATES = (Status.DONE, Status.CANCELLED)


def _audit_ids(case: RecordCase) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id}


def task_url(task: Task) -> str:
    return reverse("tasks:detail", args=[task.pk])


# --- Reading ---------------------------------------------------------------------------------
def with_overdue_first(qs: QuerySet, today: date | None = None) -> QuerySet:
    """Open tasks past their due date first, then everything by due date."""
    today = today or timezone.localdate()
    is_overdue = Case(
        When(Q(status__in=Task.OPEN_STATES, due_date__lt=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return qs.annotate(is_overdue=is_overdue).order_by("-is_overdue", "due_date", "id")


def _for_lists(qs: QuerySet) -> QuerySet:
    return qs.select_related("case", "case__person", "assignee", "assignee__organisation")


def my_tasks(user, *, closed: bool = False) -> QuerySet:
    states = CLOSED_STATES if closed else Task.OPEN_STATES
    qs = policy.visible(user, Task.objects.filter(assignee_id=user.pk, status__in=states))
    if closed:
        return _for_lists(qs).order_by("-completed_at", "-id")
    return with_overdue_first(_for_lists(qs))


def case_tasks(user, case: RecordCase) -> QuerySet:
    qs = policy.visible(user, Task.objects.filter(case=case))
    open_first = Case(When(status__in=Task.OPEN_STATES, then=Value(0)), default=Value(1))
    return (
        with_overdue_first(_for_lists(qs).select_related("created_by"))
        .annotate(open_first=open_first)
        .order_by("open_first", "-is_overdue", "due_date", "id")
    )


def overdue_queryset(user, today: date | None = None) -> QuerySet:
    """Open tasks past their due date that ``user`` oversees, through the access rule; unordered."""
    from roundtable.access.rules.tasks import overseen_tasks

    today = today or timezone.localdate()
    return overseen_tasks(user, Task.objects.filter(status__in=Task.OPEN_STATES, due_date__lt=today))


# How each grouping of overdue tasks (the page and the API) names its group: the task field
# it groups on, the label and a detail shown beside it (a person's organisation), and the
# page's query parameter that picks one group.
OVERDUE_GROUPINGS = {
    "person": {"key": "assignee_id", "label": "assignee__full_name", "detail": "assignee__organisation__name"},
    "organisation": {"key": "assignee__organisation_id", "label": "assignee__organisation__name", "detail": None},
}
OVERDUE_GROUP_PARAMS = {"person": "assignee", "organisation": "organisation"}


def overdue_groups(user, by: str, today: date | None = None) -> QuerySet:
    """One row per person (or organisation) with overdue tasks the user oversees, counted in SQL:
    dicts of ``key``, ``label``, ``detail``, ``count`` and ``earliest_due``, most overdue tasks
    first, then by label. Built on the same access-checked queryset as the task list, so a group
    exists here only if some of its tasks are visible, and its count is of those tasks only."""
    fields = OVERDUE_GROUPINGS[by]
    detail = F(fields["detail"]) if fields["detail"] else Value("", output_field=CharField())
    return (
        overdue_queryset(user, today)
        .order_by()
        .values(key=F(fields["key"]), label=F(fields["label"]), detail=detail)
        .annotate(count=Count("pk"), earliest_due=Min("due_date"))
        .order_by("-count", "label", "key")
    )


def overdue_group(user, by: str, group: int, today: date | None = None) -> tuple[dict | None, int]:
    """One group's row, shaped as ``overdue_groups`` gives it (or None when the user oversees no
    overdue task of it, which is also the answer for an unknown or invisible group), and the
    total of overdue tasks the user oversees: one query over the same access-checked tasks,
    each figure a filtered aggregate, so a group's page needs no separate COUNT for either."""
    fields = OVERDUE_GROUPINGS[by]
    theirs = Q(**{fields["key"]: group})
    aggregates = {
        "total": Count("pk"),
        "count": Count("pk", filter=theirs),
        "earliest_due": Min("due_date", filter=theirs),
        # One value per group (a person's name, their organisation's name): Max just picks it.
        "label": Max(fields["label"], filter=theirs),
    }
    if fields["detail"]:
        aggregates["detail"] = Max(fields["detail"], filter=theirs)
    row = overdue_queryset(user, today).aggregate(**aggregates)
    total = row.pop("total")
    if not row["count"]:
        return None, total
    return {"key": group, "detail": row.pop("detail", None) or "", **row}, total


def overdue_list(user, by: str = "person", group: int | None = None, today: date | None = None) -> QuerySet:
    """Overdue tasks the user oversees, oldest due first, optionally of one group of ``by``.

    A group the user cannot see (or that does not exist) simply has no tasks here."""
    qs = overdue_queryset(user, today)
    if group is not None:
        qs = qs.filter(**{OVERDUE_GROUPINGS[by]["key"]: group})
    return _for_lists(qs).order_by("due_date", "id")


def assignable_members(actor, case: RecordCase) -> QuerySet:
    """Anyone on the case, from any organisation, can be given a task on it."""
    memberships = policy.visible(actor, CaseMembership.objects.filter(case=case, user__is_active=True))
    return User.objects.filter(pk__in=memberships.values("user_id")).select_related("organisation")


def due_in_working_days(case: RecordCase, n: int, today: date | None = None) -> date:
    return add_working_days(today or timezone.localdate(), n, case.area.nation)


# --- Changing ------------------------------------------------------------------------------
def _check_assignee(actor, case: RecordCase, assignee: User) -> None:
    if not assignable_members(actor, case).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": "Choose someone who is a member of this case"})


def _check_due_date(due_date: date) -> None:
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date must be today or in the future"})


def _tell_assignee(actor, task: Task) -> None:
    """An in-app notice now and an e-mail (a link only) from a background job after commit."""
    if task.assignee_id == getattr(actor, "pk", None):
        return  # nobody needs telling about a task they gave themselves
    notify(task.assignee, f"You have been given a task on case {task.case.reference}", task_url(task), email=False)
    task_id, assignee_id = task.pk, task.assignee_id
    transaction.on_commit(lambda: jobs.send_task_email.enqueue(task_id, jobs.ASSIGNED, assignee_id))


@transaction.atomic
def do_create_task(
    actor, case: RecordCase, *, title: str, assignee: User, due_date: date, description: str = ""
) -> Task:
    policy.permit(actor, "task.create", case)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter what needs to be done"})
    _check_assignee(actor, case, assignee)
    _check_due_date(due_date)
    task = Task.objects.create(
        case=case,
        title=title,
        description=description.strip(),
        assignee=assignee,
        created_by=actor,
        due_date=due_date,
    )
    record(actor, "task.created", task, **_audit_ids(case), assignee=assignee.pk, due_date=due_date.isoformat())
    _tell_assignee(actor, task)
    return task


@transaction.atomic
def do_update_task(
    actor,
    task: Task,
    expected_version: int,
    *,
    title: str,
    description: str,
    assignee: User,
    due_date: date,
) -> Task:
    """Edit what the task is, who has it and when it is due. Raises EditConflict if someone saved first."""
    policy.permit(actor, "task.edit", task)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter what needs to be done"})
    if assignee.pk != task.assignee_id:
        _check_assignee(actor, task.case, assignee)
    if due_date != task.due_date:
        _check_due_date(due_date)
    changes = {"title": title, "description": description.strip(), "assignee": assignee, "due_date": due_date}
    before = {name: getattr(task, name) for name in changes}
    updated = save_if_unchanged(task, expected_version, changes)
    changed = sorted(name for name in changes if before[name] != changes[name])
    record(actor, "task.updated", updated, **_audit_ids(task.case), fields=changed)
    if "assignee" in changed:
        updated.case = task.case
        _tell_assignee(actor, updated)
    return updated


NOTE_REQUIRED = {
    Status.DONE: "Enter a completion note saying what was done",
    Status.CANCELLED: "Enter a note saying why the task was cancelled",
}


@transaction.atomic
def do_change_task_status(actor, task: Task, expected_version: int, *, status: str, completion_note: str = "") -> Task:
    policy.permit(actor, "task.update_status", task)
    if status not in Status.values:
        raise ValidationError({"status": f"Choose a status: {', '.join(Status.labels).lower()}"})
    completion_note = completion_note.strip()
    if status in NOTE_REQUIRED and not completion_note:
        raise ValidationError({"completion_note": NOTE_REQUIRED[status]})
    closing = status in CLOSED_STATES
    changes = {
        "status": status,
        "completion_note": completion_note,
        "completed_at": (task.completed_at or timezone.now()) if closing else None,
    }
    try:
        updated = save_if_unchanged(task, expected_version, changes)
    except EditConflict as conflict:
        # The timestamp is ours, not something the person typed: do not show it as a clash.
        conflict.conflicts = [c for c in conflict.conflicts if c.field != "completed_at"]
        raise
    record(actor, "task.status_changed", updated, **_audit_ids(task.case), status=status, previous=task.status)
    if closing and task.created_by_id != actor.pk and task.status not in CLOSED_STATES:
        verb = "done" if status == Status.DONE else "cancelled"
        notify(task.created_by, f"A task you set on case {task.case.reference} is {verb}", task_url(task), email=False)
    return updated


# --- Reminders -------------------------------------------------------------------------------
@dataclass
class ReminderReport:
    due_tomorrow: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.due_tomorrow + self.overdue


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def send_task_reminders(now: datetime | None = None) -> ReminderReport:
    """Remind assignees of open tasks due tomorrow or overdue, at most once per task per day.

    Run daily (manage.py send_task_reminders). Safe to run again the same day or twice at
    once: each task is claimed by a conditional UPDATE of ``reminded_at`` before anything is sent.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = today + timedelta(days=1)
    not_reminded_today = Q(reminded_at__isnull=True) | Q(reminded_at__lt=_start_of(today))
    # Due today is left alone: it had its "due tomorrow" reminder yesterday.
    due = Q(due_date=tomorrow) | Q(due_date__lt=today)
    candidates = Task.objects.filter(due, not_reminded_today, status__in=Task.OPEN_STATES, assignee__is_active=True)
    report = ReminderReport()
    assignees = User.objects.filter(pk__in=candidates.values("assignee_id")).order_by("pk")
    for assignee in assignees:
        # Through the access policy: someone taken off a case is not reminded of its tasks.
        mine = policy.visible(assignee, candidates.filter(assignee=assignee)).select_related("case", "assignee")
        for task in mine.order_by("due_date", "pk"):
            if _remind(task, today, now):
                if task.due_date == tomorrow:
                    report.due_tomorrow += 1
                else:
                    report.overdue += 1
    return report


@transaction.atomic
def _remind(task: Task, today: date, now: datetime) -> bool:
    claimed = (
        Task.objects.filter(pk=task.pk)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=_start_of(today)))
        .update(reminded_at=now)
    )
    if not claimed:
        return False  # another run reminded this one already today
    overdue = task.due_date < today
    kind = jobs.OVERDUE if overdue else jobs.DUE_TOMORROW
    message = (
        f"You have an overdue task on case {task.case.reference}"
        if overdue
        else f"You have a task due tomorrow on case {task.case.reference}"
    )
    notify(task.assignee, message, task_url(task), email=False)
    record(None, "task.reminder_sent", task, **_audit_ids(task.case), actor_label="send_task_reminders", kind=kind)
    task_id, assignee_id = task.pk, task.assignee_id
    transaction.on_commit(lambda: jobs.send_task_email.enqueue(task_id, kind, assignee_id))
    return True
