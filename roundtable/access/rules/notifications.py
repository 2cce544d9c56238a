"""Notices belong to their recipient alone."""

from roundtable.access.policy import scope


@scope("notifications.notice")
def notices(user, qs):
    return qs.filter(recipient_id=user.pk)
