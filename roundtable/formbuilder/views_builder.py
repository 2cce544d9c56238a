"""The builder: panel administrators and chairs create, edit, preview, publish, share
and retire form definitions. Thin views: find through the policy (404 when not visible),
call a service, render."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.access import policy
from roundtable.core.conflicts import EditConflict
from roundtable.formbuilder import builder, services, wellknown
from roundtable.formbuilder.forms import AddQuestionForm, DefinitionForm, ImportForm, QuestionForm, SectionForm
from roundtable.formbuilder.models import AreaFormChoice, FormDefinition, FormVersion, Submission
from roundtable.formbuilder.render import fill_sections
from roundtable.formbuilder.schema import KINDS, DefinitionProblems, all_questions, clean_definition


def _definition(request, pk, manage: bool = False) -> FormDefinition:
    definition = policy.get_visible_or_404(
        request.user, FormDefinition.objects.select_related("latest_version", "owner_area"), pk=pk
    )
    if manage:
        policy.require(request.user, "formdefinition.manage", definition)
    return definition


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _expected(request) -> int:
    try:
        return int(request.POST.get("draft_version", ""))
    except ValueError:
        return -1


def _conflict_message(request) -> None:
    messages.error(
        request,
        "Someone else changed this form while you were editing it. Their change is shown below; make yours again.",
    )


def _change(request, definition: FormDefinition, change, success: str = ""):
    """Apply a builder change from a POST; messages say what happened or what was wrong."""
    try:
        services.do_change_draft(request.user, definition, change, expected_version=_expected(request))
    except EditConflict:
        _conflict_message(request)
        return False
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    if success:
        messages.success(request, success)
    return True


# --- List, create, import ---------------------------------------------------------------------
@require_GET
def definition_list(request):
    policy.require(request.user, "formdefinition.list")
    definitions = policy.visible(request.user, FormDefinition.objects.select_related("latest_version")).order_by(
        "status", "name"
    )
    chosen = dict(policy.visible(request.user, AreaFormChoice.objects.all()).values_list("definition_id", "purpose"))
    return render(
        request,
        "formbuilder/definition_list.html",
        {"definitions": definitions, "chosen": chosen, "may_build": policy.can(request.user, "formdefinition.create")},
    )


@require_http_methods(["GET", "POST"])
def definition_create(request):
    policy.require(request.user, "formdefinition.create")
    from roundtable.formbuilder.choices import panels_built_by

    form = DefinitionForm(
        request.POST or None, panels=panels_built_by(request.user), area_name=request.user.organisation.area.name
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["owner_panel"] = data.pop("owner", None)
        try:
            definition = services.do_create_definition(request.user, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Form created. Add its questions, then publish it.")
            return redirect("formbuilder:definition_detail", definition.pk)
    return render(request, "formbuilder/definition_form.html", {"form": form, "title": "Create a form"})


@require_http_methods(["GET", "POST"])
def definition_import(request):
    policy.require(request.user, "formdefinition.create")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload.read(services.MAX_IMPORT_BYTES + 1)
            definition = services.do_import_definition(request.user, content)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            messages.success(request, "Form imported as a draft. Check it, then publish it.")
            return redirect("formbuilder:definition_detail", definition.pk)
    return render(request, "formbuilder/definition_import.html", {"form": form})


# --- The builder page -------------------------------------------------------------------------------
def _builder_context(request, definition: FormDefinition) -> dict:
    draft = definition.draft
    problems = []
    try:
        clean_definition(draft)
    except DefinitionProblems as exc:
        problems = exc.problems
    versions = list(definition.versions.only("number", "published_at", "definition_id"))
    # A copy for display, each question with its kind in words.
    shown = copy.deepcopy(draft)
    for section in shown.get("sections", []):
        for question in section.get("questions", []):
            for item in [question, *question.get("questions", [])]:
                item["kind_label"] = KINDS.get(item.get("kind"), "").lower()
    return {
        "definition": definition,
        "draft": shown,
        "problems": problems,
        "kinds": list(KINDS.items()),
        "versions": versions,
        "preview": fill_sections(draft, {}),
        "submission_count": Submission.objects.filter(definition=definition).count(),
        "unpublished": definition.latest_version is None or definition.latest_version.schema != draft,
        "may_manage": policy.can(request.user, "formdefinition.manage", definition),
        "add_question_form": AddQuestionForm(),
    }


@require_GET
def definition_detail(request, pk):
    definition = _definition(request, pk)
    return render(request, "formbuilder/definition_detail.html", _builder_context(request, definition))


@require_http_methods(["GET", "POST"])
def definition_settings(request, pk):
    definition = _definition(request, pk, manage=True)
    initial = {
        "name": definition.name,
        "purpose": definition.purpose,
        "description": definition.draft.get("description", ""),
    }
    form = DefinitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def change(draft):
            draft.update(form.cleaned_data)

        if _change(request, definition, change, "Form details saved."):
            return redirect("formbuilder:definition_detail", definition.pk)
    return render(
        request, "formbuilder/definition_form.html", {"form": form, "title": "Form details", "definition": definition}
    )


# --- Sections -----------------------------------------------------------------------------------
@require_POST
def section_add(request, pk):
    definition = _definition(request, pk, manage=True)
    number = len(definition.draft.get("sections", [])) + 1
    _change(request, definition, lambda d: builder.add_section(d, title=f"Section {number}"), "Section added.")
    return redirect("formbuilder:definition_detail", definition.pk)


@require_http_methods(["GET", "POST"])
def section_edit(request, pk, section_id):
    definition = _definition(request, pk, manage=True)
    try:
        section = builder.find_section(definition.draft, section_id)
    except builder.BuilderError:
        return redirect("formbuilder:definition_detail", definition.pk)
    form = SectionForm(request.POST or None, initial={"title": section["title"], "hint": section["hint"]})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_change_draft(
                request.user, definition,
                lambda d: builder.update_section(d, section_id, **form.cleaned_data),
                expected_version=_expected(request),
            )  # fmt: skip
        except EditConflict:
            form.add_error(
                None, "Someone else changed this form while you were editing it. Check the section and save again."
            )
            definition.refresh_from_db()
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Section saved.")
            return redirect("formbuilder:definition_detail", definition.pk)
    return render(
        request, "formbuilder/section_form.html", {"form": form, "definition": definition, "section": section}
    )


@require_POST
def section_move(request, pk, section_id):
    definition = _definition(request, pk, manage=True)
    delta = -1 if request.POST.get("direction") == "up" else 1
    _change(request, definition, lambda d: builder.move_section(d, section_id, delta))
    return redirect("formbuilder:definition_detail", definition.pk)


@require_POST
def section_remove(request, pk, section_id):
    definition = _definition(request, pk, manage=True)
    _change(request, definition, lambda d: builder.remove_section(d, section_id), "Section removed.")
    return redirect("formbuilder:definition_detail", definition.pk)


# --- Questions ----------------------------------------------------------------------------------------
@require_POST
def question_add(request, pk):
    definition = _definition(request, pk, manage=True)
    kind = request.POST.get("kind", "")
    section_id, group_id = request.POST.get("section", ""), request.POST.get("group", "")
    try:
        saved, question_id = services.do_change_draft(
            request.user, definition,
            lambda d: builder.add_question(d, section_id, kind, group_id=group_id),
            expected_version=_expected(request),
        )  # fmt: skip
    except EditConflict:
        _conflict_message(request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        return redirect("formbuilder:question_edit", definition.pk, question_id)
    return redirect("formbuilder:definition_detail", definition.pk)


def _earlier(draft: dict, question_id: str) -> list[dict]:
    earlier = []
    for _section, question in all_questions(draft):
        if question["id"] == question_id:
            break
        earlier.append(question)
    return earlier


def _other_ids(draft: dict, question_id: str) -> dict[str, str]:
    """Every other question's id → label; questions inside repeating groups included, since
    the schema keeps one namespace of ids for the whole form."""
    return {
        asked["id"]: asked.get("label", "")
        for _section, question in all_questions(draft)
        for asked in [question, *question.get("questions", [])]
        if asked["id"] != question_id
    }


def _question_form(request, definition, question_id):
    _holder, question, group = builder.find_question(definition.draft, question_id)
    return (
        QuestionForm(
            request.POST or None,
            question=question,
            earlier=_earlier(definition.draft, question_id),
            in_group=group is not None,
            purpose=definition.purpose,
            others=_other_ids(definition.draft, question_id),
        ),
        question,
        group,
    )


@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_id):
    definition = _definition(request, pk, manage=True)
    try:
        form, question, group = _question_form(request, definition, question_id)
    except builder.BuilderError as problem:
        messages.error(request, str(problem))
        return redirect("formbuilder:definition_detail", definition.pk)
    if request.method == "POST" and form.is_valid():
        new_id = form.cleaned_data["question_id"]
        try:
            services.do_change_draft(
                request.user, definition,
                lambda d: builder.replace_question(d, question_id, form.to_question()),
                expected_version=_expected(request),
                audit={"question": question_id} | ({"question_id_changed": [question_id, new_id]}
                                                    if new_id != question_id else {}),
            )  # fmt: skip
        except EditConflict:
            form.add_error(
                None,
                "Someone else changed this form while you were editing it. "
                "Your settings are kept below: save again to apply them.",
            )
            definition.refresh_from_db()
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect("formbuilder:definition_detail", definition.pk)
    return render(
        request,
        "formbuilder/question_form.html",
        {
            "form": form,
            "definition": definition,
            "question": question,
            "group": group,
            "kind_label": KINDS[question["kind"]],
            "preview": _question_preview(definition, question_id, form),
            "well_known": wellknown.well_known(definition.purpose),
            "well_known_reader": wellknown.reader(definition.purpose),
            "published_as": _published_as(definition, question_id),
        },
    )


def _published_as(definition, question_id: str) -> int | None:
    """The number of the published version that has this question, if any: its answers keep
    this id whatever the draft calls the question later."""
    latest = definition.latest_version
    if latest is None:
        return None
    ids = {a["id"] for _s, q in all_questions(latest.schema) for a in [q, *q.get("questions", [])]}
    return latest.number if question_id in ids else None


def _question_preview(definition, question_id, form) -> dict:
    """The draft with this question as the form now says (saved or not), for the live preview."""
    draft = copy.deepcopy(definition.draft)
    problems = []
    shown_id = question_id
    if form.is_bound and form.is_valid():
        try:
            builder.replace_question(draft, question_id, form.to_question())
            draft = clean_definition(draft)
            shown_id = form.cleaned_data["question_id"]
        except DefinitionProblems as exc:
            problems = exc.problems
            draft = definition.draft
    elif form.is_bound:
        problems = ["Some settings are not valid yet: see the messages on the left."]
    _holder, _question, group = builder.find_question(draft, shown_id)
    question_id = shown_id
    top_id = group["id"] if group else question_id
    section = next(s for s in draft["sections"] if any(q["id"] == top_id for q in s["questions"]))
    return {"sections": fill_sections({"sections": [section]}, {}), "problems": problems}


@require_POST
def question_preview(request, pk, question_id):
    definition = _definition(request, pk, manage=True)
    try:
        form, _question, _group = _question_form(request, definition, question_id)
    except builder.BuilderError:
        return HttpResponse("<p class='govuk-body'>This question is no longer in the form.</p>")
    return render(
        request, "formbuilder/_question_preview.html", {"preview": _question_preview(definition, question_id, form)}
    )


@require_POST
def question_move(request, pk, question_id):
    definition = _definition(request, pk, manage=True)
    delta = -1 if request.POST.get("direction") == "up" else 1
    _change(request, definition, lambda d: builder.move_question(d, question_id, delta))
    return redirect("formbuilder:definition_detail", definition.pk)


@require_POST
def question_remove(request, pk, question_id):
    definition = _definition(request, pk, manage=True)
    _change(request, definition, lambda d: builder.remove_question(d, question_id), "Question removed.")
    return redirect("formbuilder:definition_detail", definition.pk)


# --- Publishing, sharing, retiring ------------------------------------------------------------------
@require_POST
def definition_publish(request, pk):
    definition = _definition(request, pk, manage=True)
    try:
        version = services.do_publish_definition(request.user, definition)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"Version {version.number} published. New submissions use it; earlier ones keep theirs."
        )
    return redirect("formbuilder:definition_detail", definition.pk)


@require_POST
def definition_retire(request, pk):
    definition = _definition(request, pk, manage=True)
    retire = request.POST.get("retire", "yes") != "no"
    services.do_retire_definition(request.user, definition, retire=retire)
    messages.success(
        request, "Form retired: it can no longer be chosen for new submissions." if retire else "Form reinstated."
    )
    return redirect("formbuilder:definition_detail", definition.pk)


@require_POST
def definition_choose(request, pk):
    definition = _definition(request, pk, manage=True)
    try:
        services.do_choose_definition(request.user, definition)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"This is now your area's {definition.get_purpose_display().lower()} form.")
    return redirect("formbuilder:definition_detail", definition.pk)


@require_http_methods(["GET", "POST"])
def definition_delete(request, pk):
    definition = _definition(request, pk, manage=True)
    error = ""
    if request.method == "POST":
        try:
            services.do_delete_definition(request.user, definition)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{definition.name} deleted.")
            return redirect("formbuilder:definition_list")
    return render(request, "formbuilder/definition_delete.html", {"definition": definition, "error": error})


@require_GET
def definition_export(request, pk):
    definition = _definition(request, pk)
    version = None
    if request.GET.get("version", "").isdigit():
        version = policy.get_visible_or_404(
            request.user, FormVersion.objects.filter(definition=definition), number=int(request.GET["version"])
        )
    elif not policy.can(request.user, "formdefinition.manage", definition):
        version = definition.latest_version  # only builders see unpublished drafts
        if version is None:
            raise Http404
    content = services.export_definition(request.user, definition, version)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    suffix = f"v{version.number}" if version else "draft"
    response["Content-Disposition"] = f'attachment; filename="form-{definition.pk}-{suffix}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
