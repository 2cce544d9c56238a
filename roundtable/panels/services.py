"""What people can do to panels: create one (system administrators), change its settings
(its chair and system administrators). Each checks the policy, saves in one transaction
and records audit there; the settings form carries a version, so no edit is lost."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from roundtable.access import policy
from roundtable.accounts.models import Area, User
from roundtable.audit.services import record
from roundtable.core.conflicts import save_if_unchanged
from roundtable.panels.models import Panel, parse_review_months

SCALAR_FIELDS = (
    "name",
    "chair",
    "is_active",
    "police_lead",
    "adults_lead",
    "children_lead",
    "info_request_days",
    "post_exit_review_months",
)
PEOPLE_FIELDS = ("administrators", "members", "prevent_team")


def people_of_area(area: Area) -> QuerySet:
    """Who can sit on a panel in ``area``: active users of its organisations."""
    return User.objects.filter(organisation__area=area, is_active=True).select_related("organisation")


def _check(area: Area, settings: dict) -> None:
    errors = {}
    if "name" in settings and not (settings["name"] or "").strip():
        errors["name"] = "Enter the panel's name"
    if "chair" in settings and settings["chair"] is None:
        errors["chair"] = "Choose the panel's chair"
    days = settings.get("info_request_days")
    if "info_request_days" in settings and (days is None or not 1 <= days <= 30):
        errors["info_request_days"] = "Working days to answer an information request must be between 1 and 30"
    if "post_exit_review_months" in settings:
        try:
            parse_review_months(settings["post_exit_review_months"])
        except ValidationError as error:
            errors["post_exit_review_months"] = error.messages[0]
    eligible = set(people_of_area(area).values_list("pk", flat=True))
    for name in ("chair", "police_lead", "adults_lead", "children_lead"):
        user = settings.get(name)
        if user is not None and user.pk not in eligible:
            errors[name] = f"Choose someone from an organisation in {area.name}"
    for name in PEOPLE_FIELDS:
        if any(user.pk not in eligible for user in settings.get(name) or []):
            errors[name] = f"Choose people from organisations in {area.name}"
    if errors:
        raise ValidationError(errors)


def _audit_values(settings: dict) -> dict:
    values = {}
    for name, value in settings.items():
        if name in PEOPLE_FIELDS:
            values[name] = sorted(user.pk for user in value)
        elif isinstance(value, User):
            values[name] = value.pk
        else:
            values[name] = value
    return values


@transaction.atomic
def do_create_panel(actor, *, area: Area, kind: str, settings: dict) -> Panel:
    policy.permit(actor, "panel.create")
    if kind not in Panel.Kind.values:
        raise ValidationError({"kind": "Choose the kind of panel"})
    _check(area, {"name": "", "chair": None, **settings})
    if Panel.objects.filter(area=area, name=settings["name"].strip()).exists():
        raise ValidationError({"name": f"{area.name} already has a panel with this name"})
    scalars = {k: v for k, v in settings.items() if k in SCALAR_FIELDS}
    scalars["name"] = scalars["name"].strip()
    panel = Panel.objects.create(area=area, kind=kind, **scalars)
    for name in PEOPLE_FIELDS:
        getattr(panel, name).set(settings.get(name) or [])
    record(actor, "panel.created", panel, kind=kind, area=area.pk, **_audit_values(settings))
    return panel


@transaction.atomic
def do_update_panel(actor, panel: Panel, *, version: int, settings: dict) -> Panel:
    """Change a panel's settings. Raises EditConflict if someone saved it since ``version``."""
    policy.permit(actor, "panel.edit", panel)
    unknown = set(settings) - set(SCALAR_FIELDS) - set(PEOPLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}")
    _check(panel.area, settings)
    scalars = {k: v for k, v in settings.items() if k in SCALAR_FIELDS}
    if "name" in scalars:
        scalars["name"] = scalars["name"].strip()
        if Panel.objects.filter(area=panel.area, name=scalars["name"]).exclude(pk=panel.pk).exists():
            raise ValidationError({"name": f"{panel.area.name} already has a panel with this name"})
    before = {name: getattr(panel, f"{name}_id", getattr(panel, name)) for name in scalars}
    updated = save_if_unchanged(panel, version, scalars)
    for name in PEOPLE_FIELDS:
        if name in settings:
            getattr(updated, name).set(settings[name])
    after = _audit_values(settings)
    changed = sorted(name for name in scalars if before[name] != after[name])
    record(actor, "panel.updated", updated, fields=changed + sorted(n for n in PEOPLE_FIELDS if n in settings))
    return updated
