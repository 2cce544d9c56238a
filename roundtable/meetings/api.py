"""Meetings API: a panel's meetings, a meeting with its agenda, attendance and apologies,
pre-meeting updates and the actions set (with one-click reminders).

Everything reads through the access policy; anything not visible is a 404. Write
operations check access before they read the body (roundtable/api/bodies.py)."""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from roundtable.access import policy
from roundtable.api.bodies import json_body, parse_body, unprocessable
from roundtable.api.schemas import ErrorOut
from roundtable.audit.services import record
from roundtable.meetings import services
from roundtable.meetings.models import Action, AgendaItem, Attendance, Meeting, PreMeetingUpdate
from roundtable.panels.models import Panel
from roundtable.tasks.models import Task

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    panel_id: int
    panel_name: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    video_link: str
    status: str
    agenda_published_at: datetime | None
    current_item_id: int | None
    version: int


class PersonOut(Schema):
    id: int
    full_name: str
    organisation: str


class ItemOut(Schema):
    id: int
    position: int
    kind: str
    case_id: int | None
    case_reference: str | None
    title: str
    lead: PersonOut | None
    slot_start: time | None
    slot_minutes: int | None
    decision: str
    decision_reasons: str
    version: int


class MeetingDetailOut(MeetingOut):
    items: list[ItemOut]
    hidden_items: int = Field(description="Items about cases you may not see (counted, never shown)")


class AttendanceOut(Schema):
    id: int
    user_id: int | None
    name: str
    organisation: str
    status: str
    note: str


class AttendanceIn(Schema):
    user_id: int | None = Field(None, description="Give a user_id, or a guest_name for someone without an account")
    guest_name: str = ""
    guest_organisation: str = ""
    status: Attendance.Status


class ApologiesIn(Schema):
    note: str = Field("", max_length=300)


class UpdateOut(Schema):
    id: int
    item_id: int
    organisation: str
    author: str
    status: str
    stage: str
    note: str
    created_at: datetime


class UpdateIn(Schema):
    status: PreMeetingUpdate.Status
    stage: str = Field("", max_length=200, description="Required when status is open")
    note: str = ""


class ActionOut(Schema):
    id: int
    item_id: int | None
    task_id: int
    case_id: int
    case_reference: str
    title: str
    assignee: PersonOut
    due_date: date
    status: str
    is_overdue: bool
    reminded_at: datetime | None


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "full_name": user.full_name, "organisation": user.organisation.name}


def meeting_out(meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "panel_id": meeting.panel_id,
        "panel_name": meeting.panel.name,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "video_link": meeting.video_link,
        "status": meeting.status,
        "agenda_published_at": meeting.agenda_published_at,
        "current_item_id": meeting.current_item_id,
        "version": meeting.version,
    }


def item_out(item: AgendaItem) -> dict:
    return {
        "id": item.pk,
        "position": item.position,
        "kind": item.kind,
        "case_id": item.case_id,
        "case_reference": item.case.reference if item.case_id else None,
        "title": item.title,
        "lead": _person(item.lead),
        "slot_start": item.slot_start,
        "slot_minutes": item.slot_minutes,
        "decision": item.decision,
        "decision_reasons": item.decision_reasons,
        "version": item.version,
    }


def action_out(action: Action, today: date) -> dict:
    task = action.task
    return {
        "id": action.pk,
        "item_id": action.item_id,
        "task_id": task.pk,
        "case_id": task.case_id,
        "case_reference": task.case.reference,
        "title": task.title,
        "assignee": _person(task.assignee),
        "due_date": task.due_date,
        "status": task.status,
        "is_overdue": task.status in Task.OPEN_STATES and task.due_date < today,
        "reminded_at": task.reminded_at,
    }


def _meeting(user, meeting_id: int) -> Meeting:
    return policy.get_visible_or_404(user, Meeting.objects.select_related("panel"), pk=meeting_id)


def _item(user, item_id: int) -> AgendaItem:
    related = ("meeting", "meeting__panel", "case", "case__person")
    return policy.get_visible_or_404(user, AgendaItem.objects.select_related(*related), pk=item_id)


@router.get(
    "/panels/{panel_id}",
    response={200: list[MeetingOut], 404: ErrorOut},
    url_name="panel_meetings",
    summary="A panel's meetings, latest first",
)
def panel_meetings(request, panel_id: int):
    panel = policy.get_visible_or_404(request.auth, Panel.objects.all(), pk=panel_id)
    policy.require(request.auth, "meeting.list", panel)
    meetings = policy.visible(request.auth, panel.meetings.select_related("panel")).order_by("-starts_at", "-pk")
    return [meeting_out(meeting) for meeting in meetings[:500]]


@router.get(
    "/{meeting_id}",
    response={200: MeetingDetailOut, 404: ErrorOut},
    url_name="meeting_detail",
    summary="A meeting with the agenda items you may see",
)
def meeting_detail(request, meeting_id: int):
    meeting = _meeting(request.auth, meeting_id)
    items = list(
        policy.visible(request.auth, meeting.items.select_related("case", "lead", "lead__organisation")).order_by(
            "position", "pk"
        )
    )
    hidden = 0
    if meeting.is_published or policy.can(request.auth, "meeting.manage", meeting):
        hidden = meeting.items.count() - len(items)
    with transaction.atomic():
        record(request.auth, "meeting.viewed", meeting, case_ids=sorted({i.case_id for i in items if i.case_id}))
    return {**meeting_out(meeting), "items": [item_out(item) for item in items], "hidden_items": hidden}


@router.get(
    "/{meeting_id}/attendance",
    response={200: list[AttendanceOut], 404: ErrorOut},
    url_name="meeting_attendance",
    summary="Who came, sent apologies or was absent",
)
def attendance(request, meeting_id: int):
    meeting = _meeting(request.auth, meeting_id)
    rows = policy.visible(request.auth, Attendance.objects.filter(meeting=meeting).select_related("user"))
    return [
        {
            "id": row.pk,
            "user_id": row.user_id,
            "name": row.name,
            "organisation": row.organisation_label,
            "status": row.status,
            "note": row.note,
        }
        for row in rows
    ]


@router.post(
    "/{meeting_id}/attendance",
    response={200: AttendanceOut, 404: ErrorOut, 422: dict},
    url_name="record_attendance",
    summary="Record one person's (or a guest's) attendance",
    openapi_extra=json_body(AttendanceIn),
)
def record_attendance(request, meeting_id: int):
    meeting = _meeting(request.auth, meeting_id)
    policy.require(request.auth, "meeting.manage", meeting)
    payload = parse_body(request, AttendanceIn)
    user = None
    if payload.user_id is not None:
        user = services.people_of(meeting).filter(pk=payload.user_id).first()
        if user is None:
            raise NinjaValidationError(
                [{"loc": ["body", "user_id"], "msg": "Choose someone on the panel or invited to this meeting"}]
            )
    try:
        row = services.do_record_attendance(
            request.auth,
            meeting,
            user=user,
            guest_name=payload.guest_name,
            status=payload.status,
            note=payload.guest_organisation,
        )
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    row = Attendance.objects.select_related("user").get(pk=row.pk)
    return {
        "id": row.pk,
        "user_id": row.user_id,
        "name": row.name,
        "organisation": row.organisation_label,
        "status": row.status,
        "note": row.note,
    }


@router.post(
    "/{meeting_id}/apologies",
    response={200: AttendanceOut, 404: ErrorOut, 422: dict},
    url_name="send_apologies",
    summary="Send your apologies before the meeting",
    openapi_extra=json_body(ApologiesIn),
)
def send_apologies(request, meeting_id: int):
    meeting = _meeting(request.auth, meeting_id)
    policy.require(request.auth, "meeting.send_apologies", meeting)
    payload = parse_body(request, ApologiesIn)
    row = services.do_send_apologies(request.auth, meeting, note=payload.note)
    return {
        "id": row.pk,
        "user_id": row.user_id,
        "name": request.auth.full_name,
        "organisation": row.organisation_label,
        "status": row.status,
        "note": row.note,
    }


def update_out(update: PreMeetingUpdate) -> dict:
    return {
        "id": update.pk,
        "item_id": update.item_id,
        "organisation": update.organisation.name,
        "author": update.author.full_name,
        "status": update.status,
        "stage": update.stage,
        "note": update.note,
        "created_at": update.created_at,
    }


@router.get(
    "/items/{item_id}/updates",
    response={200: list[UpdateOut], 404: ErrorOut},
    url_name="item_updates",
    summary="Pre-meeting updates on an agenda item, newest first",
)
def item_updates(request, item_id: int):
    item = _item(request.auth, item_id)
    updates = policy.visible(request.auth, item.updates.select_related("organisation", "author"))
    with transaction.atomic():
        record(request.auth, "meeting.updates_viewed", item.meeting, item=item.pk, **services._case_ids(item.case))
    return [update_out(update) for update in updates]


@router.post(
    "/items/{item_id}/updates",
    response={201: UpdateOut, 404: ErrorOut, 422: dict},
    url_name="add_update",
    summary="Add your organisation's pre-meeting update on a case item",
    openapi_extra=json_body(UpdateIn),
)
def add_update(request, item_id: int):
    item = _item(request.auth, item_id)
    policy.require(request.auth, "meeting.add_update", item)
    payload = parse_body(request, UpdateIn)
    try:
        update = services.do_add_update(
            request.auth, item, status=payload.status, stage=payload.stage, note=payload.note
        )
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    update = PreMeetingUpdate.objects.select_related("organisation", "author").get(pk=update.pk)
    return Status(201, update_out(update))


def _actions(user, qs):
    related = ("task", "task__case", "task__assignee", "task__assignee__organisation")
    return policy.visible(user, qs).select_related(*related).order_by("task__due_date", "pk")


@router.get(
    "/{meeting_id}/actions",
    response={200: list[ActionOut], 404: ErrorOut},
    url_name="meeting_actions",
    summary="The actions (tasks) set at a meeting that you may see",
)
def meeting_actions(request, meeting_id: int):
    meeting = _meeting(request.auth, meeting_id)
    actions = list(_actions(request.auth, Action.objects.filter(item__meeting=meeting)))
    with transaction.atomic():
        case_ids = sorted({action.task.case_id for action in actions})
        record(request.auth, "meeting.actions_viewed", meeting, case_ids=case_ids, count=len(actions))
    today = timezone.localdate()
    return [action_out(action, today) for action in actions]


@router.post(
    "/actions/{action_id}/remind",
    response={200: ActionOut, 404: ErrorOut, 422: dict},
    url_name="remind_action",
    summary="Remind the assignee of an action (at most once a day per action)",
)
def remind_action(request, action_id: int):
    qs = Action.objects.select_related("item__meeting__panel", "visit__panel")
    action = policy.get_visible_or_404(request.auth, qs, pk=action_id)
    policy.require(request.auth, "meeting.remind", action)
    try:
        services.do_remind_action(request.auth, action)
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    except PermissionDenied:
        raise Http404 from None
    action = _actions(request.auth, Action.objects.filter(pk=action.pk)).get()
    return action_out(action, timezone.localdate())
