"""The unread-notice count for the header, on every page of a signed-in user.

One COUNT query, only for verified users; anonymous pages and the sign-in flow pay nothing."""

from django.utils.functional import SimpleLazyObject


def _count(user) -> int:
    from roundtable.access import policy
    from roundtable.notifications.models import Notice

    return policy.visible(user, Notice.objects.filter(read_at__isnull=True)).count()


def unread_notices(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return {"unread_notice_count": 0}
    # Lazy: pages that never show the header badge never run the query.
    return {"unread_notice_count": SimpleLazyObject(lambda: _count(user))}
