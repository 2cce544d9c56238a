"""The primary navigation: each entry shows only when the access policy allows it."""

from django.urls import NoReverseMatch, reverse

from roundtable.access import policy


def primary_navigation(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return []
    items = [("Home", "core:home", None)]
    items.append(("Cases", "cases:list", "case.list"))
    items.append(("People", "people:search", "person.search"))
    items.append(("Tasks", "tasks:mine", "task.list"))
    items.append(("Prevent referrals", "channel:queue", "channel.queue"))
    items.append(("Panels", "panels:list", "panel.list"))
    items.append(("Meetings", "meetings:mine", "meeting.list"))
    items.append(("Forms", "formbuilder:definition_list", "formdefinition.list"))
    items.append(("Assessment factors", "assessments:factor_areas", "factor.manage"))
    items.append(("Intervention providers", "support:providers", "provider.manage"))
    items.append(("Users", "accounts:user_list", "user.list"))
    items.append(("Organisations", "accounts:organisation_list", "organisation.list"))
    items.append(("Audit log", "audit:event_list", "audit.view"))
    items.append(("API tokens", "api_tokens:list", None))
    current = request.path
    entries = []
    for label, name, action in items:
        if action and not policy.can(user, action):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # that app's pages are not built yet
        active = current == url if url == "/" else current.startswith(url)
        entries.append({"label": label, "url": url, "active": active})
    return entries
