"""Minutes pages: read (as the reader may see them), edit the chair's notes, approve, PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.access import policy
from roundtable.core.conflicts import EditConflict
from roundtable.meetings import minutes as service
from roundtable.meetings import services
from roundtable.meetings.forms_live import ApproveForm, MinutesTextForm
from roundtable.meetings.models import Meeting, Minutes


def _meeting_and_minutes(request, pk, action: str = "minutes.view") -> tuple[Meeting, Minutes]:
    meeting = policy.get_visible_or_404(
        request.user, Meeting.objects.select_related("panel", "panel__area", "panel__chair"), pk=pk
    )
    policy.require(request.user, action, meeting)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_by").first()
    if minutes is None:
        if meeting.status != Meeting.Status.CLOSED:
            raise Http404  # a meeting in session has no minutes yet
        minutes = service.ensure_draft(meeting)
    minutes.meeting = meeting
    return meeting, minutes


def _context(request, meeting, minutes, view, **extra) -> dict:
    user = request.user
    return {
        "meeting": meeting,
        "panel": meeting.panel,
        "when": services.when(meeting),
        "minutes": minutes,
        "view": view,
        "may_edit": policy.can(user, "minutes.edit", meeting),
        "may_approve": policy.can(user, "minutes.approve", meeting),
        "approve_form": ApproveForm(initial={"version": minutes.version, "seen": view.fingerprint}),
        **extra,
    }


@require_GET
def minutes_page(request, pk):
    meeting, minutes = _meeting_and_minutes(request, pk)
    view = service.minutes_for(request.user, minutes)
    service.audit_read(request.user, view)
    return render(request, "meetings/minutes/minutes.html", _context(request, meeting, minutes, view))


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    meeting, minutes = _meeting_and_minutes(request, pk, "minutes.edit")
    conflict = None
    if request.method == "POST":
        form = MinutesTextForm(request.POST)
        if form.is_valid():
            try:
                service.do_save_minutes_text(
                    request.user, minutes, form.cleaned_data["version"], form.cleaned_data["text"]
                )
            except EditConflict as clash:
                conflict = clash
                fresh = request.POST.copy()
                fresh["version"] = str(clash.current.version)
                form = MinutesTextForm(fresh)
                form.is_valid()
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("text", message)
            else:
                messages.success(request, "The chair's notes are saved.")
                return redirect("meetings:minutes", meeting.pk)
    else:
        form = MinutesTextForm(initial={"text": minutes.text, "version": minutes.version})
    view = service.minutes_for(request.user, minutes)
    service.audit_read(request.user, view)
    context = _context(request, meeting, minutes, view, form=form, conflict=conflict)
    return render(request, "meetings/minutes/edit.html", context, status=409 if conflict else 200)


@require_POST
def approve(request, pk):
    meeting, minutes = _meeting_and_minutes(request, pk, "minutes.approve")
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Read the minutes, then approve them from their page.")
        return redirect("meetings:minutes", meeting.pk)
    try:
        service.do_approve_minutes(
            request.user, minutes, expected_version=form.cleaned_data["version"], seen=form.cleaned_data["seen"]
        )
    except (EditConflict, service.MinutesChanged) as changed:
        message = (
            "Someone changed the minutes while you were reading them. Read them again, then approve."
            if isinstance(changed, EditConflict)
            else " ".join(changed.messages)
        )
        messages.error(request, message)
        return redirect("meetings:minutes", meeting.pk)
    messages.success(
        request,
        "The minutes are approved. Everyone on the panel has been sent a link, and each case's part is in its "
        "chronology.",
    )
    return redirect("meetings:minutes", meeting.pk)


@require_GET
def minutes_pdf(request, pk):
    meeting, minutes = _meeting_and_minutes(request, pk)
    rendered, _view = service.do_export_pdf(request.user, minutes)
    day = meeting.starts_at.date().isoformat()
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-meeting-{meeting.pk}-{day}.pdf"'
    response["Content-Length"] = str(len(rendered.content))
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
