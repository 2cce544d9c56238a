"""The live meeting: who follows it, who drives it, who records in the room, who reads and
approves the minutes, and who may listen to the audio recording.

- Follow (the meeting page on a member's own device, and its live socket): the people of
  the meeting — its panel's chair, administrators and standing members, and its invitees.
  Following shows an item's case only to those who may see that case (the agenda items
  scope in meetings.py); everyone else sees "Item N – restricted to members of the case".
- Drive (start, move between items, close): the chair, or an administrator at the keyboard
  of the projected screen.
- Record (minutes, decision, actions on an item): the chair and administrators, while the
  meeting is in session or closed with its minutes still a draft; on a case item only while
  they may read the case (minutes are case content). Actions are tasks: the task rules
  still decide whom they may be set for (tasks.py: case owners and contributors).
- Minutes: the draft is for the chair and administrators; approved minutes are for the
  people of the meeting, each item only for those who may see its case (see minutes.py).
  Administrators may edit the draft text; only the chair approves.
- Audio: uploaded by the chair and administrators once the meeting has started; played or
  downloaded by the chair, by whoever uploaded it, and by the people the chair allows.
"""

from django.db.models import Exists, OuterRef, Q

from roundtable.access import policy
from roundtable.access.policy import rule, scope
from roundtable.access.rules.meetings import is_person_of, meetings, runs_panel

RECORDING_STATUSES = ("in_session", "closed")


def _status(meeting) -> str:
    return meeting.status


# --- Following and driving ----------------------------------------------------------------
@rule("meeting.follow")
def follow(user, meeting):
    return is_person_of(user, meeting)


@rule("meeting.see_item")
def see_item(user, item):
    """One agenda item, decided as the agenda items scope (meetings.py) decides it for a
    queryset, without building that scope's subqueries (the live screen asks on every move,
    for every follower): the meeting's runners see every item; the other people of the
    meeting see items once the agenda is published — other business always, a case item
    while they may see its case. tests/meetings/test_live.py proves the two agree."""
    meeting = item.meeting
    if runs_panel(user, meeting.panel):
        return True
    if meeting.agenda_published_at is None or not is_person_of(user, meeting):
        return False
    return item.case_id is None or policy.can(user, "case.view", item.case)


@rule("meeting.drive")
def drive(user, meeting):
    return _status(meeting) in ("planned", "in_session") and runs_panel(user, meeting.panel)


# --- Recording in the room -----------------------------------------------------------------
def _minutes_open(meeting) -> bool:
    from roundtable.meetings.models import Minutes

    if _status(meeting) not in RECORDING_STATUSES:
        return False
    return not Minutes.objects.filter(meeting_id=meeting.pk, status=Minutes.Status.APPROVED).exists()


@rule("meeting.record")
def record_item(user, item):
    meeting = item.meeting
    if not runs_panel(user, meeting.panel) or not _minutes_open(meeting):
        return False
    return item.case_id is None or policy.can(user, "case.view", item.case)


# --- Minutes ---------------------------------------------------------------------------------
def _approved(meeting) -> bool:
    from roundtable.meetings.models import Minutes

    return Minutes.objects.filter(meeting_id=meeting.pk, status=Minutes.Status.APPROVED).exists()


@rule("minutes.view")
def view_minutes(user, meeting):
    if runs_panel(user, meeting.panel):
        return _status(meeting) in ("closed", "minutes_approved")
    return _approved(meeting) and is_person_of(user, meeting)


@rule("minutes.edit")
def edit_minutes(user, meeting):
    return _status(meeting) == "closed" and runs_panel(user, meeting.panel) and not _approved(meeting)


@rule("minutes.approve")
def approve_minutes(user, meeting):
    return _status(meeting) == "closed" and meeting.panel.chair_id == user.pk and not _approved(meeting)


# --- Audio recordings -----------------------------------------------------------------------------
@scope("meetings.meetingrecording")
def recordings(user, qs):
    """Recordings the user may play: the chair's, the uploader's, the allowed listeners'."""
    from roundtable.meetings.models import Meeting, MeetingRecording

    listening = MeetingRecording.listeners.through.objects.filter(meetingrecording_id=OuterRef("pk"), user_id=user.pk)
    mine = Q(meeting__panel__chair_id=user.pk) | Q(uploaded_by_id=user.pk) | Q(Exists(listening))
    return qs.filter(meeting__in=meetings(user, Meeting.objects.all()).values("pk")).filter(mine)


@rule("recording.upload")
def upload_recording(user, meeting):
    return _status(meeting) != "planned" and runs_panel(user, meeting.panel)


@rule("recording.listen")
def listen(user, recording):
    return recordings(user, type(recording).objects.filter(pk=recording.pk)).exists()


@rule("recording.manage")
def manage_recording(user, recording):
    """Who may listen: the chair of the meeting's panel decides."""
    return recording.meeting.panel.chair_id == user.pk
