"""Permission matrix rows for the documents app (see matrix.py).

The world's case is owned by the practitioner; the panel chair is a member too, but the
document is locked down to the practitioner and one other member, so the chair gets 404
on every route of that document while still seeing the case's documents list."""

import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from roundtable.documents.models import Document
from roundtable.documents.samples import tiny_pdf, tone_wav
from tests.factories import CaseFactory, UserFactory
from tests.security.rows import Row, roles

MEDIA = Path(tempfile.gettempdir()) / "roundtable-matrix-media"


def build(world):
    """Add the objects these rows need to the shared test world."""
    from django.conf import settings

    # Files go to a temporary directory, not var/media. The autouse settings fixture in
    # tests/conftest.py restores STORAGES (and resets the storage cache) after each test.
    media = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA}}
    override_settings(STORAGES={**settings.STORAGES, "default": media}).enable()
    named = UserFactory(organisation=world["organisation"])
    case = CaseFactory(owner=world["practitioner"], members=[world["panel_chair"], named])
    wav = tone_wav(0.05)
    document = Document(
        case=case,
        title="Recording",
        original_name="recording.wav",
        content_type="audio/wav",
        size=len(wav),
        sha256="0" * 64,
        uploaded_by=world["practitioner"],
        is_restricted=True,
    )
    # One fixed file shared by every matrix test, so runs do not pile up copies.
    document.file.name = "documents/matrix/recording.wav"
    if not document.file.storage.exists(document.file.name):
        document.file.storage.save(document.file.name, ContentFile(wav))
    document.save()
    document.restricted_to.set([named])
    world["documents_case"] = case
    world["document"] = document


def on_case(world):
    return {"case_pk": world["documents_case"].pk}


def on_document(world):
    return {"pk": world["document"].pk}


def api_case(world):
    return {"case_id": world["documents_case"].pk}


def api_document(world):
    return {"document_id": world["document"].pk}


def a_pdf(world):
    return {"file": SimpleUploadedFile("minutes.pdf", tiny_pdf()), "title": "Minutes"}


MEMBERS = roles("practitioner", "panel_chair")
UPLOADER = roles("practitioner")

ROWS: dict[str, Row] = {
    "documents:case_documents": Row(MEMBERS, kwargs=on_case),
    "documents:upload": Row(MEMBERS, method="POST", ok=302, kwargs=on_case, data=a_pdf),
    # Locked down: the chair is on the case but not named, so it is 404 like for outsiders.
    "documents:detail": Row(UPLOADER, kwargs=on_document),
    "documents:download": Row(UPLOADER, kwargs=on_document),
    "documents:play": Row(UPLOADER, kwargs=on_document),
    "documents:change_access": Row(UPLOADER, kwargs=on_document),
    "api:document_list": Row(MEMBERS, api=True, anonymous=401, kwargs=api_case),
    "api:document_upload": Row(MEMBERS, api=True, anonymous=401, method="POST", ok=201, kwargs=api_case, data=a_pdf),
    "api:document_detail": Row(UPLOADER, api=True, anonymous=401, kwargs=api_document),
    "api:document_download": Row(UPLOADER, api=True, anonymous=401, kwargs=api_document),
}
