from django import template

from roundtable.access import policy
from roundtable.cases.queries import encode_cursor

register = template.Library()


@register.simple_tag
def may(user, action: str, obj=None) -> bool:
    """``{% may user "entry.amend" entry as allowed %}``: ask the access policy from a template."""
    return policy.can(user, action, obj)


@register.filter
def entry_sort_key(entry) -> str:
    # Newest first: the live script compares these (microseconds, id) to place new entries.
    return encode_cursor(entry)


AUDIT_ACTIONS = {
    "case.created": "Opened the case",
    "case.viewed": "Viewed the case summary",
    "case.chronology_viewed": "Viewed the chronology",
    "case.members_viewed": "Viewed the people on the case",
    "case.history_viewed": "Viewed who has seen this",
    "case.member_added": "Added a member",
    "case.member_invited": "Invited a new member",
    "case.member_role_changed": "Changed a member's role",
    "case.member_removed": "Removed a member",
    "entry.viewed": "Viewed an entry",
    "entry.history_viewed": "Viewed an entry's history",
    "entry.recorded": "Added an entry",
    "entry.amended": "Amended an entry",
    "entry.retracted": "Retracted an entry",
    "entry.restricted": "Restricted an entry",
    "entry.unrestricted": "Opened a restricted entry to the case",
    "case.summary_exported": "Downloaded the case summary (PDF)",
    "case.support_viewed": "Viewed consent and support",
    "case.consent_viewed": "Viewed the consent history",
    "consent.recorded": "Recorded a consent decision",
    "intervention.created": "Added support to the plan",
    "intervention.viewed": "Viewed support",
    "intervention.updated": "Changed support",
    "intervention.status_changed": "Changed the status of support",
    "intervention.progress_added": "Added a progress update to support",
}


@register.filter
def audit_action(action: str) -> str:
    """Plain words for an audit action; other apps' actions show as recorded."""
    return AUDIT_ACTIONS.get(action, action)
