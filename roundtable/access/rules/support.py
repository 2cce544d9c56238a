"""Consent and support plans are case content, visible with their case: whoever may see
the case reads its consent history, interventions and progress updates. The case's
owners and contributors record consent, add and change interventions and add updates.

Intervention providers form a register per area, kept by that area's panel chairs and
panel administrators. Everyone who works on cases in the area reads the register (to
choose a provider); a member of a case elsewhere sees the register of that case's area
and any provider named on a case they can see, and nothing more.
"""

from django.db.models import Exists, OuterRef, Q

from roundtable.access import policy
from roundtable.access.policy import has_role, rule, scope
from roundtable.access.rules.cases import contribute
from roundtable.accounts.models import Role

CASE_WORKERS = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)
REGISTER_KEEPERS = (Role.PANEL_CHAIR, Role.PANEL_ADMIN)


def _visible_cases(user):
    from roundtable.cases.models import Case

    # Delegate to the cases scope so support follows any widening of case visibility.
    return policy.visible(user, Case.objects.all())


@scope("support.consentrecord")
@scope("support.intervention")
def case_content(user, qs):
    return qs.filter(case__in=_visible_cases(user).values("pk"))


@scope("support.progressupdate")
def progress_updates(user, qs):
    return qs.filter(intervention__case__in=_visible_cases(user).values("pk"))


@scope("support.interventionprovider")
def providers(user, qs):
    from roundtable.support.models import Intervention

    cases = _visible_cases(user)
    named_on_a_visible_case = Exists(
        Intervention.objects.filter(provider_id=OuterRef("pk"), case__in=cases.values("pk"))
    )
    area_of_a_visible_case = Q(area_id__in=cases.values("area_id"))
    if has_role(user, *CASE_WORKERS):
        return qs.filter(Q(area_id=user.organisation.area_id) | area_of_a_visible_case | named_on_a_visible_case)
    return qs.filter(area_of_a_visible_case | named_on_a_visible_case)


@rule("consent.record")
def record_consent(user, case):
    return contribute(user, case)


@rule("intervention.create")
def create_intervention(user, case):
    return contribute(user, case)


@rule("intervention.edit")
def edit_intervention(user, intervention):
    return contribute(user, intervention.case_id)


@rule("intervention.change_status")
def change_intervention_status(user, intervention):
    return contribute(user, intervention.case_id)


@rule("intervention.add_progress")
def add_progress(user, intervention):
    return contribute(user, intervention.case_id)


@rule("provider.list")
def list_providers(user, obj):
    """The register page of the user's own area."""
    return has_role(user, *CASE_WORKERS)


@rule("provider.manage")
def manage_providers(user, obj):
    """Add to and change a register: ``obj`` is a provider, an area, or None (their own area)."""
    if not has_role(user, *REGISTER_KEEPERS):
        return False
    if obj is None:
        return True  # the register of their own area
    area_id = getattr(obj, "area_id", None) or getattr(obj, "pk", None)
    return area_id == user.organisation.area_id
