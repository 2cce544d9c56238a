"""The documents API: list, upload (multipart, streamed, same checks), details, download with Range."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.documents.models import Document
from roundtable.documents.samples import tiny_pdf
from roundtable.documents.sniffing import ALLOWED_SENTENCE
from tests.documents import samples
from tests.documents.factories import DocumentFactory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return CaseFactory(owner=cast["practitioner"], members=[cast["panel_chair"]])


@pytest.fixture
def auth(cast):
    _, raw = do_create_token(cast["practitioner"], name="script", days=1)
    return {"Authorization": f"Bearer {raw}"}


def test_uploading_through_the_api_stores_the_document_and_returns_it(client, case, auth):
    content = tiny_pdf()
    response = client.post(
        f"/api/v1/documents/case/{case.pk}",
        {"file": SimpleUploadedFile("minutes.pdf", content), "title": "Minutes"},
        headers=auth,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Minutes"
    assert data["content_type"] == "application/pdf"
    assert data["sha256"] == hashlib.sha256(content).hexdigest()
    assert data["download_url"].endswith(f"/api/v1/documents/{data['id']}/download")


def test_a_renamed_executable_is_refused_with_422_and_the_message(client, case, auth):
    response = client.post(
        f"/api/v1/documents/case/{case.pk}", {"file": SimpleUploadedFile("report.pdf", samples.LINUX_PROGRAM)},
        headers=auth,
    )  # fmt: skip
    assert response.status_code == 422
    message = "report.pdf is not a PDF: its content is a Linux program. " + ALLOWED_SENTENCE
    assert response.json() == {"detail": message, "errors": {"file": [message]}}
    assert not Document.objects.exists()


def test_an_api_upload_over_the_limit_is_refused_with_422(client, case, auth, settings, media_storage):
    settings.DOCUMENT_MAX_BYTES = 100
    response = client.post(
        f"/api/v1/documents/case/{case.pk}", {"file": SimpleUploadedFile("big.pdf", tiny_pdf())}, headers=auth
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "big.pdf is larger than 100 bytes. Upload a file smaller than 100 bytes."
    assert not Document.objects.exists()
    assert not any(path.is_file() for path in media_storage.rglob("*"))


def test_an_api_upload_without_a_file_says_what_to_send(client, case, auth):
    response = client.post(f"/api/v1/documents/case/{case.pk}", {"title": "x"}, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"] == "Send the file in a multipart/form-data field called 'file'."


def test_an_api_upload_can_lock_a_document_down(client, cast, case, auth):
    response = client.post(
        f"/api/v1/documents/case/{case.pk}",
        {"file": SimpleUploadedFile("secret.pdf", tiny_pdf()), "restricted_to": [cast["panel_chair"].pk]},
        headers=auth,
    )
    assert response.status_code == 201
    assert response.json()["is_restricted"] is True


def test_listing_details_and_a_ranged_download(client, case, auth):
    document = DocumentFactory(case=case, title="Minutes")
    listed = client.get(f"/api/v1/documents/case/{case.pk}", headers=auth).json()
    assert [item["id"] for item in listed["documents"]] == [document.pk]
    detail = client.get(f"/api/v1/documents/{document.pk}", headers=auth)
    assert detail.json()["title"] == "Minutes"
    response = client.get(f"/api/v1/documents/{document.pk}/download", headers={**auth, "Range": "bytes=0-7"})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == tiny_pdf()[:8]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="document.downloaded", case_id=case.pk).count() == 1


def test_the_upload_is_described_as_multipart_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/documents/case/{case_id}"]["post"]["requestBody"]
    assert "file" in body["content"]["multipart/form-data"]["schema"]["properties"]
