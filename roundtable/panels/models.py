"""Panels: the standing multi-agency groups that own a kind of case work.

A Channel panel carries the settings the Channel workflow reads (its police lead,
Prevent team, local-authority leads, deadlines and post-exit review intervals).
The panel meetings issue grows this app into meetings, agendas and minutes.

``WorkflowEvent`` is the history of every workflow (see roundtable/core/workflow.py):
one row per transition made, whatever the panel type."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from roundtable.accounts.models import Area

MAX_REVIEW_MONTHS = 60
_MONTHS = re.compile(r"^\s*\d+\s*(,\s*\d+\s*)*$")


def parse_review_months(value: str) -> list[int]:
    """ "6, 12" → [6, 12]. Raises ValidationError naming the problem."""
    value = (value or "").strip()
    if not value:
        return []
    if not _MONTHS.match(value):
        raise ValidationError(
            "Enter the months after exit as whole numbers separated by commas, like 6,12", code="format"
        )
    months = [int(part) for part in value.split(",")]
    if any(month < 1 or month > MAX_REVIEW_MONTHS for month in months):
        raise ValidationError(f"Each number of months must be between 1 and {MAX_REVIEW_MONTHS}", code="range")
    if len(set(months)) != len(months):
        raise ValidationError("Each number of months can only appear once", code="duplicate")
    if months != sorted(months):
        raise ValidationError("Put the months in order, smallest first, like 6,12", code="order")
    return months


def validate_review_months(value: str) -> None:
    parse_review_months(value)


class Panel(models.Model):
    class Kind(models.TextChoices):
        CHANNEL = "channel", "Channel"
        BEHAVIOUR_PRIMARY = "behaviour_primary", "Behaviour support – primary"
        BEHAVIOUR_SECONDARY = "behaviour_secondary", "Behaviour support – secondary"
        OTHER = "other", "Other multi-agency"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="panels")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_panels")
    administrators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="administered_panels")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="panel_memberships")
    is_active = models.BooleanField(default=True)

    # --- Channel settings (ignored by other kinds) ---------------------------------------
    police_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The police Prevent lead, who endorses exits with the chair.",
    )
    prevent_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="prevent_teams",
        help_text="Police Prevent officers: referrals land in their queue.",
    )
    adults_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    children_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    info_request_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    post_exit_review_months = models.CharField(max_length=50, default="6,12", validators=[validate_review_months])

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unique_panel_name_per_area")]

    def __str__(self) -> str:
        return self.name

    @property
    def review_months(self) -> list[int]:
        return parse_review_months(self.post_exit_review_months)

    @property
    def is_channel(self) -> bool:
        return self.kind == self.Kind.CHANNEL

    @property
    def takes_referrals(self) -> bool:
        """A Channel panel can receive referrals once it has a police lead."""
        return self.is_active and self.is_channel and self.police_lead_id is not None


class WorkflowEvent(models.Model):
    """One transition made in a workflow: who, when, from which state to which, and what
    they recorded. Append-only: database triggers refuse UPDATE and DELETE
    (roundtable/core/append_only.py), so a case with history cannot be deleted either."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="workflow_events")
    workflow = models.CharField(max_length=50)
    transition = models.CharField(max_length=60)
    from_state = models.CharField(max_length=40)
    to_state = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_organisation = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)
    # The recorded fields, by name (dates as ISO strings); reasons live here too.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_at", "-id"], name="workflow_event_case_idx")]

    def __str__(self) -> str:
        return f"{self.workflow}.{self.transition} on case {self.case_id}"
