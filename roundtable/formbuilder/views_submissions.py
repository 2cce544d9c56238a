"""Filling in forms about a case, reading what was submitted, finding and exporting
submissions. Every read goes through the policy (a case you are not a member of is a 404,
like one that does not exist) and is audited with the case and person."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.access import policy
from roundtable.accounts.models import Organisation
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.cases.navigation import case_sections
from roundtable.formbuilder import choices, services
from roundtable.formbuilder.forms import SubmissionSearchForm
from roundtable.formbuilder.models import FormDefinition, FormVersion, Purpose, Submission
from roundtable.formbuilder.render import apply_add_remove, error_list, fill_sections, raw_from_post

PAGE_SIZE = 25


def _case(request, case_pk) -> Case:
    return policy.get_visible_or_404(request.user, Case.objects.select_related("person"), pk=case_pk)


def _submission(request, pk) -> Submission:
    queryset = Submission.objects.select_related(
        "version", "definition", "case__person", "created_by__organisation", "entry", "channel_referral"
    )
    return policy.get_visible_or_404(request.user, queryset, pk=pk)


def _case_context(case: Case) -> dict:
    return {"case": case, "case_sections": case_sections(case), "active": "forms"}


@require_GET
def case_forms(request, case_pk):
    """A case's forms: what can be filled in, and what has been (or is being) filled in."""
    case = _case(request, case_pk)
    submissions = policy.visible(
        request.user, Submission.objects.filter(case=case).select_related("version", "created_by__organisation")
    ).order_by("-updated_at")
    available, home_visit = [], None
    if policy.can(request.user, "submission.start", case):
        panel = choices.case_panel(case)
        # Another panel's own forms are for that panel's cases only.
        own = Q(owner_panel__isnull=True) | Q(owner_panel=panel) if panel else Q(owner_panel__isnull=True)
        available = (
            policy.visible(
                request.user,
                FormDefinition.objects.filter(
                    status=FormDefinition.Status.ACTIVE, latest_version__isnull=False
                ).select_related("latest_version"),
            )
            .filter(own)
            .order_by("purpose", "name")
        )
        # The home visit record the case's panel (or area) has chosen: one button to start it.
        home_visit = choices.for_case(case, Purpose.HOME_VISIT)
    record(request.user, "submission.list_viewed", case, case_id=case.pk, person_id=case.person_id)
    return render(
        request,
        "formbuilder/case_forms.html",
        {**_case_context(case), "submissions": submissions, "available": available, "home_visit": home_visit},
    )


@require_POST
def submission_start(request, case_pk):
    case = _case(request, case_pk)
    definition = policy.get_visible_or_404(
        request.user, FormDefinition.objects.all(), pk=request.POST.get("definition")
    )
    try:
        submission = services.do_start_submission(request.user, definition, case)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("formbuilder:case_forms", case.pk)
    return redirect("formbuilder:submission_fill", submission.pk)


def _choices(request, case: Case, submission: Submission) -> dict:
    """What person, organisation and file questions can offer this user (one query each)."""
    from roundtable.documents.models import Document
    from roundtable.people.models import Person

    kinds = {q["kind"] for s in submission.version.schema["sections"] for q in s["questions"]}
    kinds |= {
        i["kind"] for s in submission.version.schema["sections"] for q in s["questions"] for i in q.get("questions", [])
    }
    choices: dict = {}
    if "person" in kinds:
        people = policy.visible(request.user, Person.objects.filter(merged_into__isnull=True)).order_by(
            "family_name", "given_name"
        )
        choices["person"] = [
            (p.pk, f"{p.full_name}{f', born {p.date_of_birth:%-d %B %Y}' if p.date_of_birth else ''}")
            for p in people[:500]
        ]
    if "organisation" in kinds:
        choices["organisation"] = list(
            Organisation.objects.filter(area_id=request.user.organisation.area_id, is_active=True)
            .order_by("name")
            .values_list("pk", "name")
        )
    if "file" in kinds:
        docs = policy.visible(request.user, Document.objects.filter(case=case)).only("pk", "title")
        choices["documents"] = {str(d.pk): d for d in docs}
    return choices


def _upload_files(request, submission: Submission, raw: dict, errors: dict) -> None:
    """Store any files chosen for file questions as case documents; the answer names the document."""
    from roundtable.documents.services import do_upload_document

    for section in submission.version.schema["sections"]:
        for question in section["questions"]:
            upload = request.FILES.get(f"{question['id']}-upload") if question["kind"] == "file" else None
            if upload is None:
                continue
            try:
                document = do_upload_document(
                    request.user,
                    submission.case,
                    file=upload,
                    title=f"{submission.definition.name}: {question['label']}"[:200],
                )
            except ValidationError as exc:
                errors[question["id"]] = " ".join(exc.messages)
            else:
                raw[question["id"]] = str(document.pk)


def _apply_add_remove(request, raw: dict) -> bool:
    return apply_add_remove(request.POST, raw)


@require_http_methods(["GET", "POST"])
def submission_fill(request, pk):
    submission = _submission(request, pk)
    if not policy.can(request.user, "submission.edit", submission):
        return redirect("formbuilder:submission_detail", submission.pk)
    case = submission.case
    schema = submission.version.schema
    raw, errors = submission.draft_input, {}
    if request.method == "POST":
        raw = raw_from_post(schema, request.POST)
        _upload_files(request, submission, raw, errors)
        try:
            if _apply_add_remove(request, raw) or request.POST.get("action") == "save" or errors:
                services.do_autosave_submission(request.user, submission, raw)
                if not errors and request.POST.get("action") == "save":
                    messages.success(
                        request, "Your answers are saved. You can come back to this form from the case's Forms page."
                    )
                    return redirect("formbuilder:case_forms", case.pk)
            else:
                services.do_submit_submission(request.user, submission, raw)
                messages.success(request, f"{schema['name']} submitted. It is now on the case's chronology.")
                return redirect("formbuilder:submission_detail", submission.pk)
        except services.SubmissionInvalid as invalid:
            errors = invalid.errors
        except ValidationError as exc:
            errors = {"__all__": " ".join(exc.messages)}
    else:
        record(request.user, "submission.draft_viewed", submission, case_id=case.pk, person_id=case.person_id)
    sections = fill_sections(schema, raw, errors, _choices(request, case, submission))
    return render(
        request,
        "formbuilder/submission_fill.html",
        {
            **_case_context(case),
            "submission": submission,
            "schema": schema,
            "sections": sections,
            "error_items": error_list(sections, errors),
        },
        status=422 if errors and request.method == "POST" else 200,
    )


@require_POST
def submission_autosave(request, pk):
    """htmx posts the form here a moment after each change, so nothing typed is lost."""
    submission = _submission(request, pk)
    if not policy.can(request.user, "submission.edit", submission):
        raise Http404
    raw = raw_from_post(submission.version.schema, request.POST)
    try:
        services.do_autosave_submission(request.user, submission, raw)
    except ValidationError as exc:
        return HttpResponse(f'<p class="govuk-error-message">Not saved: {" ".join(exc.messages)}</p>', status=200)
    return render(request, "formbuilder/_autosaved.html", {"saved_at": timezone.localtime()})


@require_GET
def submission_detail(request, pk):
    submission = _submission(request, pk)
    if submission.status == Submission.Status.DRAFT:
        return redirect("formbuilder:submission_fill", submission.pk)
    services.record_submission_view(request.user, submission)
    return render(
        request,
        "formbuilder/submission_detail.html",
        {
            **_case_context(submission.case),
            "submission": submission,
            "sections": services.readable_answers(request.user, submission),
        },
    )


@require_GET
def submission_search(request):
    policy.require(request.user, "submission.search")
    definitions = list(policy.visible(request.user, FormDefinition.objects.all()).only("pk", "name").order_by("name"))
    form = SubmissionSearchForm(request.GET or None, definitions=definitions)
    submissions = policy.visible(
        request.user, Submission.objects.filter(status=Submission.Status.SUBMITTED)
    ).select_related("version", "definition", "case", "created_by__organisation")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["form"]:
            submissions = submissions.filter(definition_id=data["form"])
        if data["case"]:
            submissions = submissions.filter(case__reference__iexact=data["case"].strip())
        if data["submitted_from"]:
            submissions = submissions.filter(submitted_at__date__gte=data["submitted_from"])
        if data["submitted_to"]:
            submissions = submissions.filter(submitted_at__date__lte=data["submitted_to"])
    page = Paginator(submissions.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    record(request.user, "submission.searched", None, page=page.number, results=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "formbuilder/submission_search.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@require_GET
def version_export_csv(request, pk):
    version = policy.get_visible_or_404(request.user, FormVersion.objects.select_related("definition"), pk=pk)
    try:
        content = services.export_csv(request.user, version)
    except PermissionDenied:
        raise Http404 from None
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="form-{version.definition_id}-v{version.number}-submissions.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
