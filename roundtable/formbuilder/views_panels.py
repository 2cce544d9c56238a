"""A panel's chair and administrators choose which forms the panel uses: its referral form
(the public page and the in-app referral, for a Channel panel), its home visit record and
its information returns. Anyone else gets 404, like for a panel they cannot see."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.formbuilder import choices
from roundtable.formbuilder.models import Purpose


def _panel(request, pk):
    panel = choices.require_visible_panel(request.user, pk)
    if not policy.can(request.user, "panel.choose_forms", panel):
        raise Http404
    return panel


@require_http_methods(["GET", "POST"])
def panel_forms(request, pk):
    panel = _panel(request, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        wanted = request.POST.get("definition", "")
        definition = None
        if wanted:
            definition = choices.choosable(panel, purpose).filter(pk=wanted if wanted.isdigit() else 0).first()
        try:
            if wanted and definition is None:
                raise ValidationError("Choose one of the published forms listed.")
            choices.do_choose_for_panel(request.user, panel, purpose, definition)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            errors[purpose] = exc.messages
        else:
            label = Purpose(purpose).label.lower()
            if definition is None:
                messages.success(request, f"{panel.name} now uses its area's {label} form.")
            else:
                messages.success(request, f"{panel.name} now uses “{definition.name}” as its {label} form.")
            return redirect("formbuilder:panel_forms", panel.pk)
    else:
        with transaction.atomic():
            record(request.user, "panel.forms_viewed", panel)
    rows = choices.panel_choices(panel)
    for row in rows:
        row["errors"] = errors.get(row["purpose"], [])
        if row["errors"]:
            row["wanted"] = request.POST.get("definition", "")  # keep what was chosen
    error_items = [(f"#purpose-{purpose}", message) for purpose, found in errors.items() for message in found]
    return render(
        request,
        "formbuilder/panel_forms.html",
        {"panel": panel, "rows": rows, "error_items": error_items},
        status=422 if errors else 200,
    )
