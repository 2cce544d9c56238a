"""Meeting pages. Thin: look up through the access policy (404 for anything not
visible), call a service, render. Every page that shows case content records a read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.access import policy
from roundtable.access.rules.meetings import is_person_of, panels_on, updates_open_to
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.core.conflicts import EditConflict
from roundtable.meetings import services
from roundtable.meetings.calendar import meeting_ics
from roundtable.meetings.forms import (
    AddCaseForm,
    ApologiesForm,
    AttendanceForm,
    InviteForm,
    ItemForm,
    MeetingForm,
    OtherBusinessForm,
    PanelCaseForm,
    PublishForm,
    UpdateForm,
    VisitForm,
)
from roundtable.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingInvitee,
    PanelCase,
    SchoolVisit,
)
from roundtable.panels.models import Panel
from roundtable.panels.services import people_of_area

PAGE_SIZE = 25
ITEM_RELATED = ("case", "case__person", "lead", "lead__organisation")


# --- Look-ups ----------------------------------------------------------------------------------
def _panel_or_404(request, pk) -> Panel:
    return policy.get_visible_or_404(request.user, Panel.objects.select_related("area", "chair"), pk=pk)


def _meeting_or_404(request, pk) -> Meeting:
    related = ("panel", "panel__area", "panel__chair", "current_item")
    return policy.get_visible_or_404(request.user, Meeting.objects.select_related(*related), pk=pk)


def _item_or_404(request, pk) -> AgendaItem:
    related = ("meeting", "meeting__panel", "meeting__panel__area", *ITEM_RELATED)
    return policy.get_visible_or_404(request.user, AgendaItem.objects.select_related(*related), pk=pk)


def _apply_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages_ in error.message_dict.items():
        target = field if field in form.fields else None
        if field == "starts_at":
            target = "day"
        for message in messages_:
            form.add_error(target, message)


def _flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _visible_items(user, meeting: Meeting) -> list[AgendaItem]:
    qs = policy.visible(user, meeting.items.select_related(*ITEM_RELATED))
    return list(qs.annotate(action_count=Count("actions")).order_by("position", "pk"))


def _updatable_case_ids(user, meeting: Meeting, items) -> set[int]:
    """The case items ``user`` may add a pre-meeting update to: the rule ``meeting.add_update``
    asked for the whole agenda at once (two queries, whatever its length)."""
    ids = [item.case_id for item in items if item.case_id]
    if not ids or not updates_open_to(user, meeting):
        return set()
    return set(policy.visible(user, Case.objects.filter(pk__in=ids)).values_list("pk", flat=True))


def _audit_read(user, action: str, meeting, items, also=()) -> None:
    """One event per page, naming the cases whose items (or proposals) were shown."""
    case_ids = sorted({item.case_id for item in items if item.case_id} | set(also))
    with transaction.atomic():
        record(user, action, meeting, case_ids=case_ids)


def _meeting_context(request, meeting: Meeting, active: str) -> dict:
    user = request.user
    manage = policy.can(user, "meeting.manage", meeting)
    return {
        "meeting": meeting,
        "panel": meeting.panel,
        "active": active,
        "may_manage": manage,
        "may_apologise": policy.can(user, "meeting.send_apologies", meeting),
        "when": services.when(meeting),
    }


# --- Lists -------------------------------------------------------------------------------------------
@require_GET
def my_meetings(request):
    policy.require(request.user, "meeting.list")
    now = timezone.now()
    visible = policy.visible(request.user, Meeting.objects.select_related("panel", "panel__area"))
    upcoming = list(visible.filter(starts_at__gte=now - timezone.timedelta(hours=12)).order_by("starts_at", "pk")[:50])
    page = Paginator(visible.filter(starts_at__lt=now).order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    panels = list(panels_on(request.user).filter(is_active=True).select_related("area"))
    context = {"upcoming": upcoming, "page": page, "past": list(page.object_list), "panels": panels}
    return render(request, "meetings/my_meetings.html", context)


@require_GET
def panel_meetings(request, panel_pk):
    panel = _panel_or_404(request, panel_pk)
    policy.require(request.user, "meeting.list", panel)
    qs = policy.visible(request.user, panel.meetings.all()).annotate(item_count=Count("items"))
    page = Paginator(qs.order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "panel": panel,
        "page": page,
        "meetings": list(page.object_list),
        "may_create": policy.can(request.user, "meeting.create", panel),
        "may_manage_cases": policy.can(request.user, "panelcase.manage", panel),
        "may_see_visits": policy.can(request.user, "visit.list", panel),
    }
    return render(request, "meetings/panel_meetings.html", context)


# --- Scheduling ---------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def create(request, panel_pk):
    panel = _panel_or_404(request, panel_pk)
    policy.require(request.user, "meeting.create", panel)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.do_create_meeting(
                request.user,
                panel,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                video_link=data["video_link"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"The meeting on {services.when(meeting)} is planned. Now build its agenda.")
            return redirect("meetings:agenda", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"panel": panel, "form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    conflict = None
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_update_meeting(
                    request.user,
                    meeting,
                    data["version"] or 0,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    video_link=data["video_link"],
                )
            except EditConflict as clash:
                conflict = clash
                fresh = request.POST.copy()
                fresh["version"] = str(clash.current.version)
                form = MeetingForm(fresh)
                form.is_valid()
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "The meeting is saved.")
                return redirect("meetings:detail", meeting.pk)
    else:
        form = MeetingForm(initial=MeetingForm.initial_for(meeting))
    context = {**_meeting_context(request, meeting, "edit"), "form": form, "conflict": conflict, "creating": False}
    return render(request, "meetings/meeting_form.html", context)


# --- The meeting and its agenda ---------------------------------------------------------------------
@require_GET
def detail(request, pk):
    meeting = _meeting_or_404(request, pk)
    user = request.user
    items = _visible_items(user, meeting)
    summaries = services.update_summaries(user, items)
    outstanding = services.outstanding_actions(user, meeting)
    updatable = _updatable_case_ids(user, meeting, items)
    for item in items:
        item.summary = summaries.get(item.pk)
        item.outstanding = outstanding.get(item.case_id, [])
        item.may_update = item.case_id in updatable
    hidden = 0
    if meeting.is_published or policy.can(user, "meeting.manage", meeting):
        hidden = meeting.items.count() - len(items)
    mine = Attendance.objects.filter(meeting=meeting, user=user).first()
    _audit_read(user, "meeting.viewed", meeting, items)
    context = {
        **_meeting_context(request, meeting, "agenda"),
        "items": items,
        "hidden": hidden,
        "my_attendance": mine,
        "is_person": is_person_of(user, meeting),
        "publish_by": services.publish_by(meeting),
        "publish_late": services.is_late(meeting),
    }
    return render(request, "meetings/meeting_detail.html", context)


@require_GET
def agenda(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    return _render_agenda(request, meeting)


def _render_agenda(request, meeting, *, case_form=None, other_form=None, status=200):
    items = _visible_items(request.user, meeting)
    proposed = services.proposals(meeting) if meeting.status == Meeting.Status.PLANNED else []
    _audit_read(request.user, "meeting.agenda_viewed", meeting, items, also=[p.case.pk for p in proposed])
    context = {
        **_meeting_context(request, meeting, "build"),
        "items": items,
        "proposals": proposed,
        "case_form": case_form or AddCaseForm(),
        "other_form": other_form or OtherBusinessForm(),
        "editable": meeting.status == Meeting.Status.PLANNED,
    }
    return render(request, "meetings/agenda.html", context, status=status)


@require_POST
def add_proposed(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    raw = request.POST.getlist("case") if "add_chosen" in request.POST else []
    case_ids = [int(value) for value in raw if value.isdigit()]
    if "add_chosen" in request.POST and not case_ids:
        messages.error(request, "Choose at least one proposed case to add, or add them all")
        return redirect("meetings:agenda", meeting.pk)
    try:
        added = services.do_add_proposed_items(request.user, meeting, case_ids)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, f"{len(added)} case{'s' if len(added) != 1 else ''} added to the agenda.")
    return redirect("meetings:agenda", meeting.pk)


@require_POST
def add_case(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    form = AddCaseForm(request.POST)
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip()
        case = Case.objects.filter(reference__iexact=reference).select_related("person").first()
        try:
            if case is None:
                raise ValidationError({"reference": "There is no case with that reference that you can see"})
            services.do_add_case_item(request.user, meeting, case, kind=form.cleaned_data["kind"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Case {case.reference} is on the agenda.")
            return redirect("meetings:agenda", meeting.pk)
    return _render_agenda(request, meeting, case_form=form, status=200)


@require_POST
def add_other(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    form = OtherBusinessForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_other_business(request.user, meeting, title=form.cleaned_data["title"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The item is on the agenda.")
            return redirect("meetings:agenda", meeting.pk)
    return _render_agenda(request, meeting, other_form=form)


@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = _item_or_404(request, pk)
    meeting = item.meeting
    policy.require(request.user, "meeting.manage", meeting)
    people = services.people_of(meeting)
    conflict = None
    case_item = item.case_id is not None
    if request.method == "POST":
        form = ItemForm(request.POST, people=people, case_item=case_item)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_update_item(
                    request.user,
                    item,
                    data["version"],
                    lead=data["lead"],
                    slot_start=data["slot_start"],
                    slot_minutes=data["slot_minutes"],
                    title=data.get("title"),
                    kind=data.get("kind") or None,
                )
            except EditConflict as clash:
                conflict = clash
                fresh = request.POST.copy()
                fresh["version"] = str(clash.current.version)
                form = ItemForm(fresh, people=people, case_item=case_item)
                form.is_valid()
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "The item is saved.")
                return redirect("meetings:agenda", meeting.pk)
    else:
        form = ItemForm(initial=ItemForm.initial_for(item), people=people, case_item=case_item)
    context = {**_meeting_context(request, meeting, "build"), "item": item, "form": form, "conflict": conflict}
    return render(request, "meetings/item_form.html", context)


@require_POST
def item_move(request, pk):
    item = _item_or_404(request, pk)
    policy.require(request.user, "meeting.manage", item.meeting)
    try:
        services.do_move_item(request.user, item, request.POST.get("direction", ""))
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect(f"{_agenda_url(item.meeting)}#item-{item.pk}")


def _agenda_url(meeting) -> str:
    return reverse("meetings:agenda", args=[meeting.pk])


@require_http_methods(["GET", "POST"])
def item_remove(request, pk):
    item = _item_or_404(request, pk)
    meeting = item.meeting
    policy.require(request.user, "meeting.manage", meeting)
    if request.method == "POST":
        try:
            services.do_remove_item(request.user, item)
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, "The item is off the agenda.")
        return redirect("meetings:agenda", meeting.pk)
    context = {**_meeting_context(request, meeting, "build"), "item": item}
    return render(request, "meetings/item_remove.html", context)


@require_GET
def item(request, pk):
    item = _item_or_404(request, pk)
    meeting = item.meeting
    user = request.user
    summary = services.update_summaries(user, [item]).get(item.pk)
    outstanding = services.outstanding_actions(user, meeting).get(item.case_id, []) if item.case_id else []
    actions = list(
        policy.visible(user, Action.objects.filter(item=item)).select_related(
            "task", "task__assignee", "task__assignee__organisation"
        )
    )
    with transaction.atomic():
        record(user, "meeting.item_viewed", meeting, item=item.pk, **services._case_ids(item.case))
    context = {
        **_meeting_context(request, meeting, "agenda"),
        "item": item,
        "summary": summary,
        "outstanding": outstanding,
        "actions": actions,
        "may_update": item.case_id is not None and policy.can(user, "meeting.add_update", item),
        "may_read_case": item.case_id is not None and policy.can(user, "case.view", item.case),
    }
    return render(request, "meetings/item_detail.html", context)


# --- People and invitations ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def people(request, pk):
    meeting = _meeting_or_404(request, pk)
    manage = policy.can(request.user, "meeting.manage", meeting)
    form = None
    if manage and not meeting.is_closed:
        already = services.people_of(meeting).values("pk")
        candidates = people_of_area(meeting.panel.area).exclude(pk__in=already).order_by("full_name")
        form = InviteForm(request.POST if request.method == "POST" else None, people=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                services.do_invite(request.user, meeting, form.cleaned_data["user"])
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['user'].full_name} is invited to this meeting.")
                return redirect("meetings:people", meeting.pk)
    elif request.method == "POST":
        policy.require(request.user, "meeting.manage", meeting)
        messages.error(request, "You cannot invite anyone: the meeting is over")
        return redirect("meetings:people", meeting.pk)
    invitees = {invitee.user_id: invitee for invitee in meeting.invitees.select_related("user", "user__organisation")}
    attendance = {a.user_id: a for a in meeting.attendance.filter(user__isnull=False)}
    everyone = list(services.people_of(meeting))
    for person in everyone:
        person.invitation = invitees.get(person.pk)
        person.attendance = attendance.get(person.pk)
    context = {
        **_meeting_context(request, meeting, "people"),
        "people": everyone,
        "form": form,
        "count": services._head_count(meeting),
        "limit": services.MAX_PEOPLE,
    }
    return render(request, "meetings/people.html", context)


@require_POST
def uninvite(request, pk, invitee_pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    invitee = MeetingInvitee.objects.filter(meeting=meeting, pk=invitee_pk).select_related("user").first()
    if invitee is None:
        raise Http404
    try:
        services.do_uninvite(request.user, invitee)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, f"{invitee.user.full_name} is no longer invited.")
    return redirect("meetings:people", meeting.pk)


@require_GET
def calendar(request, pk):
    meeting = _meeting_or_404(request, pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


# --- Publishing -----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def publish(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    form = PublishForm(request.POST if request.method == "POST" else None)
    late = services.is_late(meeting) and not meeting.is_published
    if request.method == "POST" and form.is_valid():
        try:
            services.do_publish_agenda(request.user, meeting, late_confirmed=form.cleaned_data["late_confirmed"])
        except services.LatePublication as error:
            form.add_error("late_confirmed", error.messages[0])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            count = services.people_of(meeting).count()
            verb = "sent again" if meeting.is_published else "published"
            messages.success(request, f"The agenda is {verb}: {count} people have been e-mailed a link and invitation.")
            return redirect("meetings:detail", meeting.pk)
    context = {
        **_meeting_context(request, meeting, "agenda"),
        "form": form,
        "late": late,
        "publish_by": services.publish_by(meeting),
        "item_count": meeting.items.count(),
        "recipients": list(services.people_of(meeting)),
    }
    return render(request, "meetings/publish.html", context)


# --- Pre-meeting updates ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def add_update(request, pk):
    item = _item_or_404(request, pk)
    policy.require(request.user, "meeting.add_update", item)
    form = UpdateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_add_update(request.user, item, status=data["status"], stage=data["stage"], note=data["note"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Your update on case {item.case.reference} is saved.")
            return redirect("meetings:detail", item.meeting_id)
    context = {**_meeting_context(request, item.meeting, "agenda"), "item": item, "form": form}
    return render(request, "meetings/update_form.html", context)


@require_GET
def updates(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    items = [item for item in _visible_items(request.user, meeting) if item.case_id]
    summaries = services.update_summaries(request.user, items)
    for each in items:
        each.summary = summaries[each.pk]
    _audit_read(request.user, "meeting.updates_viewed", meeting, items)
    return render(request, "meetings/updates.html", {**_meeting_context(request, meeting, "updates"), "items": items})


# --- Attendance -------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    everyone = list(services.people_of(meeting))
    recorded = list(meeting.attendance.select_related("user", "recorded_by"))
    current = {a.user_id: a.status for a in recorded if a.user_id}
    form = AttendanceForm(request.POST if request.method == "POST" else None, people=everyone, current=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = 0
        try:
            with transaction.atomic():
                for person in everyone:
                    status = data.get(f"attendance_{person.pk}")
                    if status and status != current.get(person.pk):
                        services.do_record_attendance(request.user, meeting, user=person, status=status)
                        changed += 1
                if (data.get("guest_name") or "").strip():
                    services.do_record_attendance(
                        request.user,
                        meeting,
                        guest_name=data["guest_name"],
                        status=data["guest_status"],
                        note=data.get("guest_organisation", ""),
                    )
                    changed += 1
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Attendance is saved ({changed} change{'s' if changed != 1 else ''}).")
            return redirect("meetings:attendance", meeting.pk)
    guests = [a for a in recorded if not a.user_id]
    context = {**_meeting_context(request, meeting, "attendance"), "form": form, "guests": guests, "recorded": recorded}
    return render(request, "meetings/attendance.html", context)


@require_http_methods(["GET", "POST"])
def apologies(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.send_apologies", meeting)
    mine = Attendance.objects.filter(meeting=meeting, user=request.user).first()
    data = request.POST if request.method == "POST" else None
    form = ApologiesForm(data, initial={"note": mine.note if mine else ""})
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                services.do_withdraw_apologies(request.user, meeting)
                messages.success(request, "Your apologies are withdrawn: the chair expects you at the meeting.")
                return redirect("meetings:detail", meeting.pk)
            if form.is_valid():
                services.do_send_apologies(request.user, meeting, note=form.cleaned_data["note"])
                messages.success(request, "Your apologies are sent to the chair.")
                return redirect("meetings:detail", meeting.pk)
        except ValidationError as error:
            _apply_errors(form, error)
    context = {**_meeting_context(request, meeting, "agenda"), "form": form, "mine": mine}
    return render(request, "meetings/apologies.html", context)


# --- Follow-up ---------------------------------------------------------------------------------------------
@require_GET
def follow_up(request, pk):
    meeting = _meeting_or_404(request, pk)
    policy.require(request.user, "meeting.manage", meeting)
    by = "organisation" if request.GET.get("by") == "organisation" else "person"
    result = services.follow_up(request.user, meeting)
    with transaction.atomic():
        case_ids = sorted({action.task.case_id for action in result.actions})
        record(request.user, "meeting.follow_up_viewed", meeting, case_ids=case_ids, count=len(result.actions))
    groups = result.by_organisation if by == "organisation" else result.by_person
    context = {**_meeting_context(request, meeting, "follow_up"), "result": result, "groups": groups, "by": by}
    return render(request, "meetings/follow_up.html", context)


@require_POST
def remind(request, pk):
    action = policy.get_visible_or_404(
        request.user,
        Action.objects.select_related("task", "task__case", "task__assignee", "item__meeting__panel", "visit__panel"),
        pk=pk,
    )
    policy.require(request.user, "meeting.remind", action)
    try:
        services.do_remind_action(request.user, action)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, f"{action.task.assignee.full_name} has been reminded.")
    if action.item_id:
        return redirect(f"{_follow_up_url(action.item.meeting_id)}?by={request.POST.get('by', 'person')}")
    return redirect("meetings:visit_detail", action.visit_id)


def _follow_up_url(meeting_id) -> str:
    return reverse("meetings:follow_up", args=[meeting_id])


# --- A panel's caseload (non-Channel panels) ----------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def panel_cases(request, panel_pk):
    panel = _panel_or_404(request, panel_pk)
    policy.require(request.user, "panelcase.manage", panel)
    form = PanelCaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip()
        case = policy.visible(request.user, Case.objects.filter(reference__iexact=reference)).first()
        try:
            if case is None:
                raise ValidationError({"reference": "There is no case with that reference that you can see"})
            services.do_add_panel_case(request.user, panel, case)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Case {case.reference} is now reviewed by this panel.")
            return redirect("meetings:panel_cases", panel.pk)
    links = list(
        PanelCase.objects.filter(panel=panel, ended_at__isnull=True)
        .select_related("case", "case__person", "added_by")
        .order_by("added_at", "pk")
    )
    with transaction.atomic():
        record(request.user, "panel.cases_viewed", panel, case_ids=sorted(link.case_id for link in links))
    return render(request, "meetings/panel_cases.html", {"panel": panel, "links": links, "form": form})


@require_POST
def panel_case_end(request, pk):
    link = policy.get_visible_or_404(request.user, PanelCase.objects.select_related("panel", "case"), pk=pk)
    policy.require(request.user, "panelcase.manage", link.panel)
    try:
        services.do_end_panel_case(request.user, link)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, f"The panel no longer reviews case {link.case.reference}.")
    return redirect("meetings:panel_cases", link.panel_id)


# --- School visits ------------------------------------------------------------------------------------------
@require_GET
def visits(request, panel_pk):
    panel = _panel_or_404(request, panel_pk)
    policy.require(request.user, "visit.list", panel)
    qs = (
        policy.visible(request.user, panel.school_visits.select_related("school", "recorded_by"))
        .prefetch_related(services.prefetch_visible_cases(request.user))
        .annotate(case_count=Count("cases", distinct=True), action_count=Count("actions", distinct=True))
    )
    page = Paginator(qs.order_by("-date", "-slot_start", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    visits_ = list(page.object_list)
    with transaction.atomic():
        seen = sorted({case.pk for visit in visits_ for case in visit.seen})
        record(request.user, "visit.list_viewed", panel, case_ids=seen)
    context = {
        "panel": panel,
        "page": page,
        "visits": visits_,
        "may_record": policy.can(request.user, "visit.record", panel),
    }
    return render(request, "meetings/visits.html", context)


def _visit_form(request, panel, data=None):
    cases = policy.visible(request.user, Case.objects.filter(area=panel.area).exclude(state=Case.State.CLOSED))
    cases = cases.select_related("person").order_by("reference")
    members = people_of_area(panel.area).order_by("full_name")
    return VisitForm(
        data,
        schools=services.schools_of(panel),
        cases=cases,
        members_of=members,
        nation=panel.area.nation,
        initial={"visit_day": "", "rows": 3},
    )


@require_http_methods(["GET", "POST"])
def visit_create(request, panel_pk):
    panel = _panel_or_404(request, panel_pk)
    policy.require(request.user, "visit.record", panel)
    form = _visit_form(request, panel, request.POST if request.method == "POST" else None)
    if request.method == "POST" and "add_row" in request.POST:
        data = request.POST.copy()
        data["rows"] = str(form.row_count + 1)
        form = _visit_form(request, panel, data)
        form._errors = ErrorDict()  # a new empty row: keep what was typed, judge nothing yet
        return render(request, "meetings/visit_form.html", {"panel": panel, "form": form, "adding_row": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.do_record_visit(
                request.user,
                panel,
                school=data["school"],
                visit_date=data["visit_date"],
                slot_start=data["slot_start_time"],
                slot_end=data["slot_end_time"],
                cases=list(data["cases"]),
                work_done=data["work_done"],
                actions=data["drafts"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            count = len(data["drafts"])
            messages.success(request, f"The visit is recorded with {count} action{'s' if count != 1 else ''}.")
            return redirect("meetings:visit_detail", visit.pk)
    return render(request, "meetings/visit_form.html", {"panel": panel, "form": form})


@require_GET
def visit_detail(request, pk):
    visit = policy.get_visible_or_404(
        request.user, SchoolVisit.objects.select_related("panel", "school", "recorded_by"), pk=pk
    )
    user = request.user
    seen = list(policy.visible(user, visit.cases.select_related("person")).order_by("reference"))
    unseen = visit.cases.count() - len(seen)
    actions = list(
        policy.visible(user, Action.objects.filter(visit=visit)).select_related(
            "task", "task__case", "task__assignee", "task__assignee__organisation"
        )
    )
    today = timezone.localdate()
    for action in actions:
        action.is_overdue = action.task.status in ("open", "in_progress") and action.task.due_date < today
    with transaction.atomic():
        record(user, "visit.viewed", visit, case_ids=[case.pk for case in seen])
    context = {
        "visit": visit,
        "panel": visit.panel,
        "cases": seen,
        "unseen": unseen,
        "actions": actions,
        "may_remind": bool(actions) and policy.can(user, "meeting.remind", actions[0]),
    }
    return render(request, "meetings/visit_detail.html", context)
