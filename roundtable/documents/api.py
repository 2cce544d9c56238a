"""Documents API: a case's documents, upload (multipart, streamed), metadata, download
(streamed, with HTTP Range). Everything through the access policy; 404 when not visible.

The upload handler reads ``request.FILES`` itself (after installing the size-limited,
streaming upload handler) rather than declaring a ninja File parameter, which would make
ninja parse the body with Django's default handlers first. The multipart body is
described in the OpenAPI schema by hand instead."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from roundtable.access import policy
from roundtable.api.schemas import ErrorOut
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.documents import services
from roundtable.documents.models import Document, WithheldDocument
from roundtable.documents.streaming import file_response
from roundtable.documents.uploads import too_large_message, use_limited_upload_handler

router = Router(tags=["documents"])


class PersonOut(Schema):
    id: int
    full_name: str
    organisation: str


class DocumentOut(Schema):
    id: int
    case_id: int
    entry_id: int | None
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: PersonOut
    uploaded_at: datetime
    is_restricted: bool
    download_url: str


class WithheldOut(Schema):
    """A locked-down document the caller may not open: that it exists, when, whom to ask."""

    uploaded_at: datetime
    uploaded_by: PersonOut
    ask: str


class CaseDocumentsOut(Schema):
    documents: list[DocumentOut]
    restricted: list[WithheldOut]


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def _person(user) -> dict:
    return {"id": user.pk, "full_name": user.full_name, "organisation": user.organisation.name}


def _document_out(request, document: Document) -> dict:
    return {
        "id": document.pk,
        "case_id": document.case_id,
        "entry_id": document.entry_id,
        "title": document.title,
        "original_name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": _person(document.uploaded_by),
        "uploaded_at": document.uploaded_at,
        "is_restricted": document.is_restricted,
        "download_url": request.build_absolute_uri(f"/api/v1/documents/{document.pk}/download"),
    }


def _visible_case(request, case_id: int) -> Case:
    return policy.get_visible_or_404(request.auth, Case.objects.all(), pk=case_id)


def _visible_document(request, document_id: int) -> Document:
    queryset = Document.objects.select_related("case", "uploaded_by__organisation")
    return policy.get_visible_or_404(request.auth, queryset, pk=document_id)


@router.get(
    "/case/{case_id}",
    response={200: CaseDocumentsOut, 404: ErrorOut},
    url_name="document_list",
    summary="A case's documents, and the locked-down ones you may only know exist",
)
def list_documents(request, case_id: int):
    case = _visible_case(request, case_id)
    documents = policy.visible(
        request.auth, Document.objects.filter(case=case).select_related("uploaded_by__organisation")
    )
    withheld = policy.visible(
        request.auth, WithheldDocument.objects.filter(case=case).select_related("uploaded_by__organisation")
    )
    record(request.auth, "document.list_viewed", case, case_id=case.pk, person_id=case.person_id, via="api")
    return {
        "documents": [_document_out(request, document) for document in documents],
        "restricted": [
            {
                "uploaded_at": item.uploaded_at,
                "uploaded_by": _person(item.uploaded_by),
                "ask": f"Ask {item.uploaded_by.full_name} if you need to see it.",
            }
            for item in withheld
        ],
    }


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string", "maxLength": 200},
                        "entry_id": {"type": "integer", "description": "A chronology entry of this case"},
                        "restricted_to": {
                            "type": "array",
                            "items": {"type": "integer"},
                            "description": "User ids of case members who may see it (locks it down)",
                        },
                    },
                }
            }
        },
    }
}


def _int_or_error(value: str, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{field} must be a whole number, not {value!r}."}) from None


@router.post(
    "/case/{case_id}",
    response={201: DocumentOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="document_upload",
    summary="Upload a document to a case (multipart/form-data; the content decides the type)",
    openapi_extra=UPLOAD_BODY,
)
def upload_document(request, case_id: int):
    handler = use_limited_upload_handler(request)
    case = _visible_case(request, case_id)
    policy.require(request.auth, "document.upload", case)
    try:
        upload = request.FILES.get("file")  # parses the body, streaming through the handler
        if handler.too_large:
            raise ValidationError({"file": too_large_message(handler.too_large[0])})
        if upload is None:
            raise ValidationError({"file": "Send the file in a multipart/form-data field called 'file'."})
        entry = request.POST.get("entry_id") or None
        named = [_int_or_error(value, "restricted_to") for value in request.POST.getlist("restricted_to") if value]
        document = services.do_upload_document(
            request.auth,
            case,
            file=upload,
            title=request.POST.get("title", ""),
            entry_id=_int_or_error(entry, "entry_id") if entry else None,
            restrict=bool(named),
            restricted_to=named,
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = next(iter(errors.values()))[0]
        return Status(422, {"detail": first, "errors": errors})
    document = Document.objects.select_related("uploaded_by__organisation").get(pk=document.pk)
    return Status(201, _document_out(request, document))


@router.get(
    "/{document_id}",
    response={200: DocumentOut, 404: ErrorOut},
    url_name="document_detail",
    summary="One document's details",
)
def document_detail(request, document_id: int):
    document = _visible_document(request, document_id)
    services.record_document_view(request.auth, document)
    return _document_out(request, document)


@router.get(
    "/{document_id}/download",
    response={200: None, 206: None, 404: ErrorOut, 416: None},
    url_name="document_download",
    summary="Download a document (streamed; send a Range header for part of it)",
)
def download_document(request, document_id: int):
    document = _visible_document(request, document_id)
    response, byte_range = file_response(request, document, inline=False)
    if response.status_code != 416:
        services.record_download(request.auth, document, inline=False, byte_range=byte_range)
    return response
