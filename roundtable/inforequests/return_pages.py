"""The answer page when the case's panel (or area) uses its own information return form.

The form is drawn with the form builder's GOV.UK renderer; its answers are checked on the
server against the version's rules (services.do_answer_request with ``form``), every problem
shown against its question, and kept whole as a submission linked to the answer. Files are
attached below the form through the same size-limited upload as the fixed form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from roundtable.documents.uploads import too_large_message
from roundtable.formbuilder.models import FormDefinition
from roundtable.formbuilder.render import apply_add_remove, drawn_version, error_list, fill_sections, raw_from_post
from roundtable.inforequests import return_form, services
from roundtable.inforequests.forms import AttachmentsForm

FILES_LOST = "Nothing you attached has been kept: choose the files again before you send"


def _errors_from(error: ValidationError) -> dict[str, str]:
    if not hasattr(error, "error_dict"):
        return {"__all__": " ".join(error.messages)}
    return {field: " ".join(found) for field, found in error.message_dict.items()}


def answer_on_form(request, recipient, definition: FormDefinition, handler, context: dict):
    """Draw the panel's form (GET) or take the answer (POST)."""
    version = drawn_version(request.POST, definition, return_form.problems)
    schema = version.schema
    raw: dict = {}
    errors: dict[str, str] = {}
    files = AttachmentsForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        raw = raw_from_post(schema, request.POST)
        if apply_add_remove(request.POST, raw):
            if request.FILES:
                errors["attachments"] = FILES_LOST
        elif handler.too_large:
            errors["attachments"] = " ".join(too_large_message(name) for name in handler.too_large)
        elif not files.is_valid():
            errors["attachments"] = " ".join(files.errors.get("attachments", []))
        else:
            try:
                services.do_answer_request(
                    request.user, recipient, files=files.cleaned_data["attachments"], form=(version, raw)
                )
            except ValidationError as error:
                errors = _errors_from(error)
            else:
                who = recipient.request.requested_by.full_name
                messages.success(request, f"Your answer has been sent to {who}.")
                return redirect("inforequests:detail", recipient.request_id)
        if errors and (request.FILES or handler.too_large):
            errors["attachments"] = f"{errors['attachments']} {FILES_LOST}" if "attachments" in errors else FILES_LOST
    files = AttachmentsForm({}, {})  # a file input never keeps its files: draw it empty
    files.is_valid()
    if "attachments" in errors:
        files.add_error("attachments", errors["attachments"])
    sections = fill_sections(schema, raw, {k: v for k, v in errors.items() if k != "attachments"}, {})
    items = error_list(sections, {k: v for k, v in errors.items() if k != "attachments"})
    if "attachments" in errors:
        items.append(("#id_attachments", errors["attachments"]))
    context = {
        **context,
        "version": version,
        "schema": schema,
        "sections": sections,
        "error_items": items,
        "files_form": files,
    }
    return render(request, "inforequests/answer_on_form.html", context, status=400 if errors else 200)
