"""Tasks are visible with their case: whoever may see the case sees its tasks.

Who may act on a task:
- create one on a case: the case's owners and contributors;
- edit its title, description, assignee or due date: its creator and the case's owners;
- change its status: its assignee, its creator and the case's owners.
The "overdue tasks" view is for panel chairs (over every case they can see) and for
case owners (over the cases they own).
"""

from roundtable.access import policy
from roundtable.access.policy import compiled_subquery, has_role, rule, scope
from roundtable.access.rules.cases import readable_case_ids
from roundtable.accounts.models import Role

CASE_CONTENT_ROLES = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)


@scope("tasks.task")
def tasks(user, qs):
    # The cases scope's own set of readable cases, so tasks follow any widening of it.
    return qs.filter(case_id__in=readable_case_ids(user))


def _is_case_owner(user, case) -> bool:
    from roundtable.access.rules.cases import membership

    return membership(user, case) == "owner"


def _is_member(user, case) -> bool:
    from roundtable.access.rules.cases import membership

    return membership(user, case) is not None


@rule("task.list")
def list_tasks(user, obj):
    return user.role in CASE_CONTENT_ROLES


@rule("task.create")
def create_task(user, case):
    return policy.can(user, "case.contribute", case)


@rule("task.edit")
def edit_task(user, task):
    if not _is_member(user, task.case):
        return False
    return task.created_by_id == user.pk or _is_case_owner(user, task.case)


@rule("task.update_status")
def update_task_status(user, task):
    if not _is_member(user, task.case):
        return False
    return user.pk in (task.assignee_id, task.created_by_id) or _is_case_owner(user, task.case)


def owned_cases(user):
    from roundtable.cases.models import CaseMembership

    return compiled_subquery(
        user, "owned_case_ids", lambda: CaseMembership.objects.filter(user_id=user.pk, role="owner").values("case_id")
    )


@rule("task.view_overdue")
def view_overdue(user, obj):
    if has_role(user, Role.PANEL_CHAIR):
        return True
    from roundtable.cases.models import CaseMembership

    return user.role in CASE_CONTENT_ROLES and CaseMembership.objects.filter(user_id=user.pk, role="owner").exists()


def overseen_tasks(user, qs):
    """The tasks whose lateness this user oversees: a chair's visible cases, an owner's own cases."""
    qs = tasks(user, qs)
    if has_role(user, Role.PANEL_CHAIR):
        return qs
    return qs.filter(case_id__in=owned_cases(user))
