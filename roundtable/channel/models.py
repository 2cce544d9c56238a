"""Prevent/Channel: a Channel case, the referral it started from, and what each step recorded.

The process itself (states, transitions, who may make each, what each records) is
declared in workflow.py; every change of state goes through roundtable/core/workflow.py.
"""

import secrets

from django.conf import settings
from django.db import models

from roundtable.cases.models import Case
from roundtable.panels.models import Panel
from roundtable.people.models import Sex

ADULT_AGE = 18  # the line between the adults and the children's local-authority Prevent lead


class AgeGroup(models.TextChoices):
    ADULT = "adult", "Adult (18 or over)"
    CHILD = "child", "Child (under 18)"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class ChannelCase(models.Model):
    """The Channel side of a case (cases.Case of kind "channel"): its panel, its place in
    the workflow and the flags panels must see at a glance."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="channel")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="channel_cases")
    state = models.CharField(max_length=40, default="referred")
    # Computed once, at referral: which local-authority lead the case goes to.
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices)
    age_at_referral = models.PositiveSmallIntegerField(null=True, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    referred_at = models.DateTimeField(auto_now_add=True)

    significant_harm_recorded = models.BooleanField(default=False)
    significant_harm_recorded_at = models.DateTimeField(null=True, blank=True)
    significant_harm_details = models.TextField(blank=True)
    escalated = models.BooleanField(default=False)
    escalation_reason = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    social_care_referral_recorded = models.BooleanField(default=False)
    social_care_referral_date = models.DateField(null=True, blank=True)
    social_care_referral_reason = models.TextField(blank=True)

    # Exit needs the chair and the police Prevent lead: two people, two endorsements.
    exit_chair_endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exit_chair_endorsed_at = models.DateTimeField(null=True, blank=True)
    exit_police_endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exit_police_endorsed_at = models.DateTimeField(null=True, blank=True)
    exited_at = models.DateTimeField(null=True, blank=True)

    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["panel", "state"], name="channel_panel_state_idx")]

    def __str__(self) -> str:
        return f"Channel case {self.case_id}"

    @property
    def workflow(self):
        from roundtable.channel.workflow import CHANNEL

        return CHANNEL

    @property
    def state_label(self) -> str:
        return self.workflow.state_label(self.state)

    @property
    def is_open(self) -> bool:
        return not self.workflow.is_terminal(self.state)

    @property
    def pending_transfer(self):
        return self.transfers.filter(outcome=TransferOffer.Outcome.PENDING).select_related("to_panel").first()


INDICATORS = [
    ("extremist_views", "Expressing extremist views, or sympathy with an extremist ideology or group"),
    ("material", "Accessing, sharing or making extremist material, online or offline"),
    ("violence", "Talking about, justifying or planning violence"),
    ("behaviour_change", "A sudden change in behaviour, appearance or friendships"),
    ("isolation", "Withdrawing from family, friends or usual activities"),
    ("association", "Contact with people or groups known for extremism"),
    ("grievance", "A strong sense of grievance or injustice"),
    ("fascination", "Fascination with mass-casualty attacks or extreme violence"),
    ("travel", "Talking about travelling to a conflict zone"),
]


class ReferrerSector(models.TextChoices):
    EDUCATION = "education", "Education"
    POLICE = "police", "Police"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HEALTH = "health", "Health"
    COMMUNITY = "community", "Community"
    FAMILY_FRIEND = "family_friend", "Family or friend"
    PRISONS = "prisons", "Prisons"
    PROBATION = "probation", "Probation"
    OTHER = "other", "Other"


class Knows(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "I do not know"


class ReferralConsent(models.TextChoices):
    GIVEN = "given", "Yes, they agreed to this referral"
    REFUSED = "refused", "No, they did not agree"
    NOT_ASKED = "not_asked", "They have not been asked"
    NOT_KNOWN = "not_known", "I do not know"


class Referral(models.Model):
    """What the referrer told us, kept as given (the person's profile may later differ)."""

    class Source(models.TextChoices):
        PUBLIC = "public", "Public referral page"
        IN_APP = "in_app", "Referral form in Roundtable"
        API = "api", "API"

    channel_case = models.OneToOneField(ChannelCase, on_delete=models.CASCADE, related_name="referral")
    # Given to the referrer; random, so it reveals nothing about how many referrals there are.
    reference = models.CharField(max_length=20, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    # The person, as given.
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    school_or_employer = models.CharField(max_length=200, blank=True)

    # The concern.
    concern = models.TextField()
    indicators = models.JSONField(default=list, blank=True)
    indicators_other = models.TextField(blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)

    # Who referred.
    referrer_name = models.CharField(max_length=150)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(max_length=150, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=50, blank=True)
    referrer_sector = models.CharField(max_length=20, choices=ReferrerSector.choices)

    # What the person and their family know, and whether they agreed.
    person_aware = models.CharField(max_length=10, choices=Knows.choices)
    family_aware = models.CharField(max_length=10, choices=Knows.choices)
    consent = models.CharField(max_length=10, choices=ReferralConsent.choices)

    # Sent on the panel's own referral form (form builder): every answer, with the version
    # of the form it was answered on. None: sent on the built-in form or through the API.
    form_submission = models.OneToOneField(
        "formbuilder.Submission", null=True, blank=True, on_delete=models.PROTECT, related_name="channel_referral"
    )

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Referral {self.reference}"

    @staticmethod
    def new_reference() -> str:
        # No 0/O or 1/I: read out over the phone without confusion.
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        raw = "".join(secrets.choice(alphabet) for _ in range(8))
        return f"PR-{raw[:4]}-{raw[4:]}"

    @property
    def indicator_labels(self) -> list[str]:
        labels = dict(INDICATORS)
        return [labels.get(key, key) for key in self.indicators]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Screening(models.Model):
    class Result(models.TextChoices):
        CLEAR = "clear", "Clear"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate for Channel"

    class Route(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        SAFEGUARDING = "safeguarding", "Ordinary safeguarding referral"
        LOCAL_AUTHORITY = "local_authority", "Pass to the local authority Prevent lead"

    channel_case = models.OneToOneField(ChannelCase, on_delete=models.CASCADE, related_name="screening")
    deconfliction_checked = models.BooleanField()
    deconfliction_date = models.DateField()
    # Deliberately no reason field: the result is all that is recorded.
    result = models.CharField(max_length=20, choices=Result.choices)
    initial_risk = models.TextField()
    route = models.CharField(max_length=20, choices=Route.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Screening of {self.channel_case}"


class NextStep(models.Model):
    class Step(models.TextChoices):
        PANEL_HEARING = "panel_hearing", "Arrange a panel hearing"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        OTHER_ASSESSMENT = "other_assessment", "Safeguarding concern or other assessment"

    channel_case = models.OneToOneField(ChannelCase, on_delete=models.CASCADE, related_name="next_step")
    step = models.CharField(max_length=20, choices=Step.choices)
    reasons = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Next step for {self.channel_case}"


class PanelDecision(models.Model):
    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt as a Channel case"
        SIGNPOST = "signpost", "Not adopted – signpost to another service"
        EXIT = "exit", "Exit"

    channel_case = models.ForeignKey(ChannelCase, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reasons = models.TextField()
    signpost_service = models.CharField(max_length=200, blank=True)
    signpost_referral_made = models.BooleanField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.channel_case})"


class Review(models.Model):
    """A review of an open case at a panel, or of an exited case months after exit."""

    class Kind(models.TextChoices):
        PANEL = "panel", "Panel review"
        POST_EXIT = "post_exit", "Post-exit review"

    channel_case = models.ForeignKey(ChannelCase, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    summary = models.TextField()
    concerns_remain = models.BooleanField(null=True, blank=True)
    # A panel review re-assesses the person: the completed vulnerability assessment it was
    # recorded with (the latest one completed since the previous review, or since adoption
    # for the first). None: reviewed without a new assessment, with the reason why.
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_assessment_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.channel_case}"


class ScheduledReview(models.Model):
    """A review due some months after exit: the task set for it on exit and, once it is
    recorded, the post-exit review that did it (which marks the task done)."""

    channel_case = models.ForeignKey(ChannelCase, on_delete=models.CASCADE, related_name="scheduled_reviews")
    months = models.PositiveSmallIntegerField()
    task = models.OneToOneField("tasks.Task", on_delete=models.CASCADE, related_name="+")
    review = models.OneToOneField(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="scheduled")

    class Meta:
        ordering = ["months", "id"]

    def __str__(self) -> str:
        return f"Review {self.months} months after exit of {self.channel_case}"


class TransferOffer(models.Model):
    """A case offered to another area's panel; that panel's chair accepts or declines."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    channel_case = models.ForeignKey(ChannelCase, on_delete=models.CASCADE, related_name="transfers")
    from_panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    to_panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="transfer_offers")
    reason = models.TextField()
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_case"], condition=models.Q(outcome="pending"), name="one_pending_transfer_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"Transfer of {self.channel_case} to {self.to_panel}"
