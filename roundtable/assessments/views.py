"""Assessment pages and the factor-list settings. Thin: look up through the access policy,
call a service, render. Every view of an assessment is an audit event."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.access import policy
from roundtable.accounts.models import Area
from roundtable.assessments import services
from roundtable.assessments.charts import dimension_charts
from roundtable.assessments.forms import (
    COMPLETE,
    AssessmentForm,
    ConfirmForm,
    FactorForm,
    NewFactorForm,
    StartForm,
    date_initial,
)
from roundtable.assessments.models import Assessment, Dimension, Factor, FactorRating
from roundtable.assessments.scoring import MAX_WEIGHT, factor_changes
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.cases.navigation import case_sections
from roundtable.core.conflicts import EditConflict


def _case_or_404(request, case_pk) -> Case:
    return policy.get_visible_or_404(request.user, Case.objects.select_related("person", "area"), pk=case_pk)


def _assessment_or_404(request, pk) -> Assessment:
    related = ("case", "case__person", "case__area", "assessed_by", "completed_by")
    return policy.get_visible_or_404(request.user, Assessment.objects.select_related(*related), pk=pk)


def _case_context(case) -> dict:
    return {"case": case, "case_sections": case_sections(case), "active": "assessments"}


def _audit(user, action: str, obj, case: Case, **details) -> None:
    with transaction.atomic():
        record(user, action, obj, case_id=case.pk, person_id=case.person_id, **details)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(form.field_for(key) if hasattr(form, "field_for") else _field(form, key), message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _field(form, key: str) -> str | None:
    if key == "assessed_on":
        return "assessed_day" if "assessed_day" in form.fields else None
    return key if key in form.fields else None


# --- A case's assessments ------------------------------------------------------------------
@require_GET
def case_assessments(request, case_pk):
    case = _case_or_404(request, case_pk)
    assessments = list(services.case_assessments(request.user, case))
    history = services.dimension_history(request.user, case)
    _audit(request.user, "case.assessments_viewed", case, case, count=len(assessments))
    draft = next((a for a in assessments if a.is_draft), None)
    context = {
        **_case_context(case),
        "assessments": assessments,
        "history": history,
        "charts": dimension_charts(history),
        "dimensions": Dimension.choices,
        "draft": draft,
        "can_create": draft is None and policy.can(request.user, "assessment.create", case),
        "can_continue": draft is not None and policy.can(request.user, "assessment.edit", draft),
    }
    return render(request, "assessments/case_assessments.html", context)


@require_http_methods(["GET", "POST"])
def start(request, case_pk):
    case = _case_or_404(request, case_pk)
    policy.require(request.user, "assessment.create", case)
    form = StartForm(request.POST or None, initial=date_initial("assessed", timezone.localdate()))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.do_start_assessment(request.user, case, assessed_on=form.cleaned_data["assessed_on"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The draft assessment is started. Save it as often as you like.")
            return redirect("assessments:edit", assessment.pk)
    previous = services.current_assessments(request.user, case).last()
    context = {**_case_context(case), "form": form, "previous": previous}
    return render(request, "assessments/start.html", context)


@require_GET
def detail(request, pk):
    assessment = _assessment_or_404(request, pk)
    case = assessment.case
    ratings = services.ratings_of(assessment)
    _audit(request.user, "assessment.viewed", assessment, case)
    superseded_by = assessment.superseded_by_id and Assessment.objects.filter(pk=assessment.superseded_by_id).first()
    sections = []
    for dimension, label in Dimension.choices:
        rows = [r for r in ratings if r.dimension == dimension]
        if rows:
            sections.append(
                {
                    "label": label,
                    "rows": rows,
                    "summary": getattr(assessment, f"{dimension}_summary"),
                    "score": assessment.score(dimension),
                    "present": sum(1 for r in rows if r.present),
                }
            )
    context = {
        **_case_context(case),
        "assessment": assessment,
        "sections": sections,
        "changes": services.changes_against_previous(assessment, ratings),
        "previous": services.previous_completed(assessment),
        "superseded_by": superseded_by,
        "can_edit": policy.can(request.user, "assessment.edit", assessment),
        "can_correct": policy.can(request.user, "assessment.correct", assessment),
        "max_weight": MAX_WEIGHT,
    }
    return render(request, "assessments/detail.html", context)


def _previous_answers(previous) -> dict[int, FactorRating]:
    if previous is None:
        return {}
    return {r.factor_id: r for r in FactorRating.objects.filter(assessment=previous)}


def _edit_form(assessment, data=None):
    ratings = services.ratings_of(assessment)
    previous = services.previous_completed(assessment)
    form = AssessmentForm(
        data,
        ratings=ratings,
        previous_answers=_previous_answers(previous),
        has_previous=previous is not None,
        initial=None if data is not None else AssessmentForm.initial_for(assessment, ratings),
    )
    return form, ratings, previous


def _render_edit(request, assessment, form, ratings, previous, conflict=None, status=200):
    # The changes so far, from what is saved (not what is in the form), against last time's answers.
    changes = factor_changes(form.previous_answers.values(), ratings) if previous else []
    context = {
        **_case_context(assessment.case),
        "assessment": assessment,
        "form": form,
        "sections": form.sections(),
        "previous": previous,
        "changes": changes,
        "conflict": conflict,
        "conflict_thing": "assessment",
        "can_discard": policy.can(request.user, "assessment.discard", assessment),
    }
    return render(request, "assessments/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    assessment = _assessment_or_404(request, pk)
    if not assessment.is_draft and policy.can(request.user, "case.view", assessment.case):
        messages.info(request, "This assessment is completed, so it cannot be changed. Start a correction instead.")
        return redirect("assessments:detail", assessment.pk)
    policy.require(request.user, "assessment.edit", assessment)
    if request.method == "GET":
        form, ratings, previous = _edit_form(assessment)
        _audit(request.user, "assessment.viewed", assessment, assessment.case, page="edit")
        return _render_edit(request, assessment, form, ratings, previous)

    data = request.POST.copy()
    form, ratings, previous = _edit_form(assessment, data)
    form.is_valid()
    if "version" in form.errors:
        raise Http404  # not a form this page sent
    fields, answers = form.changes()
    try:
        saved = services.do_save_draft(
            request.user, assessment, form.cleaned_data["version"], fields=fields, ratings=answers
        )
    except EditConflict as clash:
        data["version"] = str(clash.current.version)
        form, ratings, previous = _edit_form(clash.current, data)
        form.is_valid()
        return _render_edit(request, clash.current, form, ratings, previous, conflict=clash, status=409)
    except ValidationError as error:
        _apply_errors(form, error)
        return _render_edit(request, assessment, form, ratings, previous, status=422)
    data["version"] = str(saved.version)
    if form.errors:
        messages.warning(request, "Your other answers are saved. Correct the problems shown to save the rest.")
        return _render_edit(request, saved, form, services.ratings_of(saved), previous, status=422)
    if form.cleaned_data.get("action") == COMPLETE:
        try:
            services.do_complete_assessment(request.user, saved, saved.version)
        except EditConflict as clash:
            data["version"] = str(clash.current.version)
            return _render_edit(request, saved, form, services.ratings_of(saved), previous, conflict=clash, status=409)
        except ValidationError as error:
            form.apply_problems(error.message_dict)
            return _render_edit(request, saved, form, services.ratings_of(saved), previous, status=422)
        messages.success(request, "The assessment is completed. It can no longer be changed.")
        return redirect("assessments:detail", saved.pk)
    messages.success(request, "Your draft is saved. You can come back to it at any time.")
    return redirect(reverse("assessments:edit", args=[saved.pk]))


@require_http_methods(["GET", "POST"])
def discard(request, pk):
    assessment = _assessment_or_404(request, pk)
    policy.require(request.user, "assessment.discard", assessment)
    case = assessment.case
    form = ConfirmForm(request.POST or None, initial={"version": assessment.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.do_discard_draft(request.user, assessment, form.cleaned_data["version"])
        except EditConflict:
            conflict = True
        else:
            messages.success(request, "The draft assessment is discarded.")
            return redirect("assessments:case_assessments", case.pk)
    answered = FactorRating.objects.filter(assessment=assessment).exclude(present=None).count()
    context = {**_case_context(case), "assessment": assessment, "form": form, "answered": answered}
    context["conflict"] = conflict
    return render(request, "assessments/discard.html", context, status=409 if conflict else 200)


@require_http_methods(["GET", "POST"])
def correct(request, pk):
    assessment = _assessment_or_404(request, pk)
    policy.require(request.user, "assessment.correct", assessment)
    form = ConfirmForm(request.POST or None, initial={"version": assessment.version})
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.do_start_correction(request.user, assessment)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "The correction is started: change what was wrong, then complete it.")
            return redirect("assessments:edit", draft.pk)
    context = {**_case_context(assessment.case), "assessment": assessment, "form": form}
    return render(request, "assessments/correct.html", context)


# --- Factor lists (settings) -------------------------------------------------------------------
def _manageable_areas(user):
    if not policy.can(user, "factor.manage"):
        raise Http404
    return [area for area in Area.objects.order_by("name") if policy.can(user, "factor.manage", area)]


def _area_or_404(request, area_pk) -> Area:
    area = Area.objects.filter(pk=area_pk).first()
    if area is None or not policy.can(request.user, "factor.manage", area):
        raise Http404
    return area


def _factor_or_404(request, pk) -> Factor:
    factor = policy.get_visible_or_404(request.user, Factor.objects.select_related("area"), pk=pk)
    policy.require(request.user, "factor.manage", factor.area)
    return factor


@require_GET
def factor_areas(request):
    areas = _manageable_areas(request.user)
    if len(areas) == 1:
        return factors(request, areas[0].pk)  # a chair: straight to their area's list
    return render(request, "assessments/factor_areas.html", {"areas": areas})


@require_GET
def factors(request, area_pk):
    area = _area_or_404(request, area_pk)
    listed = services.factors_for(area, include_retired=True)
    used = set(FactorRating.objects.filter(factor__area=area).values_list("factor_id", flat=True).distinct())
    sections = []
    for dimension, label in Dimension.choices:
        rows = [f for f in listed if f.dimension == dimension]
        active = [f for f in rows if not f.is_retired]
        for factor in rows:
            factor.used = factor.pk in used
            factor.first = active and factor.pk == active[0].pk
            factor.last = active and factor.pk == active[-1].pk
        sections.append({"dimension": dimension, "label": label, "rows": rows, "active": len(active)})
    context = {"area": area, "sections": sections, "many_areas": len(_manageable_areas(request.user)) > 1}
    return render(request, "assessments/factors.html", context)


@require_http_methods(["GET", "POST"])
def factor_add(request, area_pk):
    area = _area_or_404(request, area_pk)
    form = NewFactorForm(request.POST or None, initial={"dimension": request.GET.get("dimension")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            factor = services.do_add_factor(
                request.user, area, dimension=data["dimension"], label=data["label"], guidance=data["guidance"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"“{factor.label}” is added. New assessments will ask about it.")
            return redirect("assessments:factors", area.pk)
    return render(request, "assessments/factor_form.html", {"area": area, "form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def factor_edit(request, pk):
    factor = _factor_or_404(request, pk)
    conflict = None
    if request.method == "POST":
        form = FactorForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_update_factor(
                    request.user, factor, data["version"] or 0, label=data["label"], guidance=data["guidance"]
                )
            except EditConflict as clash:
                conflict = clash
                post = request.POST.copy()
                post["version"] = str(clash.current.version)
                form = FactorForm(post)
                form.is_valid()
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "The factor is saved.")
                return redirect("assessments:factors", factor.area_id)
    else:
        form = FactorForm(initial={"label": factor.label, "guidance": factor.guidance, "version": factor.version})
    context = {"area": factor.area, "factor": factor, "form": form, "conflict": conflict, "conflict_thing": "factor"}
    return render(request, "assessments/factor_form.html", context)


def _factor_action(request, pk, service, message: str):
    factor = _factor_or_404(request, pk)
    try:
        service(request.user, factor)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, message.format(label=factor.label))
    return redirect("assessments:factors", factor.area_id)


@require_POST
def factor_retire(request, pk):
    return _factor_action(
        request, pk, services.do_retire_factor, "“{label}” is retired. Assessments that rated it keep it."
    )


@require_POST
def factor_restore(request, pk):
    return _factor_action(request, pk, services.do_restore_factor, "“{label}” is back in use.")


@require_POST
def factor_move(request, pk):
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        factor = _factor_or_404(request, pk)
        messages.error(request, "Choose whether to move the factor up or down.")
        return redirect("assessments:factors", factor.area_id)
    return _factor_action(
        request, pk, lambda user, factor: services.do_move_factor(user, factor, direction), "“{label}” is moved."
    )
