"""The meeting's audio recording: streamed in as the documents feature does (never held in
memory: documents/uploads.py), judged by its content (documents/sniffing.py: audio only),
played and sought in the page with HTTP ranges (documents/streaming.py).

Who may listen is the chair's decision: the chair and whoever uploaded it always may;
anyone else of the meeting only once the chair puts them on the recording's allowed
listeners. Every play and download is audited: a download every time; playback once per
play — the request that starts at the beginning of the file — and, because every seek is
another range request, further ranges at most once per listener and recording in
``SEEK_AUDIT_WINDOW_SECONDS``.
"""

import hashlib
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.documents.sniffing import ALLOWED_SENTENCE, FileTypeProblem, check_upload, sniff
from roundtable.documents.uploads import max_bytes, too_large_message
from roundtable.meetings.models import Meeting, MeetingRecording

SEEK_AUDIT_WINDOW_SECONDS = 30 * 60
ONLY_AUDIO = "Only audio recordings (MP3, M4A, WAV or Ogg) can be attached to a meeting."


def _sha256_of(file: File) -> str:
    digest = getattr(file, "sha256", None)
    if digest:
        return digest  # computed by LimitedUploadHandler while the upload streamed in
    hasher = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        hasher.update(chunk)
    file.seek(0)
    return hasher.hexdigest()


def do_upload_recording(actor, meeting: Meeting, *, file: File, title: str = "") -> MeetingRecording:
    """Check, store and record one audio file (seekable: the upload handler's temporary file)."""
    policy.permit(actor, "recording.upload", meeting)
    name = (file.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    if file.size is not None and file.size > max_bytes():
        raise ValidationError({"file": too_large_message(name)})
    if not file.size:
        raise ValidationError({"file": f"{name} is empty. Choose a recording that has something in it."})
    sniffed = sniff(file)
    if sniffed.kind is not None and sniffed.kind.category != "audio":
        raise ValidationError({"file": f"{name} is {sniffed.kind.label}, not an audio recording. {ONLY_AUDIO}"})
    try:
        kind = check_upload(name, file)
    except FileTypeProblem as problem:
        raise ValidationError({"file": str(problem).replace(ALLOWED_SENTENCE, ONLY_AUDIO)}) from None
    if kind.category != "audio":
        raise ValidationError({"file": f"{name} is {kind.label}, not an audio recording. {ONLY_AUDIO}"})
    recording = MeetingRecording(
        meeting=meeting,
        title=(title.strip() or name.rsplit(".", 1)[0] or name)[:200],
        original_name=name,
        content_type=kind.mime,
        size=file.size,
        sha256=_sha256_of(file),
        uploaded_by=actor,
    )
    file.seek(0)
    # A random stored name: nothing the uploader typed ends up in a path or object key.
    recording.file.save(f"{uuid.uuid4().hex}.{kind.extensions[0]}", file, save=False)
    try:
        with transaction.atomic():
            recording.save()
            record(
                actor,
                "meeting.recording_uploaded",
                meeting,
                recording=recording.pk,
                content_type=kind.mime,
                size=recording.size,
                sha256=recording.sha256,
            )
    except Exception:
        recording.file.storage.delete(recording.file.name)  # no orphan file for a row that never was
        raise
    return recording


def listener_choices(recording: MeetingRecording):
    """The people of the meeting the chair may allow (not the chair: the chair always may)."""
    from roundtable.meetings.services import people_of

    return people_of(recording.meeting).exclude(pk=recording.meeting.panel.chair_id)


def cases_not_on(recording: MeetingRecording, people) -> tuple[int, dict[int, int]]:
    """How many cases the meeting discussed, and for each of ``people`` how many of them
    they are not a member of — what the chair weighs before letting them listen, since the
    recording covers every item."""
    from roundtable.cases.models import CaseMembership

    case_ids = set(recording.meeting.items.filter(case__isnull=False).values_list("case_id", flat=True))
    ids = [person.pk for person in people]
    on = {}
    for user_id, case_id in CaseMembership.objects.filter(case_id__in=case_ids, user_id__in=ids).values_list(
        "user_id", "case_id"
    ):
        on.setdefault(user_id, set()).add(case_id)
    return len(case_ids), {pk: len(case_ids - on.get(pk, set())) for pk in ids}


@transaction.atomic
def do_set_listeners(actor, recording: MeetingRecording, user_ids: Iterable[int]) -> list[int]:
    policy.permit(actor, "recording.manage", recording)
    wanted = {int(pk) for pk in user_ids}
    allowed = set(listener_choices(recording).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise ValidationError({"listeners": "Choose people of this meeting"})
    before = sorted(recording.listeners.values_list("pk", flat=True))
    recording.listeners.set(sorted(allowed))
    MeetingRecording.objects.filter(pk=recording.pk).update(version=F("version") + 1)
    record(
        actor,
        "meeting.recording_listeners_changed",
        recording.meeting,
        recording=recording.pk,
        before=before,
        after=sorted(allowed),
    )
    return sorted(allowed)


def record_listening(actor, recording: MeetingRecording, *, inline: bool, byte_range) -> None:
    """Audit a download (always) or playback (each play; seeks at most once per window)."""
    details = {"recording": recording.pk, "range": f"{byte_range[0]}-{byte_range[1]}" if byte_range else "all"}
    if not inline:
        action = "meeting.recording_downloaded"
    elif byte_range is None or byte_range[0] == 0:
        action = "meeting.recording_played"
    else:
        if not cache.add(f"meetings:recording-seek:{actor.pk}:{recording.pk}", True, SEEK_AUDIT_WINDOW_SECONDS):
            return
        action = "meeting.recording_sought"
    with transaction.atomic():
        record(actor, action, recording.meeting, **details)
