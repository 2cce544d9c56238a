"""Which form a panel uses for its referral form, home visit record and information returns.

A panel's own choice wins; without one, the area's choice (``AreaFormChoice``) applies.
Only a published form that is not retired counts, so retiring a form never leaves a
page pointing at something that cannot be filled in. A Channel panel's referral form also
has to carry the questions the Channel process needs (roundtable/channel/referral_form.py):
one that does not is refused when chosen, and its area's choice is passed over for it.
Likewise an information return form must carry the questions an information request's
answer needs (roundtable/inforequests/return_form.py), for a panel and for an area alike.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from roundtable.access import policy
from roundtable.accounts.models import Area
from roundtable.audit.services import record
from roundtable.formbuilder.models import AreaFormChoice, FormDefinition, PanelFormChoice, Purpose

# What a panel chooses a form for (assessments and "other" forms are chosen case by case).
PANEL_PURPOSES = (Purpose.REFERRAL, Purpose.HOME_VISIT, Purpose.INFORMATION_RETURN)


def usable(qs: QuerySet) -> QuerySet:
    return qs.filter(status=FormDefinition.Status.ACTIVE, latest_version__isnull=False)


def choosable(panel, purpose: str) -> QuerySet:
    """Published forms of this purpose owned by the panel's area (and by no other panel)."""
    return (
        usable(FormDefinition.objects.filter(owner_area_id=panel.area_id, purpose=purpose))
        .filter(Q(owner_panel__isnull=True) | Q(owner_panel=panel))
        .select_related("latest_version", "owner_panel")
        .order_by("name", "pk")
    )


def problems_for(panel, purpose: str, schema: dict) -> list[str]:
    """Why this version cannot serve this panel for this purpose (empty: it can)."""
    if purpose == Purpose.REFERRAL and panel is not None and panel.is_channel:
        from roundtable.channel.referral_form import problems

        return problems(schema)
    if purpose == Purpose.INFORMATION_RETURN:
        from roundtable.inforequests.return_form import problems

        return problems(schema)
    return []


# What a refusal says a form was being chosen or published for.
USE_WORDS = {Purpose.REFERRAL: "referrals", Purpose.INFORMATION_RETURN: "information returns"}


def refusal(definition: FormDefinition, purpose: str, panel=None) -> str:
    """The first line of a refusal to choose a form that does not suit."""
    if purpose == Purpose.REFERRAL:
        return f"“{definition.name}” cannot be this Channel panel's referral form."
    whose = "this panel's" if panel is not None else f"{definition.owner_area.name}'s"
    return f"“{definition.name}” cannot be {whose} {Purpose(purpose).label.lower()} form."


def chosen(panel=None, purpose: str = Purpose.REFERRAL, *, area=None) -> FormDefinition | None:
    """The form this panel (or, with no panel, this area) uses for ``purpose``, or None."""
    if panel is not None:
        own = (
            PanelFormChoice.objects.filter(panel=panel, purpose=purpose)
            .filter(definition__in=usable(FormDefinition.objects.all()))
            .select_related("definition__latest_version")
            .first()
        )
        if own is not None:
            if purpose == Purpose.INFORMATION_RETURN and problems_for(
                panel, purpose, own.definition.latest_version.schema
            ):
                return None  # chosen before the checks existed: the built-in answer form applies
            return own.definition
        area = panel.area
    if area is None:
        return None
    fallback = (
        AreaFormChoice.objects.filter(area=area, purpose=purpose, definition__owner_panel__isnull=True)
        .filter(definition__in=usable(FormDefinition.objects.all()))
        .select_related("definition__latest_version")
        .first()
    )
    if fallback is None:
        return None
    if problems_for(panel, purpose, fallback.definition.latest_version.schema):
        return None  # the area's form does not suit (this panel): the built-in form applies
    return fallback.definition


def panel_choices(panel) -> list[dict]:
    """For the panel's page: per purpose, its own choice, the area's and what applies."""
    own = {c.purpose: c for c in PanelFormChoice.objects.filter(panel=panel).select_related("definition")}
    rows = []
    for purpose in PANEL_PURPOSES:
        rows.append(
            {
                "purpose": purpose,
                "label": Purpose(purpose).label,
                "own": own.get(purpose),
                "applies": chosen(panel, purpose),
                "options": list(choosable(panel, purpose)),
            }
        )
    return rows


@transaction.atomic
def do_choose_for_panel(actor, panel, purpose: str, definition: FormDefinition | None):
    """Set (or, with None, clear) the panel's form for a purpose. Raises ValidationError
    naming why a form cannot be chosen, PermissionDenied for anyone but the panel's chair and
    administrators (an actor of None is a trusted operator, as for every service)."""
    policy.permit(actor, "panel.choose_forms", panel, doing="choose this panel's forms")
    if purpose not in PANEL_PURPOSES:
        raise ValidationError("Choose a form for a referral, a home visit record or an information return.")
    if definition is None:
        PanelFormChoice.objects.filter(panel=panel, purpose=purpose).delete()
        record(actor, "panel.form_choice_cleared", panel, purpose=purpose)
        return None
    if not choosable(panel, purpose).filter(pk=definition.pk).exists():
        raise ValidationError(
            f"Choose a published {Purpose(purpose).label.lower()} form of {panel.area.name} or of this panel."
        )
    found = problems_for(panel, purpose, definition.latest_version.schema)
    if found:
        raise ValidationError([refusal(definition, purpose, panel)] + found)
    choice, _ = PanelFormChoice.objects.update_or_create(
        panel=panel, purpose=purpose, defaults={"definition": definition, "chosen_by": actor}
    )
    record(actor, "panel.form_chosen", panel, purpose=purpose, definition=definition.pk)
    return choice


def publishing_problems(definition: FormDefinition, schema: dict) -> list[str]:
    """Publishing this schema would break a panel (or, for information returns, an area) that
    uses the form: say which and why."""
    from roundtable.panels.models import Panel

    active = Panel.objects.filter(is_active=True).select_related("area")
    chosen_here = PanelFormChoice.objects.filter(definition=definition, purpose=definition.purpose)
    direct = set(chosen_here.values_list("panel", flat=True))
    own_choice = PanelFormChoice.objects.filter(purpose=definition.purpose).values("panel")
    areas = AreaFormChoice.objects.filter(definition=definition, purpose=definition.purpose).values("area")
    via_area = set(active.filter(area__in=areas).exclude(pk__in=own_choice).values_list("pk", flat=True))
    current = definition.latest_version.schema if definition.latest_version_id else None
    purpose = definition.purpose
    uses = USE_WORDS.get(purpose, Purpose(purpose).label.lower())
    found = []
    if purpose == Purpose.INFORMATION_RETURN:
        # The same checks for every panel: the area's message covers the panels that follow it.
        via_area = set()
        if current is None or not problems_for(None, purpose, current):
            for area in Area.objects.filter(pk__in=areas).order_by("name"):
                for problem in problems_for(None, purpose, schema):
                    found.append(f"{area.name} uses this form for its {uses}: {problem}")
    panels = active.filter(pk__in=direct | via_area).order_by("name")
    for panel in panels:
        if panel.pk not in direct and (current is None or problems_for(panel, purpose, current)):
            continue  # the area's form never suited this panel, so the panel does not use it
        for problem in problems_for(panel, purpose, schema):
            found.append(f"{panel.name} uses this form for its {uses}: {problem}")
    return found


def forget_retired(definition: FormDefinition) -> None:
    """A retired form is chosen by nobody (its area and panels fall back)."""
    AreaFormChoice.objects.filter(definition=definition).delete()
    PanelFormChoice.objects.filter(definition=definition).delete()


def require_visible_panel(user, pk):
    from roundtable.panels.models import Panel

    return policy.get_visible_or_404(user, Panel.objects.select_related("area", "chair"), pk=pk)


def builds_for_panel(user, panel) -> bool:
    """The panel's chair and administrators build its own forms and choose its forms."""
    if panel.chair_id == user.pk:
        return True
    return panel.administrators.filter(pk=user.pk).exists()


def panels_built_by(user) -> list:
    """Active panels of the user's area that the user chairs or administers."""
    from roundtable.panels.models import Panel

    return list(
        Panel.objects.filter(area_id=user.organisation.area_id, is_active=True)
        .filter(Q(chair=user) | Q(administrators=user))
        .distinct()
        .order_by("name")
    )


def case_panel(case):
    """The panel a case belongs to (a Channel case's panel), or None."""
    from django.core.exceptions import ObjectDoesNotExist

    if case.kind != "channel":
        return None  # only Channel cases belong to a panel for now (no query for the others)
    try:
        return case.channel.panel
    except (ObjectDoesNotExist, AttributeError):
        return None


def for_case(case, purpose: str) -> FormDefinition | None:
    """The form a case's panel (or, without one, the case's area) uses for ``purpose``."""
    panel = case_panel(case)
    return chosen(panel, purpose) if panel is not None else chosen(None, purpose, area=case.area)
