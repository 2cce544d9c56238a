"""The home page panel: the user's open tasks, overdue first, with a count."""

from django.db.models import Count, Q
from django.utils import timezone

from roundtable.access import policy
from roundtable.tasks import services
from roundtable.tasks.models import Task

SHOWN = 5


def panel(request):
    """This app's panel on the home page (see roundtable/core/home.py)."""
    user = request.user
    if not policy.can(user, "task.list"):
        return None
    open_tasks = services.my_tasks(user)
    today = timezone.localdate()
    counts = policy.visible(user, Task.objects.filter(assignee_id=user.pk, status__in=Task.OPEN_STATES)).aggregate(
        count=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    return {"template": "tasks/home_panel.html", "tasks": list(open_tasks[:SHOWN]), **counts}
