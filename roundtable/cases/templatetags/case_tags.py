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
