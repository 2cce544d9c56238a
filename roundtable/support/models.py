"""Consent to support, the register of intervention providers, and the support plan
(interventions and their progress) of a case. Consent records and progress updates are
append-only history: a withdrawal is a new record, never an edit."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from roundtable.accounts.models import Area, Organisation
from roundtable.cases.models import Case
from roundtable.people.models import Person


class AppendOnly(models.Model):
    """Saved once, never changed: history is added to, not rewritten."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} records are append-only: add a new one instead")
        super().save(*args, **kwargs)


class ConsentRecord(AppendOnly):
    class Decision(models.TextChoices):
        GIVEN = "given", "Consent given"
        REFUSED = "refused", "Consent refused"
        WITHDRAWN = "withdrawn", "Consent withdrawn"

    class DecidedBy(models.TextChoices):
        PERSON = "person", "The person"
        PARENT = "parent", "A parent"
        CARER = "carer", "A carer"
        OTHER = "other", "Someone else"

    class How(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "By phone"
        LETTER = "letter", "By letter"
        EMAIL = "email", "By e-mail"
        OTHER = "other", "Another way"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consent_records")
    # Whose consent: the case's person when it was recorded (kept if profiles are merged later).
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consent_records")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decided_by = models.CharField("Who decided", max_length=20, choices=DecidedBy.choices)
    decided_by_name = models.CharField("Their name", max_length=150, blank=True)
    decided_by_relationship = models.CharField("Their relationship or role", max_length=150, blank=True)
    occurred_on = models.DateField("Date of the decision")
    how = models.CharField("How it was given", max_length=20, choices=How.choices)
    how_detail = models.CharField("How, in detail", max_length=200, blank=True)
    capacity_note = models.TextField("Capacity", blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_on", "-id"], name="consent_case_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.occurred_on:%-d %B %Y}"

    @property
    def decided_by_label(self) -> str:
        """ "Jaden Millbrook (the person)" or "Kerry Millbrook (parent)"."""
        if self.decided_by == self.DecidedBy.PERSON:
            return f"{self.person.full_name} (the person)"
        role = self.decided_by_relationship if self.decided_by == self.DecidedBy.OTHER else self.decided_by
        return f"{self.decided_by_name} ({role})"

    @property
    def how_label(self) -> str:
        return self.how_detail if self.how == self.How.OTHER and self.how_detail else self.get_how_display()


class InterventionProvider(models.Model):
    """Someone who delivers support (a mentor, a coach, a counsellor): a register per area."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="intervention_providers")
    name = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="intervention_providers"
    )
    contact = models.CharField(max_length=200, blank=True)
    dbs_checked_on = models.DateField("DBS check date", null=True, blank=True)
    dbs_expires_on = models.DateField("DBS check expiry", null=True, blank=True)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unique_provider_name_per_area")]

    def __str__(self) -> str:
        return self.name


class SupportType(models.TextChoices):
    LIFE_SKILLS = "life_skills", "Life skills"
    MENTORING = "mentoring", "Mentoring (including on ideology)"
    ANGER_MANAGEMENT = "anger_management", "Anger management"
    COGNITIVE_BEHAVIOURAL = "cognitive_behavioural", "Cognitive or behavioural"
    CONSTRUCTIVE_PURSUITS = "constructive_pursuits", "Constructive pursuits"
    EDUCATION_SKILLS = "education_skills", "Education skills"
    CAREERS = "careers", "Careers"
    FAMILY_SUPPORT = "family_support", "Family support"
    HEALTH_AWARENESS = "health_awareness", "Health awareness"
    HOUSING_SUPPORT = "housing_support", "Housing support"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol awareness"
    OTHER = "other", "Other"


class Intervention(models.Model):
    """One piece of support in a case's support plan, delivered by exactly one provider:
    a partner organisation or a provider from the area's register."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    support_type = models.CharField("Type of support", max_length=40, choices=SupportType.choices)
    custom_type = models.CharField("Other type of support", max_length=150, blank=True)
    provider_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    provider = models.ForeignKey(
        InterventionProvider, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    starts_on = models.DateField("Start date")
    ends_on = models.DateField("End date", null=True, blank=True)
    behaviours = models.TextField("Behaviours addressed")
    risks = models.TextField("Risks addressed")
    provider_risks = models.TextField("Risks to the provider")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    # Why it is paused or stopped (the full history is in its progress updates).
    status_reason = models.TextField("Reason", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    OPEN_STATES = (Status.PLANNED, Status.ACTIVE, Status.PAUSED)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(provider__isnull=True) & Q(provider_organisation__isnull=False))
                | (Q(provider__isnull=False) & Q(provider_organisation__isnull=True)),
                name="intervention_has_exactly_one_provider",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="intervention_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["case", "status"], name="intervention_case_status_idx")]

    def __str__(self) -> str:
        return self.type_label

    @property
    def type_label(self) -> str:
        if self.support_type == SupportType.OTHER:
            return self.custom_type or "Other support"
        return self.get_support_type_display()

    @property
    def provider_label(self) -> str:
        if self.provider_id:
            return self.provider.name
        return self.provider_organisation.name if self.provider_organisation_id else ""


class ProgressUpdate(AppendOnly):
    """What happened in the support: appended, never edited. A status change adds one too."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="updates")
    occurred_on = models.DateField("Date")
    text = models.TextField("Update")
    # Set when this update recorded a change of status (started, paused, stopped…).
    status = models.CharField(max_length=20, choices=Intervention.Status.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"Update on {self.occurred_on:%-d %B %Y}"
