"""Background jobs of the information requests app: e-mails (django-tasks, like tasks/jobs.py).

Jobs take IDs only and re-read everything when they run, so no personal data goes
through the queue. An e-mail carries fixed words and a link: no person's name, no
question, no answer, no case reference. The linked page asks the reader to sign in and
applies the access policy.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from roundtable.access import policy

# To the people asked:
NEW = "new"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
# To the person who asked:
ANSWERED = "answered"
NOT_ANSWERED = "not_answered"

TO_RECIPIENTS = (NEW, DUE_SOON, OVERDUE)

SUBJECTS = {
    NEW: "Roundtable: you have an information request to answer",
    DUE_SOON: "Roundtable: an information request to you is due soon",
    OVERDUE: "Roundtable: an information request to you is past its deadline",
    ANSWERED: "Roundtable: an information request you sent has been answered",
    NOT_ANSWERED: "Roundtable: an information request you sent has not been answered in time",
}
OPENINGS = {
    NEW: "A partner agency has sent you, or your organisation, a formal information request in Roundtable.",
    DUE_SOON: "An information request to you, or your organisation, is due to be answered by the end of the "
    "next working day.",
    OVERDUE: "An information request to you, or your organisation, has passed its deadline without an answer.",
    ANSWERED: "An organisation has answered an information request you sent in Roundtable.",
    NOT_ANSWERED: "Someone you sent an information request to in Roundtable has not answered by the deadline.",
}


def request_email(kind: str, link: str) -> tuple[str, str]:
    """The subject and body: fixed words and a link, nothing from the record."""
    body = f"{OPENINGS[kind]}\n\nSign in to see it:\n{link}\n\nThis e-mail was sent automatically by Roundtable.\n"
    return SUBJECTS[kind], body


@task()
def send_request_email(kind: str, recipient_id: int, user_id: int) -> bool:
    """E-mail one user about one recipient row, if it still applies when the job runs."""
    from roundtable.accounts.models import User
    from roundtable.inforequests.models import RequestRecipient

    if kind not in SUBJECTS:
        raise ValueError(f"Unknown information request e-mail {kind!r}")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    visible = policy.visible(user, RequestRecipient.objects.filter(pk=recipient_id)).select_related("request").first()
    if visible is None:
        return False  # taken off the case, moved organisation, or the row is gone
    if kind in TO_RECIPIENTS and visible.status != RequestRecipient.Status.PENDING:
        return False  # answered or withdrawn since: nothing to ask of them
    subject, body = request_email(kind, settings.SITE_URL + reverse("inforequests:detail", args=[visible.request_id]))
    send_mail(subject, body, from_email=None, recipient_list=[user.email])
    return True
