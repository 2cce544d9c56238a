"""Background jobs of the meetings app (django-tasks). They take IDs only and re-read
everything when they run, so nothing personal passes through the queue, and someone who
is no longer a person of the meeting (or may no longer see the task) gets nothing.

E-mails carry fixed words, the meeting's date and a link — never a case, a person's name
or an agenda item. The agenda e-mail attaches the calendar invitation (calendar.py),
which is just as bare."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks import task

from roundtable.access import policy

AGENDA_SUBJECT = "Roundtable: a panel meeting agenda has been published"
AGENDA_UPDATED_SUBJECT = "Roundtable: a panel meeting has changed"
REMINDER_SUBJECT = "Roundtable: a reminder about an action from a panel meeting"


def agenda_email(meeting, link: str, *, updated: bool) -> tuple[str, str]:
    local = timezone.localtime(meeting.starts_at)
    when = f"{date_format(local, 'j F Y')} at {local:%H:%M}"
    opening = (
        "A panel meeting you are invited to has changed, or its agenda has."
        if updated
        else "The agenda for a panel meeting you are invited to has been published."
    )
    body = (
        f"{opening}\n\nThe meeting is on {when}. A calendar invitation is attached.\n\n"
        f"Sign in to see the agenda and papers:\n{link}\n\n"
        "You can read the papers of the cases on the agenda until the meeting closes.\n\n"
        "This e-mail was sent automatically by Roundtable.\n"
    )
    return (AGENDA_UPDATED_SUBJECT if updated else AGENDA_SUBJECT), body


@task()
def send_agenda_email(meeting_id: int, user_id: int, sequence: int, updated: bool = False) -> bool:
    """E-mail one person of a meeting the link to its agenda, with the calendar invitation."""
    from roundtable.accounts.models import User
    from roundtable.meetings.calendar import meeting_ics, meeting_url
    from roundtable.meetings.models import Meeting

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    # Checked at send time, through the access policy: invitations can be withdrawn.
    meeting = policy.visible(user, Meeting.objects.select_related("panel")).filter(pk=meeting_id).first()
    if meeting is None or meeting.invitation_sequence != sequence or not meeting.is_open:
        return False  # gone, or a newer invitation supersedes this one
    subject, body = agenda_email(meeting, meeting_url(meeting), updated=updated)
    message = EmailMessage(subject, body, to=[user.email])
    message.attach("meeting.ics", meeting_ics(meeting), "text/calendar; charset=utf-8; method=PUBLISH")
    message.send()
    return True


@task()
def send_action_reminder(task_id: int, assignee_id: int) -> bool:
    """E-mail the assignee of an action that the chair reminded them of."""
    from roundtable.tasks.models import Task

    found = Task.objects.select_related("assignee").filter(pk=task_id, assignee_id=assignee_id).first()
    if found is None or not found.assignee.is_active or not found.assignee.email:
        return False
    if not policy.visible(found.assignee, Task.objects.filter(pk=task_id)).exists():
        return False
    link = settings.SITE_URL + reverse("tasks:detail", args=[task_id])
    body = (
        "The chair of a panel has reminded you of an action agreed at a panel meeting.\n\n"
        f"Sign in to see it:\n{link}\n\nThis e-mail was sent automatically by Roundtable.\n"
    )
    EmailMessage(REMINDER_SUBJECT, body, to=[found.assignee.email]).send()
    return True
