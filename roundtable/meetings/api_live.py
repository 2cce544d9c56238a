"""The live meeting through the API: where the meeting is (status, the item on screen as
you may see it), moving it (the chair and administrators), recording minutes, decisions
and actions on an item, and reading and approving the minutes.

Like the pages: everything reads through the access policy (404 for anything you may
not see), write operations check access before reading their body (api/bodies.py), and
every change goes through the same services (live.py, minutes.py) — so an API client's
move reaches the followers' screens as a page's does."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status

from roundtable.access import policy
from roundtable.api.bodies import json_body, parse_body, unprocessable
from roundtable.api.schemas import ErrorOut
from roundtable.core.conflicts import EditConflict
from roundtable.core.workflow import TransitionRefused
from roundtable.meetings import live
from roundtable.meetings import minutes as minutes_service
from roundtable.meetings.models import AgendaItem, Meeting, Minutes
from roundtable.tasks.models import Task

router = Router(tags=["meetings"])


# --- Schemas -----------------------------------------------------------------------------------------
class StageItemOut(Schema):
    id: int
    number: int
    total: int
    visible: bool = Field(description="False: the item is about a case you may not see; only its label is given")
    label: str = Field(description='"RT-2026-000123 – Alex Smith", the title of other business, or '
                       '"Item 3 – restricted to members of the case"')  # fmt: skip
    kind: str | None
    case_id: int | None
    minutes_text: str | None
    decision: str | None
    decision_reasons: str | None
    version: int | None


class LiveOut(Schema):
    meeting_id: int
    status: str
    started_at: datetime | None
    closed_at: datetime | None
    current_item: StageItemOut | None
    socket: str = Field(description='WebSocket path: messages {"event": "meeting.moved" | "item.changed", '
                        '"meeting": id, "item": id or null}')  # fmt: skip


class MoveIn(Schema):
    to: str = Field(description="start, next, previous, item (with item_id) or close")
    item_id: int | None = None


class MinutesIn(Schema):
    version: int = Field(description="The item's version your text was loaded at")
    text: str = Field(max_length=20_000)
    original: str | None = Field(None, description="The minutes as you loaded them: lets your save through "
                                 "when only other fields changed since")  # fmt: skip


class MinutesConflictOut(Schema):
    detail: str
    current_text: str
    current_version: int
    merged: str = Field(description="The saved text followed by the lines you added: check it and save again")


class DecisionIn(Schema):
    version: int
    decision: str = Field(max_length=200)
    reasons: str
    original_decision: str | None = None
    original_reasons: str | None = None


class TransitionIn(Schema):
    transition: str = Field(description="A Channel workflow transition of a meeting step (decide_adopt, review, …)")
    data: dict = Field(
        default_factory=dict,
        description='The fields the transition records, e.g. {"reasons": "…"} (a form-encoded body may give them '
        "alongside transition instead)",
    )


class ActionIn(Schema):
    title: str = Field(max_length=200)
    assignee_id: int
    due_date: date
    description: str = ""


class ActionOut(Schema):
    id: int
    task_id: int
    title: str
    assignee_id: int
    due_date: date
    status: str


class MinutesActionOut(Schema):
    task_id: int
    title: str
    assignee: str
    organisation: str
    due_date: date


class MinutesItemOut(Schema):
    number: int
    visible: bool
    label: str
    kind: str | None = None
    case_id: int | None = None
    minutes: str | None = None
    decision: str | None = None
    reasons: str | None = None
    actions: list[MinutesActionOut] = []


class AttendeeOut(Schema):
    name: str
    organisation: str
    status: str


class MinutesOut(Schema):
    meeting_id: int
    status: str
    version: int
    text: str
    approved_at: datetime | None
    approved_by: str | None
    attendance: list[AttendeeOut]
    items: list[MinutesItemOut]
    fingerprint: str = Field(description="Send it back to approve exactly what you read")


class ApproveIn(Schema):
    version: int
    fingerprint: str


# --- Helpers ---------------------------------------------------------------------------------------------
def _meeting(user, meeting_id: int) -> Meeting:
    meeting = policy.get_visible_or_404(
        user, Meeting.objects.select_related("panel", "panel__chair", "current_item"), pk=meeting_id
    )
    policy.require(user, "meeting.follow", meeting)
    return meeting


def _item(user, item_id: int) -> AgendaItem:
    related = ("meeting", "meeting__panel", "case", "case__person")
    item = policy.get_visible_or_404(user, AgendaItem.objects.select_related(*related), pk=item_id)
    policy.require(user, "meeting.record", item)
    return item


def _stage_item(stage: live.Stage) -> dict | None:
    item = stage.item
    if item is None:
        return None
    if not stage.visible:
        return {"id": item.pk, "number": stage.number, "total": stage.total, "visible": False,
                "label": stage.restricted_label, "kind": None, "case_id": None, "minutes_text": None,
                "decision": None, "decision_reasons": None, "version": None}  # fmt: skip
    if item.case_id:
        label = item.case.reference + (f" – {item.case.person}" if item.case.person_id else "")
    else:
        label = item.title
    return {"id": item.pk, "number": stage.number, "total": stage.total, "visible": True, "label": label,
            "kind": item.kind, "case_id": item.case_id, "minutes_text": item.minutes_text,
            "decision": item.decision, "decision_reasons": item.decision_reasons, "version": item.version}  # fmt: skip


def _live_out(user, meeting: Meeting) -> dict:
    item = meeting.current_item
    if item is not None:
        item = AgendaItem.objects.select_related("case", "case__person").get(pk=item.pk)
    stage = live.stage_for(user, meeting, item)
    live.audit_stage_view(user, stage, "meeting.live_item_viewed")
    return {
        "meeting_id": meeting.pk,
        "status": meeting.status,
        "started_at": meeting.started_at,
        "closed_at": meeting.closed_at,
        "current_item": _stage_item(stage),
        "socket": f"/ws/meetings/{meeting.pk}/",
    }


# --- Where the meeting is, and moving it --------------------------------------------------------------------
@router.get(
    "/{meeting_id}/live",
    response={200: LiveOut, 404: ErrorOut},
    url_name="meeting_live",
    summary="The meeting's status and the item on screen, as you may see it",
)
def meeting_live(request, meeting_id: int):
    return _live_out(request.auth, _meeting(request.auth, meeting_id))


@router.post(
    "/{meeting_id}/live/move",
    response={200: LiveOut, 404: ErrorOut, 422: dict},
    url_name="meeting_move",
    summary="Start the meeting, move to the next, previous or a chosen item, or close it (chair, administrators)",
    openapi_extra=json_body(MoveIn),
)
def meeting_move(request, meeting_id: int):
    user = request.auth
    meeting = _meeting(user, meeting_id)
    policy.require(user, "meeting.drive", meeting)
    payload = parse_body(request, MoveIn)
    try:
        if payload.to == "start":
            live.do_start_meeting(user, meeting)
        elif payload.to in ("next", "previous"):
            live.do_step(user, meeting, payload.to)
        elif payload.to == "item":
            item = meeting.items.filter(pk=payload.item_id or 0).first()
            if item is None:
                raise DjangoValidationError({"item_id": "Choose an item on this meeting's agenda"})
            live.do_move_to(user, meeting, item)
        elif payload.to == "close":
            live.do_close_meeting(user, meeting)
        else:
            raise DjangoValidationError({"to": "Choose start, next, previous, item or close"})
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    meeting = Meeting.objects.select_related("panel", "current_item").get(pk=meeting.pk)
    return _live_out(user, meeting)


# --- Recording on an item ---------------------------------------------------------------------------------------
@router.post(
    "/items/{item_id}/minutes",
    response={200: StageItemOut, 404: ErrorOut, 409: MinutesConflictOut, 422: dict},
    url_name="record_item_minutes",
    summary="Record an item's minutes (409 with both texts merged if someone else saved them first)",
    openapi_extra=json_body(MinutesIn),
)
def record_minutes(request, item_id: int):
    item = _item(request.auth, item_id)
    payload = parse_body(request, MinutesIn)
    try:
        saved = live.do_record_minutes(
            request.auth, item, expected_version=payload.version, text=payload.text, original=payload.original
        )
    except EditConflict as clash:
        current = clash.current
        return Status(409, {
            "detail": "Someone else saved the minutes of this item first. Nothing was overwritten.",
            "current_text": current.minutes_text,
            "current_version": current.version,
            "merged": live.merge_texts(current.minutes_text, payload.text, payload.original or ""),
        })  # fmt: skip
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return _item_out(request.auth, saved)


def _item_out(user, item: AgendaItem) -> dict:
    item = AgendaItem.objects.select_related("meeting", "case", "case__person").get(pk=item.pk)
    return _stage_item(live.stage_for(user, item.meeting, item))


@router.post(
    "/items/{item_id}/decision",
    response={200: StageItemOut, 404: ErrorOut, 409: dict, 422: dict},
    url_name="record_item_decision",
    summary="Record the panel's decision on an item, with reasons (Channel cases: use /workflow)",
    openapi_extra=json_body(DecisionIn),
)
def record_decision(request, item_id: int):
    item = _item(request.auth, item_id)
    payload = parse_body(request, DecisionIn)
    original = None
    if payload.original_decision is not None or payload.original_reasons is not None:
        original = (payload.original_decision or "", payload.original_reasons or "")
    try:
        saved = live.do_record_decision(
            request.auth, item, expected_version=payload.version, decision=payload.decision, reasons=payload.reasons,
            original=original,
        )  # fmt: skip
    except EditConflict as clash:
        return Status(409, {"detail": "Someone else recorded a decision on this item first.",
                            "current_decision": clash.current.decision,
                            "current_reasons": clash.current.decision_reasons,
                            "current_version": clash.current.version})  # fmt: skip
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return _item_out(request.auth, saved)


def _recorded(request, payload: TransitionIn) -> dict:
    """The transition's fields: ``data`` of a JSON body, or the other fields of a form."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = {key: value for key, value in request.POST.items() if key not in ("transition", "data")}
        return {**form, **payload.data}
    return payload.data


@router.post(
    "/items/{item_id}/workflow",
    response={200: StageItemOut, 404: ErrorOut, 422: dict},
    url_name="record_item_transition",
    summary="A Channel panel's decision (or review, exit…) on a case item, through the workflow",
    openapi_extra=json_body(TransitionIn),
)
def record_transition(request, item_id: int):
    item = _item(request.auth, item_id)
    ready = {a.transition.name for a in live.meeting_transitions(request.auth, item) if a.allowed}
    if not ready:
        raise Http404
    payload = parse_body(request, TransitionIn)
    if payload.transition not in ready:
        raise unprocessable(DjangoValidationError({"transition": f"Choose one of: {', '.join(sorted(ready))}"}))
    try:
        saved = live.do_record_transition(request.auth, item, payload.transition, _recorded(request, payload))
    except TransitionRefused as refused:
        raise unprocessable(DjangoValidationError(refused.problems)) from None
    except PermissionDenied:
        raise Http404 from None
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return _item_out(request.auth, saved)


@router.post(
    "/items/{item_id}/actions",
    response={201: ActionOut, 404: ErrorOut, 422: dict},
    url_name="record_item_action",
    summary="Set an action on a case item: a task for someone on the case, due on a date",
    openapi_extra=json_body(ActionIn),
)
def record_action(request, item_id: int):
    item = _item(request.auth, item_id)
    if item.case_id is None:
        raise Http404
    payload = parse_body(request, ActionIn)
    assignee = live.assignable(request.auth, item).filter(pk=payload.assignee_id).first()
    if assignee is None:
        raise unprocessable(DjangoValidationError({"assignee_id": "Choose someone who is a member of this case"}))
    try:
        action = live.do_record_action(
            request.auth, item, title=payload.title, assignee=assignee, due_date=payload.due_date,
            description=payload.description,
        )  # fmt: skip
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    task = Task.objects.get(pk=action.task_id)
    return Status(201, {"id": action.pk, "task_id": task.pk, "title": task.title, "assignee_id": task.assignee_id,
                        "due_date": task.due_date, "status": task.status})  # fmt: skip


# --- Minutes -----------------------------------------------------------------------------------------------------
def _minutes(user, meeting_id: int, action: str) -> Minutes:
    meeting = policy.get_visible_or_404(user, Meeting.objects.select_related("panel", "panel__chair"), pk=meeting_id)
    policy.require(user, action, meeting)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_by").first()
    if minutes is None:
        if meeting.status != Meeting.Status.CLOSED:
            raise Http404
        minutes = minutes_service.ensure_draft(meeting)
    minutes.meeting = meeting
    return minutes


def _minutes_out(view: minutes_service.MinutesView) -> dict:
    minutes = view.minutes
    items = []
    for entry in view.items:
        data = entry.data
        if not entry.visible:
            items.append({"number": entry.number, "visible": False, "label": entry.restricted_label})
            continue
        label = f"{data['case_reference']} – {data['person']}" if data["case_id"] else data["title"]
        items.append({
            "number": entry.number, "visible": True, "label": label, "kind": data["kind"], "case_id": data["case_id"],
            "minutes": data["minutes"], "decision": data["decision"], "reasons": data["reasons"],
            "actions": [{"task_id": a["task_id"], "title": a["title"], "assignee": a["assignee"],
                         "organisation": a["organisation"], "due_date": a["due_date"]} for a in data["actions"]],
        })  # fmt: skip
    return {
        "meeting_id": minutes.meeting_id,
        "status": minutes.status,
        "version": minutes.version,
        "text": minutes.text,
        "approved_at": minutes.approved_at,
        "approved_by": minutes.approved_by.full_name if minutes.approved_by_id else None,
        "attendance": [
            {"name": a["name"], "organisation": a["organisation"], "status": a["status"]} for a in view.attendance
        ],  # fmt: skip
        "items": items,
        "fingerprint": view.fingerprint,
    }


@router.get(
    "/{meeting_id}/minutes",
    response={200: MinutesOut, 404: ErrorOut},
    url_name="meeting_minutes",
    summary="The minutes as you may read them (items about cases you may not see are labelled restricted)",
)
def meeting_minutes(request, meeting_id: int):
    minutes = _minutes(request.auth, meeting_id, "minutes.view")
    view = minutes_service.minutes_for(request.auth, minutes)
    minutes_service.audit_read(request.auth, view, via="api")
    return _minutes_out(view)


@router.post(
    "/{meeting_id}/minutes/approve",
    response={200: MinutesOut, 404: ErrorOut, 409: ErrorOut},
    url_name="approve_minutes",
    summary="Approve the minutes you read (the chair): send back their version and fingerprint",
    openapi_extra=json_body(ApproveIn),
)
def approve_minutes(request, meeting_id: int):
    minutes = _minutes(request.auth, meeting_id, "minutes.approve")
    payload = parse_body(request, ApproveIn)
    try:
        minutes_service.do_approve_minutes(
            request.auth, minutes, expected_version=payload.version, seen=payload.fingerprint
        )
    except (EditConflict, minutes_service.MinutesChanged):
        return Status(409, {"detail": "The minutes changed since you read them. Read them again, then approve."})
    minutes = Minutes.objects.select_related("meeting", "meeting__panel", "approved_by").get(pk=minutes.pk)
    return _minutes_out(minutes_service.minutes_for(request.auth, minutes))
