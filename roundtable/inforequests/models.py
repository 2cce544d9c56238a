"""Formal information requests to partner agencies, and their answers.

Police or a panel chair ask chosen organisations (anyone there may answer) or named
people "do you hold information on this person?" and similar questions, stating the
lawful basis and the consent position of the share and a deadline in working days.
Each organisation or person asked is a ``RequestRecipient`` row with its own status and
answer. Who may see what is decided in roundtable/access/rules/inforequests.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from roundtable.accounts.models import Organisation
from roundtable.cases.models import Case, ChronologyEntry

# The standard questions a sender can tick. The wording is copied into each request when
# it is sent, so changing it here never changes what was asked before.
STANDARD_QUESTIONS = [
    ("hold_information", "Do you hold information on this person?"),
    ("involvement", "What is your involvement with this person, now or in the past?"),
    ("risks", "Are you aware of any risks to this person, or posed by them?"),
    ("concerns", "Do you have any concerns about radicalisation, extremism or harmful online activity?"),
    ("household", "Who do you know to be in this person's family or household?"),
    ("other_agencies", "Do you know of other agencies working with this person or their family?"),
]
STANDARD_QUESTION_TEXT = dict(STANDARD_QUESTIONS)
MAX_QUESTIONS = 20
MAX_QUESTION_LENGTH = 500
MIN_DAYS, MAX_DAYS = 1, 30


class InformationRequest(models.Model):
    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", "Consent"
        CHANNEL_DUTY = "channel_duty", "Legal duty to co-operate with the Channel panel"
        PUBLIC_TASK = "public_task", "Public task"
        VITAL_INTERESTS = "vital_interests", "Vital interests"
        OTHER = "other", "Another lawful basis"

    class Consent(models.TextChoices):
        GIVEN = "given", "Consent given"
        NOT_SOUGHT = "not_sought", "Consent not sought"
        REFUSED = "refused", "Consent refused, but sharing is still necessary"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The sender's organisation when they sent it (people move; the request stays theirs).
    requester_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    questions = models.JSONField(default=list, help_text="The questions asked, as text, in order")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    lawful_basis_detail = models.TextField(blank=True)
    consent_position = models.CharField(max_length=20, choices=Consent.choices)
    consent_detail = models.TextField(blank=True)
    response_days = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="inforeq_case_recent_idx")]

    def __str__(self) -> str:
        return f"Information request {self.pk}"


# Plain-English hints shown under each choice on the form and on the request itself.
LAWFUL_BASIS_HINTS = {
    InformationRequest.LawfulBasis.CONSENT: "The person (or, for a child, a parent or carer) has agreed to this "
    "information being shared.",
    InformationRequest.LawfulBasis.CHANNEL_DUTY: "Partners of a Channel panel must co-operate with the panel and "
    "the police (Counter-Terrorism and Security Act 2015, section 38).",
    InformationRequest.LawfulBasis.PUBLIC_TASK: "Sharing is needed to carry out an official function, such as a "
    "statutory safeguarding duty.",
    InformationRequest.LawfulBasis.VITAL_INTERESTS: "Sharing is needed to protect someone's life, and consent "
    "cannot be obtained in time.",
    InformationRequest.LawfulBasis.OTHER: "Explain the lawful power you are relying on.",
}
CONSENT_HINTS = {
    InformationRequest.Consent.GIVEN: "The person, or a parent or carer, has agreed.",
    InformationRequest.Consent.NOT_SOUGHT: "Say why: for example, asking would put someone at risk or "
    "prejudice the prevention or detection of crime.",
    InformationRequest.Consent.REFUSED: "Say why sharing is still necessary and proportionate.",
}


class RequestRecipient(models.Model):
    """One organisation (anyone there may answer) or one named person asked."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        NOT_KNOWN = "not_known", "Not known to us"
        NOTHING_RELEVANT = "nothing_relevant", "Known to us – nothing relevant to share"
        INFORMATION_PROVIDED = "information_provided", "Known to us – information provided"

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="recipients")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # A named person: only they may answer. Empty: anyone in the organisation may.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # Each set once by the reminder sweep, so nobody is reminded or flagged twice.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shared_entry = models.ForeignKey(
        ChronologyEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Answered on the panel's (or area's) information return form: every answer as given,
    # with its version. Readable exactly where the answer is (access/rules/formbuilder.py).
    form_submission = models.OneToOneField(
        "formbuilder.Submission", null=True, blank=True, on_delete=models.PROTECT, related_name="information_return"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation"],
                condition=Q(user__isnull=True),
                name="inforeq_one_row_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["request", "user"], condition=Q(user__isnull=False), name="inforeq_one_row_per_person"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="inforeq_recipient_org_idx"),
            models.Index(fields=["user", "status"], name="inforeq_recipient_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Recipient {self.pk} of information request {self.request_id}"

    @property
    def label(self) -> str:
        """ "Tess Teacher (Millford Academy)" for a named person, else the organisation's name."""
        if self.user_id:
            return f"{self.user.full_name} ({self.organisation.name})"
        return self.organisation.name


class AnswerAttachment(models.Model):
    """A file sent with an answer. Visible exactly where the answer is (see the access rules);
    copied into the case's documents when the answer is shared with the case."""

    recipient = models.ForeignKey(RequestRecipient, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="inforequests/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    # Sniffed from the content, not what the browser claimed.
    content_type = models.CharField(max_length=120)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
