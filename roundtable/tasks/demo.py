"""Fictional demo tasks on the demo cases: some overdue, some done, across organisations."""

from datetime import timedelta

from django.utils import timezone

from roundtable.audit.services import record
from roundtable.cases.models import CaseMembership
from roundtable.tasks.models import Task

Status = Task.Status
# (title, due in days from today, status, preferred assignee, completion note)
DEMO_TASKS = [
    ("Tell the panel whether the school holds information", -4, Status.OPEN, "teacher", ""),
    ("Carry out a home visit and record it", 3, Status.IN_PROGRESS, "practitioner", ""),
    ("Check police systems for previous contact", -2, Status.OPEN, "police", ""),
    ("Refer the family to the food bank", -10, Status.DONE, "practitioner", "Referral made; first parcel collected."),
    ("Share the support plan with the family", 7, Status.OPEN, "police", ""),
    (
        "Offer a mentoring taster session",
        -1,
        Status.CANCELLED,
        "teacher",
        "The family asked to wait until after exams.",
    ),
]
ASSIGNEES = ("practitioner", "police", "teacher")


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent). See core/management/commands/load_demo.py."""
    cases = context.get("cases") or {}
    if not cases:
        return
    users = context["users"]
    today = timezone.localdate()
    for index, case in enumerate(sorted(cases.values(), key=lambda c: c.reference)):
        member_ids = set(CaseMembership.objects.filter(case=case).values_list("user_id", flat=True))
        members = [users[key] for key in ASSIGNEES if key in users and users[key].pk in member_ids]
        # Two or three tasks per case, rotating through the list so every state appears.
        for offset in range(3 if index % 2 == 0 else 2):
            title, due_in, status, preferred, note = DEMO_TASKS[(index * 2 + offset) % len(DEMO_TASKS)]
            if Task.objects.filter(case=case, title=title).exists():
                continue
            wanted = users.get(preferred)
            assignee = wanted if wanted in members else (members[offset % len(members)] if members else case.owner)
            task = Task.objects.create(
                case=case,
                title=title,
                assignee=assignee,
                created_by=case.owner,
                due_date=today + timedelta(days=due_in),
                status=status,
                completion_note=note,
                completed_at=timezone.now() if status in (Status.DONE, Status.CANCELLED) else None,
            )
            record(None, "task.created", task, case_id=case.pk, person_id=case.person_id, actor_label="load_demo")
