"""The audio recording of a meeting (the live meeting helper's model; services in audio.py).

Kept out of models.py so two helpers can work on the meetings app side by side; models.py
imports it at its end so Django registers it with the app."""

from django.conf import settings
from django.db import models


class MeetingRecording(models.Model):
    """An audio recording of a meeting, streamed in like a document (documents/uploads.py)
    and played with HTTP ranges (documents/streaming.py). The chair decides who may listen:
    the chair and whoever uploaded it always may; others only when on ``listeners``."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="recordings")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="meetings/recordings/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    # The type sniffed from the content (always audio/...), not what the browser claimed.
    content_type = models.CharField(max_length=120)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    listeners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title
