"""Live meeting pages: the meeting mode (projected screen and "follow the chair" on one's
own device), the chair's controls, and the administrator's page for recording minutes,
decisions and actions on an item. Thin: look up through the access policy (404 for
anything not visible), call a service in live.py, render.

Live updates: the page opens the meeting's socket (consumers.py); on "meeting.moved" or
"item.changed" the browser fetches ``stage_item`` — the item as this user may see it —
and puts it in place (assets/static/roundtable/js/meeting-live.mjs)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from roundtable.access import policy
from roundtable.channel.forms import TransitionForm
from roundtable.core.conflicts import EditConflict
from roundtable.core.workflow import TransitionRefused
from roundtable.meetings import live, services
from roundtable.meetings.forms_live import ActionForm, DecisionForm, MinutesForm
from roundtable.meetings.models import AgendaItem, Meeting, MeetingRecording

MEETING_RELATED = ("panel", "panel__area", "panel__chair", "current_item")
ITEM_RELATED = ("meeting", "meeting__panel", "meeting__panel__area", "case", "case__person", "lead")


def _meeting(request, pk) -> Meeting:
    """The meeting, for the people of the meeting only (``meeting.follow`` is the meetings
    scope asked of one meeting: cheaper on the path every follower takes on every move)."""
    meeting = Meeting.objects.select_related(*MEETING_RELATED).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    policy.require(request.user, "meeting.follow", meeting)
    return meeting


def _item(request, pk) -> AgendaItem:
    return policy.get_visible_or_404(request.user, AgendaItem.objects.select_related(*ITEM_RELATED), pk=pk)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _stage_context(request, meeting: Meeting, stage: live.Stage, *, controls: bool) -> dict:
    may_drive = policy.can(request.user, "meeting.drive", meeting)
    item = stage.item
    return {
        "meeting": meeting,
        "stage": stage,
        "item": item,
        "controls": controls and may_drive,
        "may_record": item is not None and stage.visible and policy.can(request.user, "meeting.record", item),
        "may_see_minutes": item is None
        and meeting.status != Meeting.Status.PLANNED
        and policy.can(request.user, "minutes.view", meeting),
    }


# --- The meeting mode ----------------------------------------------------------------------------------
def _live_page(request, pk, template: str):
    meeting = _meeting(request, pk)
    user = request.user
    stage = live.stage_for(user, meeting, meeting.current_item)
    live.audit_stage_view(user, stage)
    may_manage = policy.can(user, "meeting.manage", meeting)
    context = {
        **_stage_context(request, meeting, stage, controls=True),
        "panel": meeting.panel,
        "when": services.when(meeting),
        "agenda": live.agenda_lines(user, meeting),
        "may_drive": policy.can(user, "meeting.drive", meeting),
        "may_manage": may_manage,
        "attendance": live.attendance_counts(meeting) if may_manage else None,
        "may_see_minutes": policy.can(user, "minutes.view", meeting),
        "recordings_exist": MeetingRecording.objects.filter(meeting=meeting).exists(),
        "live_url": f"/ws/meetings/{meeting.pk}/",
        "stage_base": reverse("meetings:live_stage", args=[meeting.pk]),
    }
    return render(request, template, context)


@require_GET
def live_meeting(request, pk):
    """Follow the chair on your own device (and the chair's own controls)."""
    return _live_page(request, pk, "meetings/live/live.html")


@require_GET
def present(request, pk):
    """The projected screen: one item at a time, in large type."""
    return _live_page(request, pk, "meetings/live/present.html")


def _render_stage(request, meeting: Meeting, item: AgendaItem | None):
    stage = live.stage_for(request.user, meeting, item)
    live.audit_stage_view(request.user, stage)
    context = _stage_context(request, meeting, stage, controls=request.GET.get("controls") == "1")
    response = render(request, "meetings/live/_stage.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def stage(request, pk):
    """The item on screen now, as a fragment (for the live page after a reconnect)."""
    meeting = _meeting(request, pk)
    return _render_stage(request, meeting, meeting.current_item)


@require_GET
def stage_item(request, pk, item_pk):
    """One item of the meeting, as a fragment, as this user may see it (restricted items say so)."""
    meeting = _meeting(request, pk)
    item = meeting.items.select_related("case", "case__person", "lead").filter(pk=item_pk).first()
    if item is None:
        raise Http404
    return _render_stage(request, meeting, item)


@require_POST
def control(request, pk):
    """The chair's controls: start, previous, next, go to an item, close."""
    meeting = _meeting(request, pk)
    policy.require(request.user, "meeting.drive", meeting)
    action = request.POST.get("action", "")
    try:
        if action == "start":
            live.do_start_meeting(request.user, meeting)
        elif action in ("next", "previous"):
            live.do_step(request.user, meeting, action)
        elif action == "goto":
            raw = request.POST.get("item", "")
            item = meeting.items.filter(pk=int(raw)).first() if raw.isdigit() else None
            if item is None:
                raise ValidationError("Choose an item on this agenda")
            live.do_move_to(request.user, meeting, item)
        elif action == "close":
            live.do_close_meeting(request.user, meeting)
        else:
            raise ValidationError("Choose start, previous, next, an item or close")
    except ValidationError as error:
        if _is_htmx(request):
            return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
        for message in error.messages:
            messages.error(request, message)
        return redirect("meetings:live", meeting.pk)
    if _is_htmx(request):
        # The page moves when its socket hears "meeting.moved", like everyone else's. (No reload:
        # it would cut short the fragment fetch that message starts.)
        return HttpResponse(status=204)
    if action == "close":
        messages.success(request, "The meeting is closed. The draft minutes are ready for the chair.")
    return redirect("meetings:live", meeting.pk)


# --- Recording on an item ---------------------------------------------------------------------------------
def _record_context(request, item: AgendaItem, **overrides) -> dict:
    meeting = item.meeting
    user = request.user
    stage = live.stage_for(user, meeting, item)
    by_workflow = live.decides_by_workflow(item)
    transitions = live.meeting_transitions(user, item) if by_workflow else []
    ready = [a.transition for a in transitions if a.allowed]
    people = live.assignable(user, item) if item.case_id else None
    context = {
        "meeting": meeting,
        "panel": meeting.panel,
        "when": services.when(meeting),
        "item": item,
        "stage": stage,
        "number": stage.number,
        "by_workflow": by_workflow,
        "blocked": [a for a in transitions if not a.allowed],
        "minutes_form": MinutesForm(initial=MinutesForm.initial_for(item)),
        "decision_form": DecisionForm(initial=DecisionForm.initial_for(item)) if not by_workflow else None,
        "transition_form": TransitionForm(transitions=ready, subject=live.channel_case_of(item)) if ready else None,
        "action_form": ActionForm(people=people) if item.case_id else None,
        "may_set_actions": item.case_id is not None and policy.can(user, "task.create", item.case),
        "current_item_id": meeting.current_item_id,
        "live_url": f"/ws/meetings/{meeting.pk}/",
        "stage_base": reverse("meetings:live_stage", args=[meeting.pk]),
        "conflict": None,
        "merged": None,
    }
    context.update(overrides)
    return context


def _recording_item(request, pk) -> AgendaItem:
    item = _item(request, pk)
    policy.require(request.user, "meeting.record", item)
    return item


def _render_record(request, item, status=200, **overrides):
    context = _record_context(request, item, **overrides)
    live.audit_stage_view(request.user, context["stage"], "meeting.item_record_viewed")
    return render(request, "meetings/live/record.html", context, status=status)


def _back(item: AgendaItem, anchor: str) -> str:
    return f"{reverse('meetings:record', args=[item.pk])}#{anchor}"


def _apply_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, errors in error.message_dict.items():
        target = name if name in form.fields else None
        if name == "due_date":
            target = "due_day"
        for message in errors:
            form.add_error(target, message)


@require_GET
def record(request, pk):
    return _render_record(request, _recording_item(request, pk))


@require_POST
def record_minutes(request, pk):
    item = _recording_item(request, pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _render_record(request, item, status=400, minutes_form=form)
    data = form.cleaned_data
    try:
        live.do_record_minutes(
            request.user, item, expected_version=data["version"], text=data["minutes_text"], original=data["original"]
        )
    except EditConflict as clash:
        current = clash.current
        merged = live.merge_texts(current.minutes_text, data["minutes_text"], data["original"])
        fresh = MinutesForm(
            initial={"minutes_text": merged, "version": current.version, "original": current.minutes_text}
        )
        return _render_record(request, item, status=409, minutes_form=fresh, conflict=clash, merged=merged)
    except ValidationError as error:
        _apply_errors(form, error)
        return _render_record(request, item, status=400, minutes_form=form)
    messages.success(request, f"The minutes of item {live.item_number(item)} are saved.")
    return redirect(_back(item, "minutes"))


@require_POST
def record_decision(request, pk):
    item = _recording_item(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            live.do_record_decision(
                request.user,
                item,
                expected_version=data["version"],
                decision=data["decision"],
                reasons=data["decision_reasons"],
                original=(data["original_decision"], data["original_reasons"]),
            )
        except EditConflict as clash:
            current = clash.current
            fresh = DecisionForm(
                initial={
                    **DecisionForm.initial_for(current),
                    "decision": data["decision"],
                    "decision_reasons": data["decision_reasons"],
                }
            )
            return _render_record(request, item, status=409, decision_form=fresh, decision_conflict=clash)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"The decision on item {live.item_number(item)} is recorded.")
            return redirect(_back(item, "decision"))
    return _render_record(request, item, status=400, decision_form=form)


@require_POST
def record_transition(request, pk):
    """A Channel panel's decision through the workflow engine."""
    item = _recording_item(request, pk)
    channel_case = live.channel_case_of(item)
    if channel_case is None:
        raise Http404
    ready = [a.transition for a in live.meeting_transitions(request.user, item) if a.allowed]
    if not ready:
        raise Http404
    form = TransitionForm(request.POST, transitions=ready, subject=channel_case)
    if form.is_valid():
        chosen = form.chosen()
        try:
            live.do_record_transition(request.user, item, chosen.name, form.recorded())
        except TransitionRefused as refused:
            form.add_error(None, " ".join(refused.problems))
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.apply_errors(error)
            else:
                form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, f"Recorded: {chosen.label}.")
            return redirect(_back(item, "decision"))
    return _render_record(request, item, status=400, transition_form=form)


@require_POST
def record_action(request, pk):
    item = _recording_item(request, pk)
    if item.case_id is None:
        raise Http404
    people = live.assignable(request.user, item)
    form = ActionForm(request.POST, people=people)
    if form.is_valid():
        data = form.cleaned_data
        try:
            live.do_record_action(
                request.user, item, title=data["title"], assignee=data["assignee"], due_date=data["due_date"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"The action is set: {data['assignee'].full_name} has a new task.")
            return redirect(_back(item, "actions"))
    return _render_record(request, item, status=400, action_form=form)
