"""Fictional meetings demo (see core/management/commands/load_demo.py).

For the Northshire Channel Panel (made by the panels demo) and a Behaviour Support –
secondary panel made here: a past meeting (closed, minutes approved, attendance, an
action each) and an upcoming one with a published agenda proposed the way the agenda
builder proposes it, plus a pre-meeting update. The Behaviour panel also gets a school
visit with an action.

Past meetings are written straight to the models (the services refuse dates in the past,
as they should for people); every record is audited as "load_demo". Idempotent: a
panel that already has meetings is left alone, and so is a panel with a visit."""

from datetime import time, timedelta

from django.utils import timezone

from roundtable.audit.services import record
from roundtable.meetings import services
from roundtable.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Meeting,
    Minutes,
    PanelCase,
    PreMeetingUpdate,
    SchoolVisit,
)
from roundtable.panels.models import Panel
from roundtable.tasks.models import Task

BEHAVIOUR_PANEL = "Northshire Behaviour Support Panel – secondary"
BEHAVIOUR_CASES = ("Behaviour support panel referral", "Referral from Millford Academy")
MINUTES = (
    "Present: the panel members listed. Apologies: as recorded.\n\n"
    "Each case on the agenda was reviewed in turn; decisions and actions are recorded against each item. "
    "Actions are tasks in Roundtable and will be followed up at the next meeting."
)


def _behaviour_panel(context: dict) -> Panel:
    users = context["users"]
    panel = Panel.objects.filter(area=context["area"], name=BEHAVIOUR_PANEL).first()
    if panel is None:
        panel = Panel.objects.create(
            name=BEHAVIOUR_PANEL, kind=Panel.Kind.BEHAVIOUR_SECONDARY, area=context["area"], chair=users["chair"]
        )
        panel.administrators.set([users["paneladmin"]])
        panel.members.set([users[key] for key in ("teacher", "practitioner", "police") if key in users])
        record(None, "panel.created", panel, actor_label="load_demo", kind=panel.kind)
    for title in BEHAVIOUR_CASES:
        case = (context.get("cases") or {}).get(title)
        if case is not None and not PanelCase.objects.filter(panel=panel, case=case).exists():
            PanelCase.objects.create(panel=panel, case=case, added_by=users["paneladmin"])
            record(None, "panel.case_added", panel, actor_label="load_demo", case_id=case.pk)
    context.setdefault("panels", {})[BEHAVIOUR_PANEL] = panel
    return panel


def _at(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(timezone.datetime.combine(day, time(hour, 0)))


def _meeting(panel: Panel, creator, starts_at, status: str, place: str) -> Meeting:
    meeting = Meeting.objects.create(
        panel=panel,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place=place,
        video_link="https://video.example.invalid/northshire-panel",
        status=status,
        created_by=creator,
    )
    record(None, "meeting.created", meeting, actor_label="load_demo", panel=panel.pk)
    return meeting


def _past_meeting(panel: Panel, users: dict, cases: list) -> Meeting:
    admin = users["paneladmin"]
    meeting = _meeting(panel, admin, _at(-28, 10), Meeting.Status.MINUTES_APPROVED, "Committee Room 2, County Hall")
    Meeting.objects.filter(pk=meeting.pk).update(
        agenda_published_at=meeting.starts_at - timedelta(days=7),
        agenda_published_by=admin,
        invitation_sequence=1,
        started_at=meeting.starts_at,
        closed_at=meeting.starts_at + timedelta(hours=2),
    )
    for position, case in enumerate(cases, start=1):
        item = AgendaItem.objects.create(
            meeting=meeting,
            case=case,
            kind=AgendaItem.Kind.REVIEW,
            position=position,
            lead=case.owner,
            minutes_text="Partners shared their involvement; progress is steady.",
            decision="Keep open and review at the next meeting",
            decision_reasons="Support is working but is not yet complete.",
            discussed_at=meeting.starts_at + timedelta(minutes=20 * position),
            added_by=admin,
        )
        task = Task.objects.create(
            case=case,
            title="Update the panel on attendance and engagement",
            assignee=case.owner,
            created_by=admin if case.memberships.filter(user=admin).exists() else case.owner,
            due_date=timezone.localdate() - timedelta(days=3 * position),
        )
        Action.objects.create(item=item, task=task)
    people = list(services.people_of(meeting))
    for index, person in enumerate(people):
        status = Attendance.Status.APOLOGIES if index == len(people) - 1 else Attendance.Status.PRESENT
        Attendance.objects.create(
            meeting=meeting, user=person, status=status, organisation_label=person.organisation.name, recorded_by=admin
        )
    Minutes.objects.create(
        meeting=meeting,
        status=Minutes.Status.APPROVED,
        text=MINUTES,
        approved_by=panel.chair,
        approved_at=meeting.starts_at + timedelta(days=2),
    )
    record(None, "meeting.minutes_approved", meeting, actor_label="load_demo")
    return meeting


def _upcoming_meeting(panel: Panel, users: dict) -> Meeting:
    admin = users["paneladmin"]
    meeting = _meeting(panel, admin, _at(9, 10), Meeting.Status.PLANNED, "Committee Room 2, County Hall")
    for proposal in services.proposals(meeting):
        AgendaItem.objects.create(
            meeting=meeting,
            case=proposal.case,
            kind=proposal.kind,
            position=services._next_position(meeting),
            proposed=True,
            lead=proposal.case.owner,
            added_by=admin,
        )
    AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaItem.Kind.OTHER_BUSINESS,
        title="Dates of next year's meetings",
        position=services._next_position(meeting),
        added_by=admin,
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        agenda_published_at=timezone.now() - timedelta(days=1), agenda_published_by=admin, invitation_sequence=1
    )
    record(None, "meeting.agenda_published", meeting, actor_label="load_demo")
    first = meeting.items.filter(case__isnull=False).order_by("position").first()
    practitioner = users.get("practitioner")
    if first is not None and practitioner is not None:
        PreMeetingUpdate.objects.create(
            item=first,
            organisation=practitioner.organisation,
            author=practitioner,
            status=PreMeetingUpdate.Status.OPEN,
            stage="Open to the mental health team; on the waiting list for an assessment",
        )
    return meeting


def _visit(panel: Panel, context: dict) -> None:
    if panel.school_visits.exists():
        return
    school = context["organisations"].get("Millford Academy")
    case = (context.get("cases") or {}).get("Behaviour support panel referral")
    if school is None or case is None:
        return
    visit = SchoolVisit.objects.create(
        panel=panel,
        school=school,
        date=timezone.localdate() - timedelta(days=6),
        slot_start=time(9, 0),
        slot_end=time(11, 0),
        work_done="Observed two lessons and met the head of year. Agreed a reduced timetable for two weeks.",
        recorded_by=case.owner,
    )
    visit.cases.set([case])
    task = Task.objects.create(
        case=case,
        title="Send the reduced timetable to the family",
        assignee=case.owner,
        created_by=case.owner,
        due_date=timezone.localdate() + timedelta(days=2),
    )
    Action.objects.create(visit=visit, task=task)
    record(None, "visit.recorded", visit, actor_label="load_demo", case_id=case.pk)


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent)."""
    users = context["users"]
    if any(key not in users for key in ("chair", "paneladmin")):
        return
    panels = []
    channel = (context.get("panels") or {}).get("Northshire Channel Panel")
    if channel is not None:
        panels.append(channel)
    behaviour = _behaviour_panel(context)
    panels.append(behaviour)
    for panel in panels:
        if panel.meetings.exists():
            continue
        caseload = list(services.caseload(panel).select_related("owner").order_by("pk")[:2])
        _past_meeting(panel, users, caseload)
        _upcoming_meeting(panel, users)
    _visit(behaviour, context)
