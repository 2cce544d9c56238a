"""Tasks are visible with their case."""

from roundtable.access.policy import rule
from roundtable.accounts.models import Role


@rule("task.list")
def list_tasks(user, obj):
    return user.role in (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)
