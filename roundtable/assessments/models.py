"""Vulnerability assessments: the Vulnerability Assessment Framework (VAF) of Channel.

- ``Factor``: one question of the framework, per area (22 defaults, see defaults.py);
  administrators rename, add and retire them. A factor is never deleted once used.
- ``Assessment``: one assessment of the person on a case, as a draft (saved as often as
  wanted) and then completed (read-only from then on; a mistake is put right by a
  correction, a new assessment that supersedes it — see docs/assessments.md).
- ``FactorRating``: for one factor in one assessment, whether it is present, how strongly
  (only when present) and the evidence.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from roundtable.accounts.models import Area
from roundtable.cases.models import Case


class Dimension(models.TextChoices):
    ENGAGEMENT = "engagement", "Engagement"
    INTENT = "intent", "Intent"
    CAPABILITY = "capability", "Capability"


DIMENSION_QUESTIONS = {
    Dimension.ENGAGEMENT: "Engagement with a group, cause or ideology",
    Dimension.INTENT: "Intent to cause harm",
    Dimension.CAPABILITY: "Capability to cause harm",
}


class Rating(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


# How much a present factor weighs in its dimension's score (see scoring.py).
RATING_WEIGHTS = {Rating.LOW: 1, Rating.MEDIUM: 2, Rating.HIGH: 3}


class Factor(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="assessment_factors")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    label = models.CharField("name", max_length=200)
    guidance = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    # Set on the copies of the default list, so they are made once per area.
    default_key = models.CharField(max_length=40, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["area_id", "dimension", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "default_key"], condition=~Q(default_key=""), name="one_default_factor_per_area"
            )
        ]
        indexes = [models.Index(fields=["area", "retired_at", "dimension", "order"], name="factor_area_active_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Assessment(models.Model):
    class Kind(models.TextChoices):
        VAF = "vaf", "Vulnerability Assessment Framework"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VAF)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    assessed_on = models.DateField("date of the assessment")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    engagement_summary = models.TextField("engagement summary", blank=True)
    intent_summary = models.TextField("intent summary", blank=True)
    capability_summary = models.TextField("capability summary", blank=True)
    conclusion = models.TextField("overall conclusion", blank=True)
    management_plan = models.TextField("management plan", blank=True)
    changes_since_last = models.TextField("what changed since the last assessment", blank=True)
    # Set when completed: the scores (0-100, see scoring.py), the completed assessment
    # compared against and the factor changes found, frozen as they were.
    engagement_score = models.PositiveSmallIntegerField(null=True, blank=True)
    intent_score = models.PositiveSmallIntegerField(null=True, blank=True)
    capability_score = models.PositiveSmallIntegerField(null=True, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    factor_changes = models.JSONField(default=list, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Corrections: a completed assessment is never edited. A correction is a new assessment
    # that ``corrects`` it; completing the correction sets ``superseded_by`` on the original.
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            # One draft at a time per case: partners work on it together, nobody on a stray copy.
            models.UniqueConstraint(fields=["case"], condition=Q(status="draft"), name="one_draft_assessment_per_case")
        ]
        indexes = [models.Index(fields=["case", "status", "assessed_on"], name="assessment_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.assessed_on:%-d %B %Y}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_current(self) -> bool:
        """Completed and not replaced by a correction: counts in the history and the chart."""
        return self.status == self.Status.COMPLETED and self.superseded_by_id is None

    def score(self, dimension: str) -> int | None:
        return getattr(self, f"{dimension}_score")

    @property
    def scores(self) -> dict[str, int | None]:
        return {dimension: self.score(dimension) for dimension in Dimension.values}


class FactorRating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="ratings")
    # The factor as it was worded when the assessment was completed: renaming a factor later
    # must not change what a completed record says.
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    label = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    present = models.BooleanField(null=True, blank=True)  # None: not answered yet
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment_id", "dimension", "order", "factor_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="one_rating_per_factor_per_assessment")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.answer}"

    @property
    def answer(self) -> str:
        if self.present is None:
            return "Not answered"
        if not self.present:
            return "Not present"
        return f"Present ({self.get_rating_display()})" if self.rating else "Present"
