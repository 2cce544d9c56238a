"""Form definitions, their published (immutable) versions, and submissions.

A definition's working copy is a draft JSON document (see schema.py and docs/formbuilder.md).
Publishing copies the draft into a new FormVersion row that is never changed again, so a
submission always renders against exactly the questions it was answered on."""

from django.conf import settings
from django.db import models

from roundtable.accounts.models import Area
from roundtable.cases.models import Case, ChronologyEntry


class Purpose(models.TextChoices):
    REFERRAL = "referral", "Referral"
    HOME_VISIT = "home_visit", "Home visit record"
    INFORMATION_RETURN = "information_return", "Information return"
    ASSESSMENT = "assessment", "Assessment"
    OTHER = "other", "Other"


class FormDefinition(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    # Every form belongs to an area (everyone working on cases there can see it to fill it
    # in). A form may also belong to one of the area's panels: then only that panel's chair
    # and administrators build it, and only that panel can choose it.
    owner_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="form_definitions")
    owner_panel = models.ForeignKey(
        "panels.Panel", null=True, blank=True, on_delete=models.PROTECT, related_name="form_definitions"
    )
    # The working copy the builder edits (a schema.py document). Never shown to form fillers.
    draft = models.JSONField(default=dict)
    # Optimistic locking of the draft: two administrators editing at once cannot overwrite each other.
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Set by the standard-forms loader so it can find its own definitions again (idempotent).
    standard_key = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # Denormalised pointer to the newest FormVersion (None until first published).
    latest_version = models.ForeignKey(
        "FormVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner_area", "status", "purpose"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.status == self.Status.RETIRED


class FormVersion(models.Model):
    """One published version: the schema document exactly as it was published. Immutable."""

    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    schema = models.JSONField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["definition_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["definition", "number"], name="one_number_per_form_version")]

    def __str__(self) -> str:
        return f"{self.definition.name}, version {self.number}"

    def save(self, *args, **kwargs):
        # Versions are written once: a submission's meaning must never change under it.
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("A published form version cannot be changed; publish a new version instead.")
        super().save(*args, **kwargs)


class AreaFormChoice(models.Model):
    """Which definition an area uses for each purpose: the fallback for panels that have not
    chosen one of their own (PanelFormChoice)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="form_choices")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="chosen_for")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "purpose"], name="one_form_per_area_purpose")]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_purpose_display()} → {self.definition}"


class PanelFormChoice(models.Model):
    """Which definition a panel uses for its referral form, home visit record and
    information returns. A panel's choice wins over its area's (see choices.py)."""

    panel = models.ForeignKey("panels.Panel", on_delete=models.CASCADE, related_name="form_choices")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="chosen_by_panels")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["panel", "purpose"], name="one_form_per_panel_purpose")]

    def __str__(self) -> str:
        return f"{self.panel}: {self.get_purpose_display()} → {self.definition}"


class Submission(models.Model):
    """A form filled in about a case. A draft keeps what was typed (``draft_input``); a
    submitted one keeps the validated ``answers`` and the chronology entry it became."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    # Denormalised from the version for searching by form and for the "cannot delete" check.
    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="submissions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="form_submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    draft_input = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    entry = models.OneToOneField(
        ChronologyEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="form_submission"
    )
    # None: sent from the public referral page (nobody signed in).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["definition", "status", "-submitted_at"], name="submission_form_idx"),
            models.Index(fields=["case", "-updated_at"], name="submission_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} on {self.case.reference}"
