"""Form definitions and submissions.

Definitions are not case data: anyone who works on cases in an area may see that area's
forms (to fill them in), and its panel administrators and chairs build them. A form owned
by a panel is built only by that panel's chair and administrators. Nobody outside the
owning area sees a definition (404).

Which forms a panel uses (its referral form, home visit record, information returns) is
chosen by the panel's chair and administrators.

Submissions are case content: need to know through the case. A user sees a submission
when they are a member of its case and — once it became a chronology entry — may read
that entry's content (a locked-down entry locks down its form too). Drafts are their
author's only until submitted. A submission that answers an information request
(``information_return``) is part of that answer and is read only where the answer is
(roundtable/access/rules/inforequests.py).
"""

from django.db.models import Exists, OuterRef, Q

from roundtable.access.policy import has_role, rule, scope
from roundtable.access.rules.cases import content_visible_q, contribute
from roundtable.accounts.models import Role

CASE_WORKERS = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)
BUILDERS = (Role.PANEL_ADMIN, Role.PANEL_CHAIR)


def _area_id(user):
    return user.organisation.area_id


@scope("formbuilder.formdefinition")
def definitions(user, qs):
    if not has_role(user, *CASE_WORKERS):
        return qs.none()
    return qs.filter(owner_area_id=_area_id(user))


@scope("formbuilder.formversion")
def versions(user, qs):
    if not has_role(user, *CASE_WORKERS):
        return qs.none()
    return qs.filter(definition__owner_area_id=_area_id(user))


@scope("formbuilder.areaformchoice")
def area_choices(user, qs):
    if not has_role(user, *CASE_WORKERS):
        return qs.none()
    return qs.filter(area_id=_area_id(user))


@scope("formbuilder.submission")
def submissions(user, qs):
    from roundtable.cases.models import CaseMembership

    member = Exists(CaseMembership.objects.filter(case_id=OuterRef("case_id"), user_id=user.pk))
    finished_or_mine = Q(status="submitted") | Q(created_by_id=user.pk)
    entry_readable = Q(entry__isnull=True) | content_visible_q(user, prefix="entry__")
    return qs.filter(member).filter(finished_or_mine).filter(entry_readable).filter(_answer_readable_q(user))


def _answer_readable_q(user) -> Q:
    """An information return given in answer to a request is part of that answer: it is read
    exactly by whoever may read the answer (the sender, the chairs on the case, and every member
    once shared; the answering organisation reads it on the request's pages, not here)."""
    from roundtable.access.rules.inforequests import answer_readable_q
    from roundtable.inforequests.models import RequestRecipient

    readable = RequestRecipient.objects.filter(answer_readable_q(user)).values("form_submission_id")
    return Q(information_return__isnull=True) | Q(pk__in=readable)


@rule("formdefinition.list")
def list_definitions(user, obj):
    return has_role(user, *CASE_WORKERS)


@rule("formdefinition.create")
def create_definition(user, obj):
    return has_role(user, *BUILDERS)


@scope("formbuilder.panelformchoice")
def panel_choices(user, qs):
    if not has_role(user, *CASE_WORKERS):
        return qs.none()
    return qs.filter(panel__area_id=_area_id(user))


@rule("formdefinition.manage")
def manage_definition(user, definition):
    """Edit, publish, retire, delete, choose for a purpose: builders of the owning area
    (for a panel's own form, that panel's chair and administrators)."""
    if not (has_role(user, *BUILDERS) and definition is not None and definition.owner_area_id == _area_id(user)):
        return False
    if definition.owner_panel_id is None:
        return True
    from roundtable.formbuilder.choices import builds_for_panel

    return builds_for_panel(user, definition.owner_panel)


@rule("panel.choose_forms")
def choose_panel_forms(user, panel):
    """The panel's chair and administrators, in its area, choose the forms it uses."""
    from roundtable.formbuilder.choices import builds_for_panel

    if panel is None or not has_role(user, *CASE_WORKERS) or panel.area_id != _area_id(user):
        return False
    return builds_for_panel(user, panel)


@rule("submission.start")
def start_submission(user, case):
    """Fill in a form about a case: contributors and owners of the case."""
    return has_role(user, *CASE_WORKERS) and case is not None and contribute(user, case)


@rule("submission.edit")
def edit_submission(user, submission):
    return submission.status == "draft" and submission.created_by_id == user.pk and contribute(user, submission.case_id)


@rule("submission.search")
def search_submissions(user, obj):
    return has_role(user, *CASE_WORKERS)


@rule("submission.export")
def export_submissions(user, version):
    """CSV of a version's submissions (only those the user may see): builders of the owning area."""
    return manage_definition(user, getattr(version, "definition", None))
