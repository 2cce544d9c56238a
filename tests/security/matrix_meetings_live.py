"""Permission matrix rows for the live meeting, its minutes and its audio (see matrix.py).

The world gets a Channel panel in our area: the panel chair chairs it, the panel
administrator administers it and the practitioner is a standing member. Three meetings:
one in session (agenda published) with a Channel case waiting for its panel decision on
screen and an item of other business; one closed with draft minutes; one with approved
minutes. The administrator and the practitioner are contributors on the case (so actions
can be set for them). An audio recording of the meeting in session, uploaded by the
administrator, which the chair has allowed the practitioner to hear.

Following, the minutes once approved and the recording: the people of the meeting.
Driving and recording: the chair and the administrator. The panel decision on a Channel
case, approving minutes and choosing listeners: the chair alone. Everyone else gets 404.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from roundtable.cases.models import CaseMembership
from roundtable.channel.models import AgeGroup, ChannelCase
from roundtable.documents.samples import tone_wav
from roundtable.meetings.minutes import assemble
from roundtable.meetings.models import Meeting, MeetingRecording, Minutes
from tests.factories import CaseFactory
from tests.meetings.factories import ItemFactory, MeetingFactory, publish
from tests.panels.factories import PanelFactory
from tests.security.rows import Row, roles

MEDIA = Path(tempfile.gettempdir()) / "roundtable-matrix-media"
RUNNERS = roles("panel_chair", "panel_admin")
PEOPLE = roles("panel_chair", "panel_admin", "practitioner")
CHAIR = roles("panel_chair")


def build(world):
    from django.conf import settings

    media = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA}}
    override_settings(STORAGES={**settings.STORAGES, "default": media}).enable()
    chair, admin, member = world["panel_chair"], world["panel_admin"], world["practitioner"]
    area = world["organisation"].area
    panel = PanelFactory(area=area, name="Matrix Live Channel Panel", chair=chair, administrators=[admin],
                         members=[member])  # fmt: skip
    case = CaseFactory(owner=chair, area=area, members=[admin, member])
    ChannelCase.objects.create(case=case, panel=panel, state="awaiting_panel", age_group=AgeGroup.ADULT)
    assert CaseMembership.objects.filter(case=case).count() == 3

    live_meeting = MeetingFactory(panel=panel)
    case_item = ItemFactory(meeting=live_meeting, case=case, kind="new_referral", position=1, added_by=chair)
    other_item = ItemFactory(meeting=live_meeting, kind="other_business", title="Dates", position=2, added_by=chair)
    publish(live_meeting)
    Meeting.objects.filter(pk=live_meeting.pk).update(
        status=Meeting.Status.IN_SESSION, started_at=timezone.now(), current_item=case_item
    )

    closed = MeetingFactory(panel=panel, starts_at=timezone.now() - timedelta(days=1))
    ItemFactory(meeting=closed, case=case, kind="review", added_by=chair)
    Meeting.objects.filter(pk=closed.pk).update(status=Meeting.Status.CLOSED, closed_at=timezone.now())
    closed.refresh_from_db()
    Minutes.objects.create(meeting=closed, structured=assemble(closed))

    approved = MeetingFactory(panel=panel, starts_at=timezone.now() - timedelta(days=30))
    ItemFactory(meeting=approved, case=case, kind="review", added_by=chair)
    Meeting.objects.filter(pk=approved.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    approved.refresh_from_db()
    Minutes.objects.create(meeting=approved, structured=assemble(approved), status=Minutes.Status.APPROVED,
                           approved_by=chair, approved_at=timezone.now())  # fmt: skip

    wav = tone_wav(0.05)
    recording = MeetingRecording(
        meeting=live_meeting, title="Morning", original_name="meeting.wav", content_type="audio/wav",
        size=len(wav), sha256="0" * 64, uploaded_by=admin,
    )  # fmt: skip
    recording.file.name = "meetings/matrix/meeting.wav"
    if not recording.file.storage.exists(recording.file.name):
        recording.file.storage.save(recording.file.name, ContentFile(wav))
    recording.save()
    recording.listeners.set([member])
    world.update(
        live_meeting=live_meeting,
        live_case_item=case_item,
        live_other_item=other_item,
        closed_meeting=closed,
        approved_meeting=approved,
        live_recording=recording,
    )


def live(world):
    return {"pk": world["live_meeting"].pk}


def case_item(world):
    return {"pk": world["live_case_item"].pk}


def other_item(world):
    return {"pk": world["live_other_item"].pk}


def closed(world):
    return {"pk": world["closed_meeting"].pk}


def approved(world):
    return {"pk": world["approved_meeting"].pk}


def recording(world):
    return {"pk": world["live_recording"].pk}


def _due(world):
    due = timezone.localdate() + timedelta(days=7)
    return {"title": "Visit", "assignee": world["practitioner"].pk, "due_day": due.day, "due_month": due.month,
            "due_year": due.year}  # fmt: skip


ROWS: dict[str, Row] = {
    # --- the meeting mode -------------------------------------------------------------------------------------
    "meetings:live": Row(PEOPLE, kwargs=live),
    "meetings:present": Row(PEOPLE, kwargs=live),
    "meetings:live_stage": Row(PEOPLE, kwargs=live),
    "meetings:live_item": Row(PEOPLE, kwargs=lambda w: {"pk": w["live_meeting"].pk, "item_pk": w["live_case_item"].pk}),
    "meetings:live_control": Row(RUNNERS, method="POST", ok=302, kwargs=live, data=lambda w: {"action": "next"}),
    # --- recording in the room ----------------------------------------------------------------------------------
    "meetings:record": Row(RUNNERS, kwargs=case_item),
    "meetings:record_minutes": Row(
        RUNNERS,
        method="POST",
        ok=302,
        kwargs=case_item,
        data=lambda w: {"minutes_text": "Discussed.", "version": 1, "original": ""},
    ),  # fmt: skip
    "meetings:record_decision": Row(
        RUNNERS,
        method="POST",
        ok=302,
        kwargs=other_item,
        data=lambda w: {"decision": "Agreed", "decision_reasons": "Everyone agreed", "version": 1},
    ),  # fmt: skip
    "meetings:record_transition": Row(
        CHAIR,
        method="POST",
        ok=302,
        kwargs=case_item,
        data=lambda w: {"transition": "decide_adopt", "reasons": "Vulnerable; agrees to talk."},
    ),  # fmt: skip
    "meetings:record_action": Row(RUNNERS, method="POST", ok=302, kwargs=case_item, data=_due),
    # --- minutes -------------------------------------------------------------------------------------------------
    "meetings:minutes": Row(PEOPLE, kwargs=approved),
    "meetings:minutes_pdf": Row(PEOPLE, kwargs=approved),
    "meetings:minutes_edit": Row(RUNNERS, kwargs=closed),
    "meetings:minutes_approve": Row(CHAIR, method="POST", ok=302, kwargs=closed, data=lambda w: {"version": 1}),
    # --- audio -----------------------------------------------------------------------------------------------------
    "meetings:recordings": Row(PEOPLE, kwargs=live),
    "meetings:recording_play": Row(PEOPLE, kwargs=recording),
    "meetings:recording_download": Row(PEOPLE, kwargs=recording),
    "meetings:recording_listeners": Row(CHAIR, kwargs=recording),
    # --- API ---------------------------------------------------------------------------------------------------
    "api:meeting_live": Row(PEOPLE, api=True, anonymous=401, kwargs=lambda w: {"meeting_id": w["live_meeting"].pk}),
    "api:meeting_move": Row(
        RUNNERS,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"meeting_id": w["live_meeting"].pk},
        data=lambda w: {"to": "next"},
    ),  # fmt: skip
    "api:record_item_minutes": Row(
        RUNNERS,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"item_id": w["live_case_item"].pk},
        data=lambda w: {"version": 1, "text": "Discussed."},
    ),  # fmt: skip
    "api:record_item_decision": Row(
        RUNNERS,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"item_id": w["live_other_item"].pk},
        data=lambda w: {"version": 1, "decision": "Agreed", "reasons": "Everyone agreed"},
    ),  # fmt: skip
    "api:record_item_transition": Row(
        CHAIR,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"item_id": w["live_case_item"].pk},
        data=lambda w: {"transition": "decide_adopt", "reasons": "Vulnerable; agrees to talk."},
    ),  # fmt: skip
    "api:record_item_action": Row(
        RUNNERS,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=lambda w: {"item_id": w["live_case_item"].pk},
        data=lambda w: {
            "title": "Visit",
            "assignee_id": w["practitioner"].pk,
            "due_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    ),  # fmt: skip
    "api:meeting_minutes": Row(
        PEOPLE, api=True, anonymous=401, kwargs=lambda w: {"meeting_id": w["approved_meeting"].pk}
    ),
    "api:approve_minutes": Row(
        CHAIR,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"meeting_id": w["closed_meeting"].pk},
        data=lambda w: {"version": 1, "fingerprint": _fingerprint(w)},
    ),  # fmt: skip
}


def _fingerprint(world) -> str:
    """What the chair reads on the closed meeting's draft minutes (approving it is allowed)."""
    from roundtable.meetings.minutes import minutes_for

    minutes = Minutes.objects.select_related("meeting__panel").get(meeting=world["closed_meeting"])
    return minutes_for(world["panel_chair"], minutes).fingerprint
