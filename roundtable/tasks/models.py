"""Tasks people owe each other, with deadlines."""

from django.conf import settings
from django.db import models

from roundtable.cases.models import Case


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    completion_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the last overdue reminder went out, so the job does not repeat itself daily.
    reminded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_assignee_due_idx"),
            models.Index(fields=["case", "status", "due_date"], name="task_case_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    OPEN_STATES = (Status.OPEN, Status.IN_PROGRESS)
