"""Uploading through the page: streamed to a temporary file, checked, stored, audited."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roundtable.audit.models import AuditEvent
from roundtable.documents.models import Document
from roundtable.documents.samples import tiny_pdf
from roundtable.documents.sniffing import ALLOWED_SENTENCE
from tests.conftest import force_sign_in
from tests.documents import samples
from tests.factories import CaseFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return CaseFactory(owner=cast["practitioner"], members=[cast["panel_chair"]])


def upload(client, case, name, content, **fields):
    url = reverse("documents:upload", args=[case.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content), **fields})


def stored_files(media_storage):
    return [path for path in media_storage.rglob("*") if path.is_file()] if media_storage.exists() else []


def test_a_member_uploads_a_pdf_and_it_is_stored_with_its_hash_and_sniffed_type(client, cast, case, media_storage):
    force_sign_in(client, cast["practitioner"])
    content = tiny_pdf()
    response = upload(client, case, "minutes.pdf", content, title="Panel minutes")
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.title == "Panel minutes"
    assert document.original_name == "minutes.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert "minutes" not in document.file.name  # the stored name is random
    [stored] = stored_files(media_storage)
    assert stored.read_bytes() == content
    event = AuditEvent.objects.get(action="document.uploaded")
    assert (event.case_id, event.person_id) == (case.pk, case.person_id)


@pytest.mark.parametrize("key", sorted(samples.ALLOWED))
def test_every_allowed_kind_can_be_uploaded_through_the_page(client, cast, case, key):
    force_sign_in(client, cast["practitioner"])
    name, content = samples.ALLOWED[key]
    assert upload(client, case, name, content).status_code == 302
    assert Document.objects.get().original_name == name


def test_a_renamed_executable_is_refused_with_a_clear_message_and_nothing_is_stored(client, cast, case, media_storage):
    force_sign_in(client, cast["practitioner"])
    response = upload(client, case, "report.pdf", samples.WINDOWS_PROGRAM, title="Keep this title")
    assert response.status_code == 400
    message = "report.pdf is not a PDF: its content is a Windows program. " + ALLOWED_SENTENCE
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert 'value="Keep this title"' in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(media_storage) == []


def test_an_upload_over_the_size_limit_is_refused_and_leaves_no_file(client, cast, case, settings, media_storage):
    settings.DOCUMENT_MAX_BYTES = 1000
    force_sign_in(client, cast["practitioner"])
    response = upload(client, case, "big.pdf", tiny_pdf() + b"%" * 2000, title="Too big")
    assert response.status_code == 400
    body = response.content.decode()
    assert "big.pdf is larger than 1000 bytes. Upload a file smaller than 1000 bytes." in body
    assert 'value="Too big"' in body  # what the user typed is kept
    assert not Document.objects.exists()
    assert stored_files(media_storage) == []


def test_an_upload_just_under_the_limit_is_accepted(client, cast, case, settings):
    content = tiny_pdf()
    settings.DOCUMENT_MAX_BYTES = len(content)
    force_sign_in(client, cast["practitioner"])
    assert upload(client, case, "fits.pdf", content).status_code == 302


def test_the_upload_page_uses_the_streaming_size_limited_handler(client, cast, case, settings, tmp_path):
    # Files of any size go to a temporary file on disk, never Django's in-memory handler.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10**9
    force_sign_in(client, cast["practitioner"])
    from roundtable.documents import uploads

    seen = []
    original = uploads.LimitedUploadHandler.file_complete

    def spy(self, file_size):
        uploaded = original(self, file_size)
        seen.append(type(uploaded).__name__)
        return uploaded

    uploads.LimitedUploadHandler.file_complete = spy
    try:
        upload(client, case, "minutes.pdf", tiny_pdf())
    finally:
        uploads.LimitedUploadHandler.file_complete = original
    assert seen == ["TemporaryUploadedFile"]


def test_a_document_can_be_attached_to_an_entry_of_the_case(client, cast, case):
    entry = EntryFactory(case=case)
    force_sign_in(client, cast["practitioner"])
    assert upload(client, case, "minutes.pdf", tiny_pdf(), entry=entry.pk).status_code == 302
    assert Document.objects.get().entry == entry


def test_an_entry_of_another_case_cannot_be_chosen(client, cast, case):
    other_entry = EntryFactory()
    force_sign_in(client, cast["practitioner"])
    response = upload(client, case, "minutes.pdf", tiny_pdf(), entry=other_entry.pk)
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_the_uploader_can_restrict_a_document_to_named_members(client, cast, case):
    force_sign_in(client, cast["practitioner"])
    response = upload(client, case, "secret.pdf", tiny_pdf(), restrict="on", restricted_to=[cast["panel_chair"].pk])
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.is_restricted
    assert list(document.restricted_to.all()) == [cast["panel_chair"]]


def test_restricting_without_naming_anyone_is_refused(client, cast, case):
    force_sign_in(client, cast["practitioner"])
    response = upload(client, case, "secret.pdf", tiny_pdf(), restrict="on")
    assert response.status_code == 400
    assert "Choose at least one person who may see this document." in response.content.decode()


def test_someone_not_on_the_case_cannot_be_named(client, cast, case):
    outsider = UserFactory(organisation=cast["practitioner"].organisation)
    force_sign_in(client, cast["practitioner"])
    response = upload(client, case, "secret.pdf", tiny_pdf(), restrict="on", restricted_to=[outsider.pk])
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_a_viewer_of_the_case_cannot_upload(client, cast, case):
    from roundtable.cases.models import CaseMembership

    viewer = UserFactory(organisation=cast["practitioner"].organisation)
    CaseMembership.objects.create(case=case, user=viewer, role=CaseMembership.Role.VIEWER)
    force_sign_in(client, viewer)
    assert upload(client, case, "minutes.pdf", tiny_pdf()).status_code == 404
    assert not Document.objects.exists()


def test_an_upload_without_the_csrf_token_is_refused(cast, case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    force_sign_in(client, cast["practitioner"])
    assert upload(client, case, "minutes.pdf", tiny_pdf()).status_code == 403
    assert not Document.objects.exists()
