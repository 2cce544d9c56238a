"""The meeting's audio recordings: upload (streamed), play and seek in the page, download,
and the chair's list of who may listen. Every play and download is audited (audio.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.access import policy
from roundtable.documents.streaming import file_response
from roundtable.documents.uploads import too_large_message, use_limited_upload_handler
from roundtable.meetings import audio, services
from roundtable.meetings.forms_live import ListenersForm, RecordingUploadForm
from roundtable.meetings.models import Meeting, MeetingRecording


def _meeting(request, pk) -> Meeting:
    meeting = policy.get_visible_or_404(
        request.user, Meeting.objects.select_related("panel", "panel__area", "panel__chair"), pk=pk
    )
    policy.require(request.user, "meeting.follow", meeting)
    return meeting


def _recording(request, pk) -> MeetingRecording:
    return policy.get_visible_or_404(
        request.user, MeetingRecording.objects.select_related("meeting", "meeting__panel", "uploaded_by"), pk=pk
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def recordings(request, pk):
    # Our upload handler goes in before anything reads the body; CSRF is checked just after.
    handler = use_limited_upload_handler(request) if request.method == "POST" else None
    return _recordings(request, pk, handler)


@csrf_protect
def _recordings(request, pk, handler):
    meeting = _meeting(request, pk)
    user = request.user
    may_upload = policy.can(user, "recording.upload", meeting)
    form = None
    status = 200
    if may_upload:
        form = RecordingUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_upload:
            policy.require(user, "recording.upload", meeting)
        if handler.too_large:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", too_large_message(handler.too_large[0]))
        elif form.is_valid():
            try:
                recording = audio.do_upload_recording(
                    user, meeting, file=form.cleaned_data["file"], title=form.cleaned_data["title"]
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, f"{recording.original_name} is attached to the meeting.")
                return redirect("meetings:recordings", meeting.pk)
        status = 400
    playable = list(
        policy.visible(user, MeetingRecording.objects.filter(meeting=meeting).select_related("uploaded_by"))
    )
    for recording in playable:
        recording.may_manage = policy.can(user, "recording.manage", recording)
    hidden = MeetingRecording.objects.filter(meeting=meeting).count() - len(playable)
    context = {
        "meeting": meeting,
        "panel": meeting.panel,
        "when": services.when(meeting),
        "form": form,
        "recordings": playable,
        "hidden": hidden,
    }
    return render(request, "meetings/live/recordings.html", context, status=status)


@require_GET
def play(request, pk):
    """In the page's <audio> element: inline, with ranges, so it can seek."""
    recording = _recording(request, pk)
    response, byte_range = file_response(request, recording, inline=True)
    if response.status_code != 416:
        audio.record_listening(request.user, recording, inline=True, byte_range=byte_range)
    return response


@require_GET
def download(request, pk):
    recording = _recording(request, pk)
    response, byte_range = file_response(request, recording, inline=False)
    if response.status_code != 416:
        audio.record_listening(request.user, recording, inline=False, byte_range=byte_range)
    return response


@require_http_methods(["GET", "POST"])
def listeners(request, pk):
    recording = _recording(request, pk)
    policy.require(request.user, "recording.manage", recording)
    people = audio.listener_choices(recording).select_related("organisation")
    total, not_on = audio.cases_not_on(recording, people)
    initial = {"listeners": list(recording.listeners.values_list("pk", flat=True))}
    form = ListenersForm(request.POST or None, people=people, initial=initial, cases_total=total, not_on=not_on)
    if request.method == "POST" and form.is_valid():
        try:
            audio.do_set_listeners(request.user, recording, [u.pk for u in form.cleaned_data["listeners"]])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("listeners", message)
        else:
            messages.success(request, "Who may listen is saved.")
            return redirect("meetings:recordings", recording.meeting_id)
    meeting = recording.meeting
    context = {"meeting": meeting, "panel": meeting.panel, "when": services.when(meeting), "recording": recording,
               "form": form}  # fmt: skip
    return render(request, "meetings/live/listeners.html", context)
