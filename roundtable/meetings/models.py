"""Panel meetings: the meeting, its agenda, who came, what partners said beforehand,
the actions set (each one a task), the minutes, and secondary schools' visits.

The life of a meeting (``Meeting.status``)::

    planned ── start ──▶ in session ── close ──▶ closed ── approve minutes ──▶ minutes approved

- While *planned*, the panel's administrators (and chair) build the agenda. Publishing it
  (``agenda_published_at``) e-mails members and invitees a link and a calendar invitation,
  and gives them read-only access to the papers of the cases on it (see
  roundtable/access/rules/cases.py) until the meeting is closed.
- *In session*: ``current_item`` is the item the chair has on screen ("follow the chair").
- *Closed* and *minutes approved*: agenda access has ended; members see a case only
  through their case membership.

Which cases a panel keeps under review: a Channel panel's are its Channel cases
(``channel.ChannelCase.panel``); any other panel's are the cases linked to it by
``PanelCase`` (the administrator adds a case when the panel takes it on, and ends the
link when the panel stops reviewing it).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from roundtable.accounts.models import Organisation
from roundtable.cases.models import Case
from roundtable.panels.models import Panel, WorkflowEvent
from roundtable.tasks.models import Task

MAX_PEOPLE = 30  # standing members and one-off invitees of a meeting, together
VISIT_DEFAULT_HOURS = 2  # a secondary school buys a 2-hour visit


def validate_https(value: str) -> None:
    if value and not value.lower().startswith("https://"):
        raise ValidationError("The video link must start with https://", code="https")


class PanelCase(models.Model):
    """A case kept under review by a panel that is not a Channel panel (Channel panels
    find theirs through ``ChannelCase.panel``). Ended links stay as history."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="panel_cases")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="panel_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "case"], condition=models.Q(ended_at__isnull=True), name="one_open_panel_case_link"
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} at {self.panel}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_SESSION = "in_session", "In session"
        CLOSED = "closed", "Closed"
        MINUTES_APPROVED = "minutes_approved", "Minutes approved"

    # Agenda access to case papers lasts while the meeting is in one of these.
    OPEN_STATUSES = (Status.PLANNED, Status.IN_SESSION)

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    video_link = models.URLField(max_length=500, blank=True, validators=[validate_https])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)

    agenda_published_at = models.DateTimeField(null=True, blank=True)
    agenda_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Bumped each time the invitation is (re)sent: the .ics SEQUENCE, so calendars update.
    invitation_sequence = models.PositiveIntegerField(default=0)

    # Follow the chair: the item on the projected screen (set by the live meeting mode).
    current_item = models.ForeignKey("AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["panel", "-starts_at"], name="meeting_panel_starts_idx"),
            models.Index(fields=["status", "agenda_published_at"], name="meeting_open_published_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.panel} meeting {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_published(self) -> bool:
        return self.agenda_published_at is not None

    @property
    def is_closed(self) -> bool:
        return not self.is_open

    @property
    def uid(self) -> str:
        """The calendar UID: stable for the meeting, so a re-sent invitation updates the event."""
        return f"meeting-{self.pk}@roundtable"


class MeetingInvitee(models.Model):
    """Someone invited to one meeting only (standing members come from the panel)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_meeting")]

    def __str__(self) -> str:
        return f"{self.user} invited to meeting {self.meeting_id}"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        NEW_REFERRAL = "new_referral", "New referral"
        REVIEW = "review", "Review"
        OTHER_BUSINESS = "other_business", "Other business"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    # A case item names its case; other business has a title instead.
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField()
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    slot_start = models.TimeField(null=True, blank=True, help_text="Local time (Europe/London)")
    slot_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # True when the agenda builder proposed it (rather than the administrator adding it).
    proposed = models.BooleanField(default=False)

    # Recorded in the meeting (the live meeting mode).
    minutes_text = models.TextField(blank=True)
    decision = models.CharField(max_length=200, blank=True, help_text="The decision in words (or the workflow's label)")
    decision_reasons = models.TextField(blank=True)
    # When the decision was a workflow transition, the history row it made.
    decision_event = models.ForeignKey(
        WorkflowEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    discussed_at = models.DateTimeField(null=True, blank=True)

    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "case"], condition=models.Q(case__isnull=False), name="one_item_per_case_per_meeting"
            ),
            models.CheckConstraint(
                condition=(models.Q(case__isnull=False) & ~models.Q(kind="other_business"))
                | (models.Q(case__isnull=True) & models.Q(kind="other_business")),
                name="case_items_have_cases_other_business_has_none",
            ),
        ]
        indexes = [models.Index(fields=["case", "meeting"], name="agenda_item_case_idx")]

    def __str__(self) -> str:
        return self.title or f"Item {self.position} of meeting {self.meeting_id}"

    @property
    def is_case_item(self) -> bool:
        return self.case_id is not None

    @property
    def slot_end(self):
        if self.slot_start is None or not self.slot_minutes:
            return None
        end = datetime.combine(datetime.min, self.slot_start) + timedelta(minutes=self.slot_minutes)
        return end.time()


class PreMeetingUpdate(models.Model):
    """What a partner organisation says about a case before the meeting. Append-only:
    a new update supersedes the organisation's earlier one for the summary, and both stay."""

    class Status(models.TextChoices):
        NOT_KNOWN = "not_known", "Not known to us"
        KNOWN_NO_INVOLVEMENT = "known_no_involvement", "Known – no current involvement"
        OPEN = "open", "Open to us"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="updates")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=30, choices=Status.choices)
    stage = models.CharField(max_length=200, blank=True, help_text='When open: at what stage ("on the waiting list")')
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "organisation", "-created_at"], name="premeeting_item_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    # A user of Roundtable, or a guest without an account (a school's representative).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    # As it was on the day: people move organisations, minutes must not change.
    organisation_label = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=models.Q(user__isnull=False), name="one_attendance_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(guest_name=""), name="attendance_names_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_status_display()}"

    @property
    def name(self) -> str:
        return self.user.full_name if self.user_id else self.guest_name


class SchoolVisit(models.Model):
    """A visit bought by a secondary school (Behaviour Support – secondary): the cases
    discussed in the slot, the work done and the actions set before leaving."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="school_visits")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="school_visits")
    date = models.DateField()
    slot_start = models.TimeField()
    slot_end = models.TimeField()
    cases = models.ManyToManyField(Case, blank=True, related_name="school_visits")
    work_done = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-slot_start", "-id"]
        indexes = [models.Index(fields=["panel", "-date"], name="visit_panel_date_idx")]

    def __str__(self) -> str:
        return f"Visit to {self.school} on {self.date:%-d %B %Y}"


class Action(models.Model):
    """An action agreed at a meeting (on an agenda item) or set on a school visit. Each
    action IS a task (tasks.Task: assignee, due date, status, reminders)."""

    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    visit = models.ForeignKey(SchoolVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="meeting_action")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(item__isnull=False) & models.Q(visit__isnull=True))
                | (models.Q(item__isnull=True) & models.Q(visit__isnull=False)),
                name="action_on_an_item_or_a_visit",
            )
        ]

    def __str__(self) -> str:
        return f"Action {self.pk} (task {self.task_id})"


class Minutes(models.Model):
    """The minutes of one meeting: drafted from attendance, items, decisions and actions
    (``structured``: a snapshot the minutes pages render), edited by the chair
    (``text``: the chair's words), then approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    text = models.TextField(blank=True)
    structured = models.JSONField(default=dict, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of meeting {self.meeting_id}"


# The live meeting helper's model (audio recordings), in its own module: registered with the app here.
from roundtable.meetings.models_audio import MeetingRecording  # noqa: E402, F401
