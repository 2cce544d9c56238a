"""Panels: who may see a panel's page and settings, and who may change them.

A panel is visible to the people named on it (chair, administrators, members, police
lead, Prevent team, local-authority leads) and to system administrators, who see its
settings only (a panel page shows no case content). The chair and system administrators
change its settings.

Workflow history rows are visible exactly when their case is.
"""

from django.db.models import Exists, OuterRef, Q

from roundtable.access import policy
from roundtable.access.policy import has_role, rule, scope
from roundtable.accounts.models import Role


def _named_on(user) -> Q:
    from roundtable.panels.models import Panel

    through = (Panel.administrators.through, Panel.members.through, Panel.prevent_team.through)
    named = Q(chair_id=user.pk) | Q(police_lead_id=user.pk) | Q(adults_lead_id=user.pk) | Q(children_lead_id=user.pk)
    for model in through:
        named |= Q(Exists(model.objects.filter(panel_id=OuterRef("pk"), user_id=user.pk)))
    return named


@scope("panels.panel")
def panels(user, qs):
    if has_role(user, Role.SYSTEM_ADMIN):
        return qs
    return qs.filter(_named_on(user))


@scope("panels.workflowevent")
def workflow_events(user, qs):
    from roundtable.cases.models import Case

    return qs.filter(case__in=policy.visible(user, Case.objects.all()).values("pk"))


@rule("panel.list")
def list_panels(user, obj):
    return user.role != Role.AUDITOR


@rule("panel.create")
def create_panel(user, obj):
    return has_role(user, Role.SYSTEM_ADMIN)


@rule("panel.view")
def view_panel(user, panel):
    return panels(user, type(panel).objects.filter(pk=panel.pk)).exists()


@rule("panel.edit")
def edit_panel(user, panel):
    return has_role(user, Role.SYSTEM_ADMIN) or panel.chair_id == user.pk
