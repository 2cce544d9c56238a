"""The home page panel: how many information requests wait for the user's answer (one query)."""

from roundtable.access import policy
from roundtable.inforequests import services


def panel(request):
    """This app's panel on the home page (see roundtable/core/home.py); shown only when something waits."""
    user = request.user
    if not policy.can(user, "inforequest.inbox"):
        return None
    counts = services.inbox_counts(user)
    if not counts["waiting"]:
        return None
    return {"template": "inforequests/home_panel.html", **counts}
