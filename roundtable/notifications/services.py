"""Tell someone something: an in-app notice and, optionally, an e-mail with a link.

E-mails never carry personal data about a case or person: only a generic subject, the
notice text (which callers keep free of names) and a link that asks them to sign in."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction

from roundtable.notifications.models import Notice


def notify(recipient, message: str, url: str = "", *, email: bool = True) -> Notice:
    notice = Notice.objects.create(recipient=recipient, message=message[:300], url=url)
    if email and recipient.is_active and recipient.email:
        link = settings.SITE_URL + url if url.startswith("/") else url
        transaction.on_commit(
            lambda: send_mail(
                subject="Roundtable: you have a new notice",
                message=f"{message}\n\nSign in to see it: {link or settings.SITE_URL}\n",
                from_email=None,
                recipient_list=[recipient.email],
                fail_silently=True,
            )
        )
    return notice


def unread_count(user) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def do_mark_notice_read(actor, notice: Notice) -> Notice:
    """Mark one of the actor's own notices read (callers fetch it through the access policy)."""
    from django.utils import timezone

    from roundtable.audit.services import record

    if notice.recipient_id != actor.pk:
        raise PermissionDenied("A notice can only be marked read by its recipient")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        record(actor, "notice.read", notice)
    return notice


@transaction.atomic
def do_mark_all_notices_read(actor) -> int:
    from django.utils import timezone

    from roundtable.audit.services import record

    count = Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        record(actor, "notice.all_read", None, count=count)
    return count
