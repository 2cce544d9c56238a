"""Downloads stream through a permission-checked view, with HTTP Range, and are audited."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from roundtable.audit.models import AuditEvent
from roundtable.documents.samples import tone_wav
from tests.conftest import force_sign_in
from tests.documents.factories import DocumentFactory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 40  # 10,240 bytes, every offset distinguishable


@pytest.fixture
def document(cast):
    case = CaseFactory(owner=cast["practitioner"])
    return DocumentFactory(case=case, file=ContentFile(CONTENT, name="x.pdf"), size=len(CONTENT),
                           original_name="Minutes; \"March\" ünïcode.pdf")  # fmt: skip


@pytest.fixture
def member(client, cast):
    return force_sign_in(client, cast["practitioner"])


def get(client, document, range_header=None, name="documents:download"):
    headers = {"Range": range_header} if range_header else {}
    return client.get(reverse(name, args=[document.pk]), headers=headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_full_download_is_streamed_as_an_attachment_with_safe_headers(member, document):
    response = get(member, document)
    assert response.status_code == 200
    assert response.streaming
    assert body(response) == CONTENT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"] == (
        'attachment; filename="Minutes_ _March_ _n_code.pdf"; '
        "filename*=UTF-8''Minutes%3B%20%22March%22%20%C3%BCn%C3%AFcode.pdf"
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, len(CONTENT) - 1), ("bytes=-50", len(CONTENT) - 50, len(CONTENT) - 1),
     ("bytes=10000-20000", 10000, len(CONTENT) - 1), ("bytes=5-5", 5, 5)],
)  # fmt: skip
def test_a_single_range_gets_206_with_exactly_those_bytes(member, document, header, first, last):
    response = get(member, document, header)
    assert response.status_code == 206
    assert body(response) == CONTENT[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("header", ["bytes=20000-", "bytes=10240-10300", "bytes=-0", "bytes=50-10"])
def test_an_unsatisfiable_range_gets_416_with_the_size(member, document, header):
    response = get(member, document, header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CONTENT)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-5", "bytes=abc"])
def test_a_range_we_do_not_serve_gets_the_whole_file(member, document, header):
    response = get(member, document, header)
    assert response.status_code == 200
    assert body(response) == CONTENT


def test_every_download_is_audited_with_the_case_and_person(member, document):
    get(member, document)
    get(member, document, "bytes=0-9")
    events = AuditEvent.objects.filter(action="document.downloaded").order_by("id")
    assert [event.details["range"] for event in events] == ["all", "0-9"]
    assert {(event.case_id, event.person_id, event.object_id) for event in events} == {
        (document.case_id, document.case.person_id, str(document.pk))
    }


def test_playing_a_recording_streams_it_inline_and_audits_once_per_listening(member, cast):
    wav = tone_wav(0.2)
    case = CaseFactory(owner=cast["practitioner"])
    recording = DocumentFactory(case=case, file=ContentFile(wav, name="x.wav"), size=len(wav),
                                content_type="audio/wav", original_name="meeting.wav")  # fmt: skip
    first = get(member, recording, "bytes=0-", name="documents:play")
    assert first.status_code == 206
    assert first["Content-Type"] == "audio/wav"
    assert first["Content-Disposition"].startswith("inline;")
    assert first["X-Content-Type-Options"] == "nosniff"
    assert body(first) == wav
    seek = get(member, recording, "bytes=1000-", name="documents:play")
    assert body(seek) == wav[1000:]
    assert AuditEvent.objects.filter(action="document.played", object_id=str(recording.pk)).count() == 1


def test_a_pdf_has_no_inline_player(member, document):
    assert get(member, document, name="documents:play").status_code == 404


def test_the_document_page_shows_a_player_for_audio(member, cast):
    wav = tone_wav(0.1)
    case = CaseFactory(owner=cast["practitioner"])
    recording = DocumentFactory(case=case, file=ContentFile(wav, name="x.wav"), size=len(wav), content_type="audio/wav")
    response = member.get(reverse("documents:detail", args=[recording.pk]))
    assert f'<audio controls preload="metadata" src="{reverse("documents:play", args=[recording.pk])}"' in (
        response.content.decode()
    )
    assert AuditEvent.objects.filter(action="document.viewed", case_id=case.pk).exists()


def test_under_asgi_the_file_is_streamed_chunk_by_chunk_not_collected_first(cast, document, monkeypatch):
    # Django would turn a synchronous iterator into one list (the whole file) under ASGI.
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    from roundtable.documents import streaming

    monkeypatch.setattr(streaming, "CHUNK_BYTES", 1000)
    client = force_sign_in(AsyncClient(), cast["practitioner"])
    url = reverse("documents:download", args=[document.pk])
    response = async_to_sync(client.get)(url, headers={"Range": "bytes=10-"})
    assert response.status_code == 206
    assert response.is_async

    async def collect():
        return [chunk async for chunk in response.streaming_content]

    chunks = async_to_sync(collect)()
    assert b"".join(chunks) == CONTENT[10:]
    assert [len(chunk) for chunk in chunks] == [1000] * 10 + [230]
