"""Files attached to a case or to one of its chronology entries."""

from django.conf import settings
from django.db import models

from roundtable.cases.models import Case, ChronologyEntry


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    entry = models.ForeignKey(
        ChronologyEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="documents/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    # The type sniffed from the content, not what the browser claimed.
    content_type = models.CharField(max_length=120)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Lock-down: when restricted, only the uploader and these people see or download it.
    is_restricted = models.BooleanField(default=False)
    restricted_to = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="document_case_recent_idx")]

    def __str__(self) -> str:
        return self.title


class WithheldDocument(Document):
    """A locked-down document seen from outside: members of the case not named on it
    learn that it exists, when, who uploaded it and whom to ask — nothing more.
    Its access scope (access/rules/documents.py) is the complement of Document's."""

    class Meta:
        proxy = True
