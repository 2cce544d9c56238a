"""Cases, who may see them, and their chronology."""

from django.conf import settings
from django.db import models

from roundtable.accounts.models import Area, Organisation
from roundtable.people.models import Person


class Case(models.Model):
    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        CHANNEL = "channel", "Prevent / Channel"
        BEHAVIOUR_SUPPORT = "behaviour_support", "Behaviour support"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        MEETING = "meeting", "Meeting"
        PLAN = "plan", "Plan"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ON_HOLD = "on_hold", "On hold"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=20, unique=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    state = models.CharField(max_length=30, choices=State.choices, default=State.OPEN)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases")
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_cases")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="cases")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseMembership(models.Model):
    """Need to know: a user sees a case only through a membership (or a rule in access/)."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        CONTRIBUTOR = "contributor", "Contributor"
        VIEWER = "viewer", "Viewer"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_membership_per_user_per_case")]
        indexes = [models.Index(fields=["user", "case"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.case.reference} ({self.role})"


class ChronologyEntry(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        PHONE_CALL = "phone_call", "Phone call"
        MEETING = "meeting", "Meeting"
        HOME_VISIT = "home_visit", "Home visit"
        SCHOOL_VISIT = "school_visit", "School visit"
        INFORMATION_RECEIVED = "information_received", "Information received"
        DECISION = "decision", "Decision"
        SAFEGUARDING_CONCERN = "safeguarding_concern", "Safeguarding concern"
        EMAIL = "email", "E-mail"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    summary = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Lock-down: when restricted, only the author and these people see the content.
    is_restricted = models.BooleanField(default=False)
    restricted_to = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retraction_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-occurred_at", "-id"], name="entry_case_timeline_idx"),
            # The chronology filter's authors and organisations, from the index alone.
            models.Index(fields=["case", "author", "organisation"], name="entry_case_authors_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class EntryRevision(models.Model):
    """The text an entry had before each amendment: amendments never hide what was written."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    summary = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Version {self.version} of entry {self.entry_id}"


class CaseReferenceCounter(models.Model):
    """The last sequence number used for case references with this prefix in this year.

    Taken under a row lock (SELECT … FOR UPDATE) by ``services.next_reference`` so that
    concurrent case creations never share a number."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
