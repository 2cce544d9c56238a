"""Consent and support pages. Thin: look up through the access policy, call a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.cases.navigation import case_sections
from roundtable.core.conflicts import EditConflict
from roundtable.support import services
from roundtable.support.forms import (
    ConsentForm,
    InterventionForm,
    InterventionStatusForm,
    ProgressForm,
    ProviderForm,
)
from roundtable.support.models import Intervention, InterventionProvider

ACTIVE = "support"


def _case_or_404(request, case_pk) -> Case:
    return policy.get_visible_or_404(request.user, Case.objects.select_related("person", "area"), pk=case_pk)


def _intervention_or_404(request, pk) -> Intervention:
    related = ("case", "case__person", "case__area", "provider", "provider__organisation", "provider_organisation")
    return policy.get_visible_or_404(request.user, Intervention.objects.select_related(*related), pk=pk)


def _case_context(case) -> dict:
    return {"case": case, "case_sections": case_sections(case), "active": ACTIVE}


def _audit_read(user, action: str, obj, case: Case, **details) -> None:
    with transaction.atomic():
        record(user, action, obj, case_id=case.pk, person_id=case.person_id, **details)


def _apply_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _keep_theirs_version(request, current) -> dict:
    """On a conflict, re-show the person's own input against the latest version."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    return data


# --- The case's consent and support ------------------------------------------------------------
@require_GET
def case_support(request, case_pk):
    case = _case_or_404(request, case_pk)
    _audit_read(request.user, "case.support_viewed", case, case)
    consents = list(services.consent_history(request.user, case))
    state = services.consent_state(case, consents)
    context = {
        **_case_context(case),
        "state": state,
        "consents": consents,
        "interventions": services.with_warnings(services.case_interventions(request.user, case), state),
        "can_record_consent": case.person_id is not None and policy.can(request.user, "consent.record", case),
        "can_add_support": case.person_id is not None and policy.can(request.user, "intervention.create", case),
        "can_see_register": policy.can(request.user, "provider.list"),
    }
    return render(request, "support/case_support.html", context)


@require_http_methods(["GET", "POST"])
def record_consent(request, case_pk):
    case = _case_or_404(request, case_pk)
    policy.require(request.user, "consent.record", case)
    if case.person is None:
        messages.error(request, "This case is not about a person, so there is no consent to record.")
        return redirect("support:case_support", case.pk)
    form = ConsentForm(request.POST if request.method == "POST" else None, person=case.person)
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.do_record_consent(request.user, case, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{consent.get_decision_display()} on {services.long_date(consent.occurred_on)}.")
            return redirect("support:case_support", case.pk)
    return render(request, "support/consent_form.html", {**_case_context(case), "form": form})


def _intervention_form(request, case, data=None, *, current=None, **kwargs) -> InterventionForm:
    providers = services.area_providers(request.user, case.area, active_only=True)
    if current is not None and current.provider_id:
        # A provider who has since left the register stays choosable for the support they give.
        providers = services.area_providers(request.user, case.area).filter(
            pk__in=[*providers.values_list("pk", flat=True), current.provider_id]
        )

    def check(**fields):
        return services.intervention_errors(request.user, case, **fields, current=current)

    return InterventionForm(
        data,
        organisations=services.area_organisations(case.area),
        providers=providers,
        creating=current is None,
        check=check,
        **kwargs,
    )


def _saved_message(intervention: Intervention, verb: str) -> str:
    warning = services.dbs_warning(intervention.provider, until=intervention.ends_on)
    message = f"{intervention.type_label} {verb}."
    return f"{message} Warning: {warning}" if warning else message


@require_http_methods(["GET", "POST"])
def create_intervention(request, case_pk):
    case = _case_or_404(request, case_pk)
    policy.require(request.user, "intervention.create", case)
    if case.person is None:
        messages.error(request, "This case is not about a person, so it has no support plan.")
        return redirect("support:case_support", case.pk)
    problem = services.consent_problem(case)
    form = _intervention_form(
        request, case, request.POST if request.method == "POST" else None, consent_problem=problem
    )
    if request.method == "POST" and form.is_valid():
        try:
            intervention = services.do_create_intervention(
                request.user, case, status=form.cleaned_data["status"], **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _saved_message(intervention, "added to the support plan"))
            return redirect("support:intervention", intervention.pk)
    context = {**_case_context(case), "form": form, "creating": True, "consent_problem": problem}
    return render(request, "support/intervention_form.html", context)


@require_GET
def intervention(request, pk):
    intervention = _intervention_or_404(request, pk)
    case = intervention.case
    _audit_read(request.user, "intervention.viewed", intervention, case)
    state = services.consent_state(case)
    (intervention,) = services.with_warnings([intervention], state)
    context = {
        **_case_context(case),
        "intervention": intervention,
        "updates": list(services.intervention_updates(request.user, intervention)),
        "can_edit": policy.can(request.user, "intervention.edit", intervention),
        "can_change_status": policy.can(request.user, "intervention.change_status", intervention)
        and bool(services.next_statuses(intervention)),
        "can_add_progress": policy.can(request.user, "intervention.add_progress", intervention),
    }
    return render(request, "support/intervention_detail.html", context)


@require_http_methods(["GET", "POST"])
def edit_intervention(request, pk):
    intervention = _intervention_or_404(request, pk)
    policy.require(request.user, "intervention.edit", intervention)
    case, conflict = intervention.case, None
    if request.method == "POST":
        form = _intervention_form(request, case, request.POST, current=intervention)
        if form.is_valid():
            try:
                updated = services.do_update_intervention(
                    request.user, intervention, form.cleaned_data["version"] or 0, **form.service_kwargs()
                )
            except EditConflict as clash:
                conflict = clash
                form = _intervention_form(
                    request, case, _keep_theirs_version(request, clash.current), current=intervention
                )
                form.is_valid()
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                updated = _intervention_or_404(request, updated.pk)
                messages.success(request, _saved_message(updated, "is saved"))
                return redirect("support:intervention", intervention.pk)
    else:
        form = _intervention_form(
            request, case, initial=InterventionForm.initial_for(intervention), current=intervention
        )
    context = {**_case_context(case), "form": form, "intervention": intervention, "conflict": conflict}
    return render(request, "support/intervention_form.html", {**context, "creating": False})


@require_http_methods(["GET", "POST"])
def intervention_status(request, pk):
    intervention = _intervention_or_404(request, pk)
    policy.require(request.user, "intervention.change_status", intervention)
    case, conflict = intervention.case, None
    if not services.next_statuses(intervention):
        messages.error(
            request, f"This support is {intervention.get_status_display().lower()}: its status cannot change."
        )
        return redirect("support:intervention", intervention.pk)
    data = request.POST if request.method == "POST" else None
    form = InterventionStatusForm(data, intervention=intervention, initial={"version": intervention.version})
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.do_change_intervention_status(
                request.user,
                intervention,
                form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except EditConflict as clash:
            conflict = clash
            form = InterventionStatusForm(_keep_theirs_version(request, clash.current), intervention=clash.current)
            form.is_valid()
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{updated.type_label} is now {updated.get_status_display().lower()}.")
            return redirect("support:intervention", intervention.pk)
    context = {
        **_case_context(case),
        "form": form,
        "intervention": intervention,
        "conflict": conflict,
        "consent_problem": services.consent_problem(case),
    }
    return render(request, "support/status_form.html", context)


@require_http_methods(["GET", "POST"])
def add_progress(request, pk):
    intervention = _intervention_or_404(request, pk)
    policy.require(request.user, "intervention.add_progress", intervention)
    form = ProgressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_progress_update(request.user, intervention, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The progress update is saved.")
            return redirect("support:intervention", intervention.pk)
    context = {**_case_context(intervention.case), "form": form, "intervention": intervention}
    return render(request, "support/progress_form.html", context)


# --- The provider register -------------------------------------------------------------------
@require_GET
def providers(request):
    policy.require(request.user, "provider.list")
    area = request.user.organisation.area
    items = list(services.area_providers(request.user, area))
    for provider in items:
        provider.dbs_warning = services.dbs_warning(provider) if provider.active else None
        provider.dbs_status = services.dbs_status(provider)
    with transaction.atomic():
        record(request.user, "provider.register_viewed", None, area_id=area.pk, count=len(items))
    context = {"area": area, "providers": items, "can_manage": policy.can(request.user, "provider.manage", area)}
    return render(request, "support/providers.html", context)


@require_http_methods(["GET", "POST"])
def create_provider(request):
    area = request.user.organisation.area
    policy.require(request.user, "provider.manage", area)
    data = request.POST if request.method == "POST" else None
    form = ProviderForm(data, organisations=services.area_organisations(area), creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.do_create_provider(request.user, area, **form.service_kwargs())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            warning = services.dbs_warning(provider)
            messages.success(
                request, f"{provider.name} is on the register." + (f" Warning: {warning}" if warning else "")
            )
            return redirect("support:providers")
    return render(request, "support/provider_form.html", {"form": form, "area": area, "creating": True})


@require_http_methods(["GET", "POST"])
def edit_provider(request, pk):
    provider = policy.get_visible_or_404(
        request.user, InterventionProvider.objects.select_related("area", "organisation"), pk=pk
    )
    policy.require(request.user, "provider.manage", provider)
    organisations = services.area_organisations(provider.area)
    conflict = None
    if request.method == "POST":
        form = ProviderForm(request.POST, organisations=organisations, creating=False)
        if form.is_valid():
            try:
                services.do_update_provider(
                    request.user, provider, form.cleaned_data["version"] or 0, **form.service_kwargs()
                )
            except EditConflict as clash:
                conflict = clash
                form = ProviderForm(
                    _keep_theirs_version(request, clash.current), organisations=organisations, creating=False
                )
                form.is_valid()
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['name']} is saved.")
                return redirect("support:providers")
    else:
        form = ProviderForm(initial=ProviderForm.initial_for(provider), organisations=organisations, creating=False)
    context = {"form": form, "area": provider.area, "provider": provider, "conflict": conflict, "creating": False}
    return render(request, "support/provider_form.html", context)
