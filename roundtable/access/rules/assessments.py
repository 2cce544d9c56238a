"""Vulnerability assessments are visible with their case: whoever may see the case sees its
assessments, drafts included (partners fill in a draft together). Nothing about them is
restricted beyond the case; see docs/assessments.md.

Who may act:
- start, edit and complete an assessment, discard a draft, correct a completed one: the
  case's owners and contributors (not viewers);
- manage an area's factor list (rename, add, retire): system administrators for any area,
  panel chairs for their own area. Factor lists are settings, not case content;
- read an area's factor list: the people who work on cases in that area, and its managers.
"""

from roundtable.access import policy
from roundtable.access.policy import has_role, rule, scope
from roundtable.accounts.models import Role

CASE_WORKERS = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)


def _visible_cases(user):
    from roundtable.cases.models import Case

    # Delegate to the cases scope so assessments follow any widening of case visibility.
    return policy.visible(user, Case.objects.all())


@scope("assessments.assessment")
def assessments(user, qs):
    return qs.filter(case__in=_visible_cases(user).values("pk"))


@scope("assessments.factorrating")
def ratings(user, qs):
    return qs.filter(assessment__case__in=_visible_cases(user).values("pk"))


def _area_id(area_or_id):
    return getattr(area_or_id, "pk", area_or_id)


@scope("assessments.factor")
def factors(user, qs):
    """The factor lists a user may read: every area for system administrators, else their own."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return qs
    if not has_role(user, *CASE_WORKERS):
        return qs.none()
    return qs.filter(area_id=user.organisation.area_id)


def _contributes(user, case) -> bool:
    return policy.can(user, "case.contribute", case)


@rule("assessment.create")
def create_assessment(user, case):
    """Start an assessment of the person a case is about."""
    return case is not None and case.person_id is not None and _contributes(user, case)


@rule("assessment.edit")
def edit_assessment(user, assessment):
    """Change or complete a draft."""
    return assessment.is_draft and _contributes(user, assessment.case_id)


@rule("assessment.discard")
def discard_assessment(user, assessment):
    return assessment.is_draft and _contributes(user, assessment.case_id)


@rule("assessment.correct")
def correct_assessment(user, assessment):
    """Start a correction of a completed assessment that has not been corrected already."""
    return assessment.is_current and _contributes(user, assessment.case_id)


@rule("factor.manage")
def manage_factors(user, area):
    """``area`` None: may manage some area's factors (the menu entry)."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if not has_role(user, Role.PANEL_CHAIR):
        return False
    return area is None or _area_id(area) == user.organisation.area_id


@rule("factor.list")
def list_factors(user, area):
    if manage_factors(user, area):
        return True
    return has_role(user, *CASE_WORKERS) and (area is None or _area_id(area) == user.organisation.area_id)
