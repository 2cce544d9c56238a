"""Document pages: a case's documents, upload, one document, download and playback.

Thin views: they find things through the access policy (404 when not visible), call a
service and render. Upload views install the streaming, size-limited upload handler
before anything reads the request body, which is why they are CSRF-exempt on the
outside and CSRF-protected on the inside (Django's documented pattern)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.cases.navigation import case_sections
from roundtable.documents import services
from roundtable.documents.forms import RestrictionFields, UploadForm
from roundtable.documents.models import Document, WithheldDocument
from roundtable.documents.sniffing import KIND_BY_KEY
from roundtable.documents.streaming import file_response
from roundtable.documents.uploads import too_large_message, use_limited_upload_handler

MEDIA_CATEGORIES = {"audio", "video", "image"}
# Images a browser can show in an <img>; HEIC mostly cannot, so it is a download only.
INLINE_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def _case(request, case_pk) -> Case:
    return policy.get_visible_or_404(request.user, Case.objects.select_related("person"), pk=case_pk)


def _document(request, pk) -> Document:
    queryset = Document.objects.select_related("case__person", "uploaded_by__organisation", "entry")
    return policy.get_visible_or_404(request.user, queryset, pk=pk)


def _case_context(case: Case) -> dict:
    return {"case": case, "case_sections": case_sections(case), "active": "documents"}


def _category(document: Document) -> str:
    for kind in KIND_BY_KEY.values():
        if kind.mime == document.content_type:
            return kind.category
    return "document"


@require_GET
def case_documents(request, case_pk):
    case = _case(request, case_pk)
    documents = policy.visible(
        request.user, Document.objects.filter(case=case).select_related("uploaded_by__organisation", "entry")
    )
    withheld = policy.visible(
        request.user, WithheldDocument.objects.filter(case=case).select_related("uploaded_by__organisation")
    ).only("pk", "uploaded_at", "uploaded_by__full_name", "uploaded_by__organisation__name")
    record(request.user, "document.list_viewed", case, case_id=case.pk, person_id=case.person_id)
    return render(
        request,
        "documents/case_documents.html",
        {
            **_case_context(case),
            "documents": documents,
            "withheld": withheld,
            "can_upload": policy.can(request.user, "document.upload", case),
        },
    )


def _entry_choices(user, case: Case) -> list[tuple[int, str]]:
    from django.db.models import Exists, OuterRef, Q

    named = Exists(
        ChronologyEntry.restricted_to.through.objects.filter(chronologyentry_id=OuterRef("pk"), user_id=user.pk)
    )
    entries = policy.visible(user, ChronologyEntry.objects.filter(case=case, retracted_at__isnull=True))
    readable = entries.filter(Q(is_restricted=False) | Q(author_id=user.pk) | Q(named))
    return [
        (entry.pk, f"{entry.occurred_at:%d %B %Y}: {entry.summary}")
        for entry in readable.only("pk", "occurred_at", "summary")[:200]
    ]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def upload(request, case_pk):
    handler = use_limited_upload_handler(request)
    return _upload(request, case_pk, handler)


@csrf_protect
def _upload(request, case_pk, handler):
    case = _case(request, case_pk)
    policy.require(request.user, "document.upload", case)
    members = services.case_member_choices(case, exclude=request.user)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        members=members,
        entries=_entry_choices(request.user, case),
        initial={"entry": request.GET.get("entry")},
    )
    if request.method == "POST":
        if handler.too_large:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", too_large_message(handler.too_large[0]))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                document = services.do_upload_document(
                    request.user,
                    case,
                    file=data["file"],
                    title=data["title"],
                    entry_id=data["entry"],
                    restrict=data["restrict"],
                    restricted_to=data["restricted_to"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"{document.original_name} has been uploaded.")
                return redirect("documents:case_documents", case_pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/upload.html", {**_case_context(case), "form": form}, status=status)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@require_GET
def detail(request, pk):
    document = _document(request, pk)
    services.record_document_view(request.user, document)
    category = _category(document)
    return render(
        request,
        "documents/detail.html",
        {
            **_case_context(document.case),
            "document": document,
            "category": category,
            "shows_image": document.content_type in INLINE_IMAGES,
            "restricted_to": document.restricted_to.select_related("organisation") if document.is_restricted else [],
            "can_restrict": policy.can(request.user, "document.restrict", document),
        },
    )


@require_GET
def download(request, pk):
    document = _document(request, pk)
    response, byte_range = file_response(request, document, inline=False)
    if response.status_code != 416:
        services.record_download(request.user, document, inline=False, byte_range=byte_range)
    return response


@require_GET
def play(request, pk):
    """Audio, video and images shown in the page: inline, still nosniff, still audited."""
    document = _document(request, pk)
    if _category(document) not in MEDIA_CATEGORIES:
        raise Http404
    response, byte_range = file_response(request, document, inline=True)
    if response.status_code != 416:
        services.record_download(request.user, document, inline=True, byte_range=byte_range)
    return response


@require_http_methods(["GET", "POST"])
def change_access(request, pk):
    document = _document(request, pk)
    policy.require(request.user, "document.restrict", document)
    members = services.case_member_choices(document.case, exclude=request.user)
    initial = {
        "restrict": document.is_restricted,
        "restricted_to": list(document.restricted_to.values_list("pk", flat=True)),
    }
    form = RestrictionFields(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_restrict_document(
                request.user,
                document,
                restrict=form.cleaned_data["restrict"],
                restricted_to=form.cleaned_data["restricted_to"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Who can see this document has been updated.")
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/change_access.html", {**_case_context(document.case), "document": document,
                                                            "form": form})  # fmt: skip
