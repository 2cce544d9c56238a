"""Panel pages: the panels a user is on, one panel's settings and people, and changing them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.access import policy
from roundtable.accounts.models import Area, User
from roundtable.audit.services import record
from roundtable.core.conflicts import EditConflict
from roundtable.panels import services
from roundtable.panels.forms import NewPanelForm, PanelForm
from roundtable.panels.models import Panel


def _panel_or_404(request, pk) -> Panel:
    related = ("area", "chair__organisation", "police_lead__organisation", "adults_lead", "children_lead")
    return policy.get_visible_or_404(request.user, Panel.objects.select_related(*related), pk=pk)


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@require_GET
def panel_list(request):
    policy.require(request.user, "panel.list")
    panels = policy.visible(request.user, Panel.objects.select_related("area", "chair")).annotate(
        member_count=Count("members", distinct=True)
    )
    context = {"panels": list(panels), "may_create": policy.can(request.user, "panel.create")}
    return render(request, "panels/panel_list.html", context)


@require_GET
def detail(request, pk):
    panel = _panel_or_404(request, pk)
    people = {
        name: list(getattr(panel, name).select_related("organisation").order_by("full_name"))
        for name in ("administrators", "members", "prevent_team")
    }
    with transaction.atomic():
        record(request.user, "panel.viewed", panel)
    context = {
        "panel": panel,
        "people": people,
        "may_edit": policy.can(request.user, "panel.edit", panel),
        "may_choose_forms": policy.can(request.user, "panel.choose_forms", panel),
    }
    return render(request, "panels/panel_detail.html", context)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    panel = _panel_or_404(request, pk)
    policy.require(request.user, "panel.edit", panel)
    people = services.people_of_area(panel.area).order_by("full_name")
    conflict = None
    if request.method == "POST":
        form = PanelForm(request.POST, people=people, kind=panel.kind)
        if form.is_valid():
            try:
                services.do_update_panel(
                    request.user, panel, version=form.cleaned_data["version"] or 0, settings=form.settings()
                )
            except EditConflict as clash:
                conflict = clash
                data = request.POST.copy()
                data["version"] = str(clash.current.version)
                form = PanelForm(data, people=people, kind=panel.kind)
                form.is_valid()
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "The panel's settings are saved.")
                return redirect("panels:detail", panel.pk)
    else:
        form = PanelForm(initial=PanelForm.initial_for(panel), people=people, kind=panel.kind)
    return render(request, "panels/panel_form.html", {"panel": panel, "form": form, "conflict": conflict})


@require_http_methods(["GET", "POST"])
def create(request):
    policy.require(request.user, "panel.create")
    people = User.objects.filter(is_active=True).select_related("organisation__area").order_by("full_name")
    form = NewPanelForm(request.POST or None, areas=Area.objects.all(), people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            panel = services.do_create_panel(
                request.user,
                area=data["area"],
                kind=data["kind"],
                settings={"name": data["name"], "chair": data["chair"]},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{panel.name} is set up. Now name its people and settings.")
            return redirect("panels:edit", panel.pk)
    return render(request, "panels/panel_create.html", {"form": form})
