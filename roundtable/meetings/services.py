"""What people can do with panel meetings. Each ``do_<verb>_<noun>`` checks the access
policy, changes data in one transaction and records audit there; e-mails go out after
commit from a background job (jobs.py) and carry a link (and a calendar file) only.

Reading helpers (``proposals``, ``update_summaries``, ``follow_up``…) read through the
access policy too, so a page built from them never shows more than its reader may see.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from roundtable.access import policy
from roundtable.access.rules.meetings import forget
from roundtable.accounts.models import Organisation, Sector, User
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.core.conflicts import save_if_unchanged
from roundtable.meetings import jobs
from roundtable.meetings.models import (
    MAX_PEOPLE,
    VISIT_DEFAULT_HOURS,
    Action,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingInvitee,
    PanelCase,
    PreMeetingUpdate,
    SchoolVisit,
)
from roundtable.notifications.services import notify
from roundtable.panels.models import Panel
from roundtable.panels.services import people_of_area
from roundtable.tasks.models import Task
from roundtable.tasks.services import do_create_task

Status = Meeting.Status
Kind = AgendaItem.Kind
MAX_SLOT_MINUTES = 480


def _case_ids(case: Case | None) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id} if case is not None else {}


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def when(meeting: Meeting) -> str:
    """ "3 March 2026 at 10:00" in Europe/London."""
    local = timezone.localtime(meeting.starts_at)
    return f"{date_format(local, 'j F Y')} at {local:%H:%M}"


def _require_planned(meeting: Meeting, doing: str) -> None:
    if meeting.status != Status.PLANNED:
        raise ValidationError(f"You cannot {doing}: the meeting is {meeting.get_status_display().lower()}")


# --- The people of a meeting ------------------------------------------------------------------
def people_of(meeting: Meeting) -> QuerySet:
    """Everyone a meeting is for: the panel's chair, administrators and standing members, and its invitees."""
    panel = meeting.panel
    return (
        User.objects.filter(
            Q(pk=panel.chair_id)
            | Q(pk__in=Panel.administrators.through.objects.filter(panel_id=panel.pk).values("user_id"))
            | Q(pk__in=Panel.members.through.objects.filter(panel_id=panel.pk).values("user_id"))
            | Q(pk__in=meeting.invitees.values("user_id"))
        )
        .filter(is_active=True)
        .select_related("organisation")
        .order_by("full_name")
    )


def _head_count(meeting: Meeting, extra: int = 0) -> int:
    members = set(meeting.panel.members.values_list("pk", flat=True))
    invitees = set(meeting.invitees.values_list("user_id", flat=True))
    return len(members | invitees) + extra


def _check_head_count(meeting: Meeting, extra: int) -> None:
    count = _head_count(meeting, extra)
    if count > MAX_PEOPLE:
        raise ValidationError(
            {
                "user": f"A meeting can have at most {MAX_PEOPLE} members and invitees together; "
                f"inviting this person would make {count}"
            }
        )


@transaction.atomic
def do_invite(actor, meeting: Meeting, user: User) -> MeetingInvitee:
    """Invite someone to this one meeting. If the agenda is already out, they get it too."""
    policy.permit(actor, "meeting.manage", meeting)
    if meeting.is_closed:
        raise ValidationError({"user": "You cannot invite anyone: the meeting is over"})
    if not people_of_area(meeting.panel.area).filter(pk=user.pk).exists():
        raise ValidationError({"user": f"Choose someone from an organisation in {meeting.panel.area.name}"})
    if people_of(meeting).filter(pk=user.pk).exists():
        raise ValidationError({"user": f"{user.full_name} is already on the panel or invited"})
    _check_head_count(meeting, 1)
    invitee = MeetingInvitee.objects.create(meeting=meeting, user=user, invited_by=actor)
    record(actor, "meeting.invited", meeting, user=user.pk)
    notify(user, "You have been invited to a panel meeting", meeting_url(meeting), email=False)
    if meeting.is_published:
        _send_invitations(meeting, [user.pk])
    forget(user)
    return invitee


@transaction.atomic
def do_uninvite(actor, invitee: MeetingInvitee) -> None:
    meeting = invitee.meeting
    policy.permit(actor, "meeting.manage", meeting)
    if meeting.is_closed:
        raise ValidationError("You cannot change who is invited: the meeting is over")
    record(actor, "meeting.uninvited", meeting, user=invitee.user_id)
    invitee.delete()
    forget(invitee.user)


# --- Scheduling --------------------------------------------------------------------------------
def _check_times(starts_at: datetime, ends_at: datetime | None, place: str, video_link: str) -> dict:
    errors = {}
    if starts_at is None:
        errors["starts_at"] = "Enter when the meeting starts"
    elif starts_at <= timezone.now():
        errors["starts_at"] = "The meeting must start in the future"
    if ends_at is not None and starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The meeting must end after it starts"
    if ends_at is not None and starts_at is not None and ends_at - starts_at > timedelta(hours=12):
        errors["ends_at"] = "A meeting can last at most 12 hours"
    if not place.strip() and not video_link.strip():
        errors["place"] = "Enter a place or a video link (or both)"
    if video_link and not video_link.strip().lower().startswith("https://"):
        errors["video_link"] = "The video link must start with https://"
    return errors


@transaction.atomic
def do_create_meeting(
    actor,
    panel: Panel,
    *,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str = "",
    video_link: str = "",
) -> Meeting:
    policy.permit(actor, "meeting.create", panel)
    errors = _check_times(starts_at, ends_at, place, video_link)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        panel=panel,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        video_link=video_link.strip(),
        created_by=actor,
    )
    record(actor, "meeting.created", meeting, panel=panel.pk, starts_at=starts_at.isoformat())
    return meeting


@transaction.atomic
def do_update_meeting(
    actor,
    meeting: Meeting,
    expected_version: int,
    *,
    starts_at: datetime,
    ends_at: datetime | None,
    place: str,
    video_link: str,
) -> Meeting:
    """Change when and where. Raises EditConflict if someone saved first. If the agenda is
    already out and the time or place changed, everyone gets an updated invitation."""
    policy.permit(actor, "meeting.manage", meeting)
    _require_planned(meeting, "change the meeting")
    errors = _check_times(starts_at, ends_at, place, video_link)
    if errors:
        raise ValidationError(errors)
    changes = {"starts_at": starts_at, "ends_at": ends_at, "place": place.strip(), "video_link": video_link.strip()}
    changed = sorted(name for name, value in changes.items() if getattr(meeting, name) != value)
    if meeting.is_published and changed:
        changes["invitation_sequence"] = meeting.invitation_sequence + 1
    updated = save_if_unchanged(meeting, expected_version, changes)
    record(actor, "meeting.updated", updated, fields=changed)
    if meeting.is_published and changed:
        _send_invitations(updated, list(people_of(updated).values_list("pk", flat=True)), updated=True)
    return updated


# --- Which cases a panel reviews ----------------------------------------------------------------
def channel_panel_states() -> tuple[str, ...]:
    """The Channel states in which a case is the panel's business: waiting for a hearing,
    adopted, in support, exit recommended (before that it is with the police or the local
    authority; after, it is closed)."""
    from roundtable.channel.workflow import ADOPTED, AWAITING_PANEL, EXIT_RECOMMENDED, IN_SUPPORT

    return (AWAITING_PANEL, ADOPTED, IN_SUPPORT, EXIT_RECOMMENDED)


def caseload(panel: Panel) -> QuerySet:
    """The open cases this panel keeps under review (see models.py for how a case belongs)."""
    if panel.is_channel:
        from roundtable.channel.models import ChannelCase

        ids = ChannelCase.objects.filter(panel=panel, state__in=channel_panel_states()).values("case_id")
        return Case.objects.filter(pk__in=ids)
    ids = PanelCase.objects.filter(panel=panel, ended_at__isnull=True).values("case_id")
    return Case.objects.filter(pk__in=ids).exclude(state=Case.State.CLOSED)


@transaction.atomic
def do_add_panel_case(actor, panel: Panel, case: Case) -> PanelCase:
    """Put a case the actor can see on a (non-Channel) panel's caseload."""
    policy.permit(actor, "panelcase.manage", panel)
    if not policy.can(actor, "case.view", case):
        raise ValidationError({"reference": "There is no case with that reference that you can see"})
    if case.area_id != panel.area_id:
        raise ValidationError({"reference": f"That case is in another area: choose a case in {panel.area.name}"})
    if case.state == Case.State.CLOSED:
        raise ValidationError({"reference": f"Case {case.reference} is closed"})
    if PanelCase.objects.filter(panel=panel, case=case, ended_at__isnull=True).exists():
        raise ValidationError({"reference": f"Case {case.reference} is already reviewed by this panel"})
    link = PanelCase.objects.create(panel=panel, case=case, added_by=actor)
    record(actor, "panel.case_added", panel, **_case_ids(case))
    return link


@transaction.atomic
def do_end_panel_case(actor, link: PanelCase) -> PanelCase:
    policy.permit(actor, "panelcase.manage", link.panel)
    if link.ended_at is not None:
        raise ValidationError("The panel already stopped reviewing this case")
    link.ended_at, link.ended_by = timezone.now(), actor
    link.save(update_fields=["ended_at", "ended_by"])
    record(actor, "panel.case_ended", link.panel, **_case_ids(link.case))
    return link


# --- Building the agenda ---------------------------------------------------------------------------
@dataclass
class Proposal:
    case: Case
    kind: str
    reason: str

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def _heard_before(panel: Panel, before: datetime) -> set[int]:
    return set(
        AgendaItem.objects.filter(meeting__panel=panel, meeting__starts_at__lt=before, case__isnull=False).values_list(
            "case_id", flat=True
        )
    )


def proposals(meeting: Meeting) -> list[Proposal]:
    """Cases the agenda should have and does not yet: new referrals waiting for a hearing
    first, then every open case due for review. For the meeting's runners only (the
    caller checks ``meeting.manage``): the panel's caseload is theirs to see."""
    panel = meeting.panel
    on_agenda = set(meeting.items.filter(case__isnull=False).values_list("case_id", flat=True))
    found: list[Proposal] = []
    if panel.is_channel:
        from roundtable.channel.models import ChannelCase
        from roundtable.channel.workflow import ADOPTED, AWAITING_PANEL, EXIT_RECOMMENDED, IN_SUPPORT

        review_states = (ADOPTED, IN_SUPPORT, EXIT_RECOMMENDED)
        channel_cases = (
            ChannelCase.objects.filter(panel=panel, state__in=(AWAITING_PANEL, *review_states))
            .exclude(case_id__in=on_agenda)
            .select_related("case", "case__person")
            .order_by("referred_at", "pk")
        )
        for channel_case in channel_cases:
            waiting = channel_case.state == AWAITING_PANEL
            found.append(
                Proposal(
                    channel_case.case,
                    Kind.NEW_REFERRAL if waiting else Kind.REVIEW,
                    channel_case.state_label,
                )
            )
    else:
        heard = _heard_before(panel, meeting.starts_at)
        for case in caseload(panel).exclude(pk__in=on_agenda).select_related("person").order_by("created_at", "pk"):
            if case.pk in heard:
                found.append(Proposal(case, Kind.REVIEW, "Open case: reviewed at every meeting"))
            else:
                found.append(Proposal(case, Kind.NEW_REFERRAL, "Not yet heard by this panel"))
    found.sort(key=lambda p: 0 if p.kind == Kind.NEW_REFERRAL else 1)
    return found


def _next_position(meeting: Meeting) -> int:
    return (meeting.items.aggregate(top=Max("position"))["top"] or 0) + 1


def _check_case_for_agenda(actor, meeting: Meeting, case: Case) -> None:
    """A case may go on the agenda if it is on the panel's caseload, or the actor can see it
    (publishing will let the meeting's people read it: only someone entitled may put it there)."""
    if case.area_id != meeting.panel.area_id:
        raise ValidationError(
            {"reference": f"That case is in another area: choose a case in {meeting.panel.area.name}"}
        )
    if not (caseload(meeting.panel).filter(pk=case.pk).exists() or policy.can(actor, "case.view", case)):
        raise ValidationError({"reference": "There is no case with that reference that you can see"})
    if meeting.items.filter(case=case).exists():
        raise ValidationError({"reference": f"Case {case.reference} is already on this agenda"})


@transaction.atomic
def do_add_case_item(actor, meeting: Meeting, case: Case, *, kind: str, proposed: bool = False) -> AgendaItem:
    policy.permit(actor, "meeting.manage", meeting)
    _require_planned(meeting, "change the agenda")
    if kind not in (Kind.NEW_REFERRAL, Kind.REVIEW):
        raise ValidationError({"kind": "Choose whether this is a new referral or a review"})
    _check_case_for_agenda(actor, meeting, case)
    item = AgendaItem.objects.create(
        meeting=meeting, case=case, kind=kind, position=_next_position(meeting), proposed=proposed, added_by=actor
    )
    if (
        not meeting.panel.is_channel
        and not PanelCase.objects.filter(panel=meeting.panel, case=case, ended_at__isnull=True).exists()
    ):
        # A case heard by a non-Channel panel is on its caseload from now on.
        PanelCase.objects.create(panel=meeting.panel, case=case, added_by=actor)
    record(actor, "meeting.item_added", meeting, item=item.pk, kind=kind, proposed=proposed, **_case_ids(case))
    return item


@transaction.atomic
def do_add_proposed_items(actor, meeting: Meeting, case_ids: list[int]) -> list[AgendaItem]:
    """Add the chosen proposals (all of them when ``case_ids`` is empty), in the proposed order."""
    policy.permit(actor, "meeting.manage", meeting)
    chosen = [p for p in proposals(meeting) if not case_ids or p.case.pk in set(case_ids)]
    if not chosen:
        raise ValidationError({"cases": "There is nothing proposed to add: every proposed case is on the agenda"})
    return [do_add_case_item(actor, meeting, p.case, kind=p.kind, proposed=True) for p in chosen]


@transaction.atomic
def do_add_other_business(actor, meeting: Meeting, *, title: str) -> AgendaItem:
    policy.permit(actor, "meeting.manage", meeting)
    _require_planned(meeting, "change the agenda")
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter what the item is about"})
    if len(title) > 200:
        raise ValidationError({"title": "The item's title must be 200 characters or fewer"})
    item = AgendaItem.objects.create(
        meeting=meeting, kind=Kind.OTHER_BUSINESS, title=title, position=_next_position(meeting), added_by=actor
    )
    record(actor, "meeting.item_added", meeting, item=item.pk, kind=Kind.OTHER_BUSINESS)
    return item


def _check_slot(meeting: Meeting, slot_start: time | None, slot_minutes: int | None) -> None:
    errors = {}
    if slot_minutes is not None and not 1 <= slot_minutes <= MAX_SLOT_MINUTES:
        errors["slot_minutes"] = f"The slot must be between 1 and {MAX_SLOT_MINUTES} minutes"
    if slot_start is not None:
        starts = timezone.localtime(meeting.starts_at).time()
        if slot_start < starts:
            errors["slot_start"] = f"The slot cannot start before the meeting does ({starts:%H:%M})"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_update_item(
    actor,
    item: AgendaItem,
    expected_version: int,
    *,
    lead: User | None,
    slot_start: time | None,
    slot_minutes: int | None,
    title: str | None = None,
    kind: str | None = None,
) -> AgendaItem:
    """Set an item's lead and time slot (and the title of other business, or whether a case
    item is a new referral or a review). Raises EditConflict if someone saved first."""
    meeting = item.meeting
    policy.permit(actor, "meeting.manage", meeting)
    if meeting.is_closed:
        raise ValidationError("You cannot change the agenda: the meeting is over")
    if lead is not None and not people_of(meeting).filter(pk=lead.pk).exists():
        raise ValidationError({"lead": "Choose someone on the panel or invited to this meeting"})
    _check_slot(meeting, slot_start, slot_minutes)
    changes = {"lead": lead, "slot_start": slot_start, "slot_minutes": slot_minutes}
    if item.case_id is None and title is not None:
        if not title.strip():
            raise ValidationError({"title": "Enter what the item is about"})
        changes["title"] = title.strip()
    if item.case_id is not None and kind is not None:
        if kind not in (Kind.NEW_REFERRAL, Kind.REVIEW):
            raise ValidationError({"kind": "Choose whether this is a new referral or a review"})
        changes["kind"] = kind
    before = {name: getattr(item, name) for name in changes}
    updated = save_if_unchanged(item, expected_version, changes)
    changed = sorted(name for name in changes if before[name] != changes[name])
    record(actor, "meeting.item_updated", meeting, item=item.pk, fields=changed, **_case_ids(item.case))
    return updated


@transaction.atomic
def do_move_item(actor, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap the item with its neighbour above ("up") or below ("down")."""
    meeting = item.meeting
    policy.permit(actor, "meeting.manage", meeting)
    if meeting.is_closed:
        raise ValidationError("You cannot change the agenda: the meeting is over")
    if direction not in ("up", "down"):
        raise ValidationError("Move an item up or down")
    items = list(meeting.items.select_for_update().order_by("position", "pk"))
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        raise ValidationError(f"The item is already {'first' if direction == 'up' else 'last'}")
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        if each.position != position:
            AgendaItem.objects.filter(pk=each.pk).update(position=position, version=F("version") + 1)
    record(actor, "meeting.item_moved", meeting, item=item.pk, direction=direction)
    return AgendaItem.objects.get(pk=item.pk)


@transaction.atomic
def do_remove_item(actor, item: AgendaItem) -> None:
    meeting = item.meeting
    policy.permit(actor, "meeting.manage", meeting)
    _require_planned(meeting, "change the agenda")
    if item.updates.exists():
        raise ValidationError(
            "Partners have added pre-meeting updates to this item, so it stays on the agenda with them. "
            "Move it to the end instead, or say in the meeting that it is deferred."
        )
    if item.actions.exists():
        raise ValidationError("Actions have been set on this item, so it stays on the agenda")
    record(actor, "meeting.item_removed", meeting, item=item.pk, kind=item.kind, **_case_ids(item.case))
    item.delete()
    remaining = meeting.items.order_by("position", "pk")
    for position, each in enumerate(remaining, start=1):
        if each.position != position:
            AgendaItem.objects.filter(pk=each.pk).update(position=position)


# --- Publishing ----------------------------------------------------------------------------------------
def publish_by(meeting: Meeting) -> date:
    """The last day to publish the agenda with the configured notice."""
    return timezone.localtime(meeting.starts_at).date() - timedelta(days=settings.MEETING_AGENDA_PUBLISH_DAYS)


def is_late(meeting: Meeting, today: date | None = None) -> bool:
    return (today or timezone.localdate()) > publish_by(meeting)


class LatePublication(ValidationError):
    """Publishing now gives members less notice than MEETING_AGENDA_PUBLISH_DAYS: confirm to go ahead."""


def _send_invitations(meeting: Meeting, user_ids: list[int], *, updated: bool = False) -> None:
    meeting_id, sequence = meeting.pk, meeting.invitation_sequence
    for user_id in user_ids:
        transaction.on_commit(
            lambda user_id=user_id: jobs.send_agenda_email.enqueue(meeting_id, user_id, sequence, updated)
        )


@transaction.atomic
def do_publish_agenda(actor, meeting: Meeting, *, late_confirmed: bool = False) -> Meeting:
    """Publish (or send again) the agenda: members and invitees get an e-mail with a link
    and a calendar invitation, and may read the agenda's cases until the meeting closes."""
    policy.permit(actor, "meeting.manage", meeting)
    _require_planned(meeting, "publish the agenda")
    if meeting.starts_at <= timezone.now():
        raise ValidationError("The meeting has already started: there is no time to send papers ahead")
    if not meeting.items.exists():
        raise ValidationError("Add at least one item to the agenda before publishing it")
    days = settings.MEETING_AGENDA_PUBLISH_DAYS
    if is_late(meeting) and not late_confirmed and not meeting.is_published:
        raise LatePublication(
            f"Agendas should be published at least {days} days ahead, by "
            f"{date_format(publish_by(meeting), 'j F Y')}. Members will have less time to read the papers. "
            "Confirm that you want to publish it late.",
            code="late",
        )
    republishing = meeting.is_published
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        agenda_published_at=meeting.agenda_published_at or now,
        agenda_published_by=meeting.agenda_published_by or actor,
        invitation_sequence=F("invitation_sequence") + 1,
        version=F("version") + 1,
    )
    meeting.refresh_from_db()
    people = list(people_of(meeting))
    record(
        actor,
        "meeting.agenda_republished" if republishing else "meeting.agenda_published",
        meeting,
        items=meeting.items.count(),
        recipients=[user.pk for user in people],
        late=is_late(meeting),
    )
    message = "A panel meeting agenda has changed" if republishing else "A panel meeting agenda has been published"
    for user in people:
        if user.pk != actor.pk:
            notify(user, message, meeting_url(meeting), email=False)
    _send_invitations(meeting, [user.pk for user in people], updated=republishing)
    forget(actor)
    return meeting


# --- Pre-meeting updates ----------------------------------------------------------------------------
@transaction.atomic
def do_add_update(actor, item: AgendaItem, *, status: str, stage: str = "", note: str = "") -> PreMeetingUpdate:
    policy.permit(actor, "meeting.add_update", item)
    if status not in PreMeetingUpdate.Status.values:
        raise ValidationError({"status": "Choose whether the person is known to your organisation"})
    stage, note = stage.strip(), note.strip()
    if status == PreMeetingUpdate.Status.OPEN and not stage:
        raise ValidationError({"stage": "Enter the stage the case is at with you, for example “on the waiting list”"})
    if len(stage) > 200:
        raise ValidationError({"stage": "The stage must be 200 characters or fewer"})
    if status != PreMeetingUpdate.Status.OPEN:
        stage = ""
    update = PreMeetingUpdate.objects.create(
        item=item, organisation=actor.organisation, author=actor, status=status, stage=stage, note=note
    )
    record(actor, "meeting.update_added", item.meeting, item=item.pk, status=status, **_case_ids(item.case))
    return update


@dataclass
class UpdateSummary:
    item: AgendaItem
    counts: dict = field(default_factory=dict)  # status label -> organisations, by each one's latest update
    latest: list = field(default_factory=list)  # each organisation's latest update
    earlier: list = field(default_factory=list)  # superseded updates, kept

    @property
    def total(self) -> int:
        return len(self.latest)


def update_summaries(user, items: list[AgendaItem]) -> dict[int, UpdateSummary]:
    """Per case item: how many organisations said what (by each organisation's latest
    update), their latest updates and the superseded ones. One query for every item."""
    summaries = {item.pk: UpdateSummary(item) for item in items if item.case_id}
    qs = policy.visible(user, PreMeetingUpdate.objects.filter(item_id__in=list(summaries)))
    seen = set()
    for update in qs.select_related("organisation", "author").order_by("item_id", "-created_at", "-id"):
        summary = summaries[update.item_id]
        key = (update.item_id, update.organisation_id)
        if key in seen:
            summary.earlier.append(update)
            continue
        seen.add(key)
        summary.latest.append(update)
    for summary in summaries.values():
        counted = Counter(update.status for update in summary.latest)
        summary.counts = {label: counted.get(value, 0) for value, label in PreMeetingUpdate.Status.choices}
    return summaries


# --- Attendance and apologies --------------------------------------------------------------------
@transaction.atomic
def do_record_attendance(
    actor, meeting: Meeting, *, status: str, user: User | None = None, guest_name: str = "", note: str = ""
) -> Attendance:
    """The chair or an administrator notes who came, sent apologies or did not come."""
    policy.permit(actor, "meeting.manage", meeting)
    if meeting.status == Status.MINUTES_APPROVED:
        raise ValidationError("You cannot change attendance: the minutes are approved")
    if status not in Attendance.Status.values:
        raise ValidationError({"status": "Choose present, apologies or absent"})
    guest_name = guest_name.strip()
    if user is None and not guest_name:
        raise ValidationError({"guest_name": "Choose a person or enter the name of a guest"})
    if user is not None and not people_of(meeting).filter(pk=user.pk).exists():
        raise ValidationError({"user": "Choose someone on the panel or invited to this meeting"})
    organisation_label = user.organisation.name if user is not None else note.strip()[:200]
    if user is not None:
        attendance, created = Attendance.objects.update_or_create(
            meeting=meeting,
            user=user,
            defaults={"status": status, "organisation_label": organisation_label, "recorded_by": actor},
            create_defaults={
                "status": status,
                "organisation_label": organisation_label,
                "recorded_by": actor,
                "note": note.strip()[:300],
            },
        )
        if not created:
            Attendance.objects.filter(pk=attendance.pk).update(version=F("version") + 1)
    else:
        attendance = Attendance.objects.create(
            meeting=meeting,
            guest_name=guest_name[:150],
            status=status,
            organisation_label=organisation_label,
            recorded_by=actor,
        )
    record(actor, "meeting.attendance_recorded", meeting, user=getattr(user, "pk", None), status=status)
    return attendance


@transaction.atomic
def do_send_apologies(actor, meeting: Meeting, *, note: str = "") -> Attendance:
    """A member or invitee says, before the meeting, that they cannot come."""
    policy.permit(actor, "meeting.send_apologies", meeting)
    attendance, _ = Attendance.objects.update_or_create(
        meeting=meeting,
        user=actor,
        defaults={
            "status": Attendance.Status.APOLOGIES,
            "organisation_label": actor.organisation.name,
            "recorded_by": actor,
            "note": note.strip()[:300],
        },
    )
    record(actor, "meeting.apologies_sent", meeting)
    others = [meeting.panel.chair, *meeting.panel.administrators.all()]
    for person in {p.pk: p for p in others if p.pk != actor.pk}.values():
        notify(person, f"{actor.full_name} sent apologies for a panel meeting", meeting_url(meeting), email=False)
    return attendance


@transaction.atomic
def do_withdraw_apologies(actor, meeting: Meeting) -> None:
    policy.permit(actor, "meeting.send_apologies", meeting)
    deleted, _ = Attendance.objects.filter(
        meeting=meeting, user=actor, status=Attendance.Status.APOLOGIES, recorded_by=actor
    ).delete()
    if not deleted:
        raise ValidationError("You have not sent apologies for this meeting")
    record(actor, "meeting.apologies_withdrawn", meeting)


# --- Actions (each one a task) --------------------------------------------------------------------------
@transaction.atomic
def do_add_action(actor, *, item: AgendaItem | None = None, visit: SchoolVisit | None = None, **task_fields) -> Action:
    """Set an action on a case item or a school visit: a task (tasks.do_create_task checks
    who may set it and to whom) linked back to where it was agreed."""
    if (item is None) == (visit is None):
        raise ValueError("An action belongs to an agenda item or a school visit")
    if item is not None:
        if item.case_id is None:
            raise ValidationError("Actions on other business need a case: set them on a case item")
        case = item.case
    else:
        case = task_fields.pop("case")
    task = do_create_task(actor, case, **task_fields)
    action = Action.objects.create(item=item, visit=visit, task=task)
    target = item.meeting if item is not None else visit
    record(actor, "meeting.action_set", target, task=task.pk, **_case_ids(case))
    return action


def outstanding_actions(user, meeting: Meeting) -> dict[int, list[Action]]:
    """Per case on this agenda: the open actions set at the panel's previous meeting
    (the last one before this that was held), as far as ``user`` may see them."""
    previous = (
        Meeting.objects.filter(panel_id=meeting.panel_id, starts_at__lt=meeting.starts_at)
        .exclude(status=Status.PLANNED)
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return {}
    case_ids = list(meeting.items.filter(case__isnull=False).values_list("case_id", flat=True))
    qs = policy.visible(
        user,
        Action.objects.filter(item__meeting=previous, item__case_id__in=case_ids, task__status__in=Task.OPEN_STATES),
    ).select_related("task", "task__assignee", "task__assignee__organisation", "item")
    found: dict[int, list[Action]] = {}
    for action in qs.order_by("task__due_date", "pk"):
        found.setdefault(action.item.case_id, []).append(action)
    return found


# --- Follow-up ------------------------------------------------------------------------------------------
@dataclass
class ActionGroup:
    key: int
    label: str
    detail: str = ""
    actions: list = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for action in self.actions if action.is_overdue)


@dataclass
class FollowUp:
    actions: list
    by_person: list
    by_organisation: list
    hidden: int  # actions on cases the reader may not see (counted, never shown)

    @property
    def overdue(self) -> int:
        return sum(1 for action in self.actions if action.is_overdue)


def _group(actions: list[Action], by: str) -> list[ActionGroup]:
    groups: dict[int, ActionGroup] = {}
    for action in actions:
        assignee = action.task.assignee
        if by == "organisation":
            group = groups.setdefault(
                assignee.organisation_id, ActionGroup(assignee.organisation_id, assignee.organisation.name)
            )
        else:
            group = groups.setdefault(
                assignee.pk, ActionGroup(assignee.pk, assignee.full_name, assignee.organisation.name)
            )
        group.actions.append(action)
    return sorted(groups.values(), key=lambda g: (-g.overdue, g.label))


def follow_up(user, meeting: Meeting, today: date | None = None) -> FollowUp:
    """Every action from the meeting that ``user`` may see, grouped by person and by
    organisation, the overdue ones flagged and first."""
    today = today or timezone.localdate()
    everything = Action.objects.filter(item__meeting=meeting)
    visible = list(
        policy.visible(user, everything)
        .select_related("task", "task__case", "task__assignee", "task__assignee__organisation", "item")
        .order_by("task__due_date", "pk")
    )
    for action in visible:
        task = action.task
        action.is_overdue = task.status in Task.OPEN_STATES and task.due_date < today
        action.reminded_today = task.reminded_at is not None and timezone.localdate(task.reminded_at) == today
    hidden = everything.count() - len(visible)
    return FollowUp(visible, _group(visible, "person"), _group(visible, "organisation"), hidden)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def do_remind_action(actor, action: Action, now: datetime | None = None) -> Task:
    """One click: remind the assignee of an open action (an in-app notice and an e-mail
    with a link). At most once a day per task, shared with the daily reminder job."""
    policy.permit(actor, "meeting.remind", action)
    task = action.task
    if task.status not in Task.OPEN_STATES:
        raise ValidationError(f"This action is {task.get_status_display().lower()}: there is nothing to remind")
    now = now or timezone.now()
    today = timezone.localdate(now)
    claimed = (
        Task.objects.filter(pk=task.pk)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=_start_of(today)))
        .update(reminded_at=now)
    )
    if not claimed:
        raise ValidationError(
            f"{task.assignee.full_name} was already reminded of this action today. You can remind them again tomorrow."
        )
    url = reverse("tasks:detail", args=[task.pk])
    notify(task.assignee, f"You have been reminded of an action on case {task.case.reference}", url, email=False)
    target = action.item.meeting if action.item_id else action.visit
    record(actor, "meeting.action_reminded", target, task=task.pk, **_case_ids(task.case))
    task_id, assignee_id = task.pk, task.assignee_id
    transaction.on_commit(lambda: jobs.send_action_reminder.enqueue(task_id, assignee_id))
    task.refresh_from_db()
    return task


# --- School visits (Behaviour Support – secondary) ----------------------------------------------------
def schools_of(panel: Panel) -> QuerySet:
    return Organisation.objects.filter(area=panel.area, sector=Sector.EDUCATION, is_active=True).order_by("name")


def default_slot_end(start: time) -> time:
    return (datetime.combine(date.min, start) + timedelta(hours=VISIT_DEFAULT_HOURS)).time()


@dataclass
class ActionDraft:
    """One action typed on the visit form, before it becomes a task."""

    case: Case
    title: str
    assignee: User
    due_date: date


@transaction.atomic
def do_record_visit(
    actor,
    panel: Panel,
    *,
    school: Organisation,
    visit_date: date,
    slot_start: time,
    slot_end: time | None,
    cases: list[Case],
    work_done: str,
    actions: list[ActionDraft] = (),
) -> SchoolVisit:
    """Record a school's visit and set its actions, all or nothing: one bad action keeps
    everything unsaved (and the form keeps what was typed)."""
    policy.permit(actor, "visit.record", panel)
    errors = {}
    if not schools_of(panel).filter(pk=school.pk).exists():
        errors["school"] = f"Choose a school in {panel.area.name}"
    if visit_date > timezone.localdate():
        errors["visit_date"] = "The visit date must be today or in the past"
    slot_end = slot_end or default_slot_end(slot_start)
    if slot_end <= slot_start:
        errors["slot_end"] = "The visit must end after it starts"
    visible = set(policy.visible(actor, Case.objects.filter(pk__in=[c.pk for c in cases])).values_list("pk", flat=True))
    if any(case.pk not in visible for case in cases):
        errors["cases"] = "Choose cases you are a member of"
    if not work_done.strip():
        errors["work_done"] = "Enter the work done in the visit"
    discussed = {case.pk for case in cases}
    if any(draft.case.pk not in discussed for draft in actions):
        errors["actions"] = "Each action must be on one of the cases discussed"
    if errors:
        raise ValidationError(errors)
    visit = SchoolVisit.objects.create(
        panel=panel,
        school=school,
        date=visit_date,
        slot_start=slot_start,
        slot_end=slot_end,
        work_done=work_done.strip(),
        recorded_by=actor,
    )
    visit.cases.set(cases)
    record(actor, "visit.recorded", visit, panel=panel.pk, school=school.pk, cases=sorted(discussed))
    for number, draft in enumerate(actions, start=1):
        try:
            do_add_action(
                actor,
                visit=visit,
                case=draft.case,
                title=draft.title,
                assignee=draft.assignee,
                due_date=draft.due_date,
            )
        except ValidationError as error:
            messages = error.messages if not hasattr(error, "error_dict") else sum(error.message_dict.values(), [])
            raise ValidationError({"actions": [f"Action {number}: {m}" for m in messages]}) from None
    return visit


def prefetch_visible_cases(user) -> Prefetch:
    return Prefetch("cases", queryset=policy.visible(user, Case.objects.select_related("person")), to_attr="seen")
