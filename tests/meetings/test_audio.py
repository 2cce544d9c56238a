"""The meeting's audio recording: streamed upload of audio only, playback with ranges for the
people the chair allows, every play and download audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roundtable.audit.models import AuditEvent
from roundtable.documents.samples import tiny_pdf, tone_wav
from roundtable.meetings import audio, live
from roundtable.meetings.models import MeetingRecording
from tests.conftest import force_sign_in
from tests.meetings import live_world

pytestmark = pytest.mark.django_db
room = live_world.room  # the shared fixture (tests/meetings/live_world.py)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}  # fmt: skip


@pytest.fixture
def recorded(room):
    live.do_start_meeting(room["chair"], room["meeting"])
    room["meeting"].refresh_from_db()
    room["recording"] = audio.do_upload_recording(
        room["admin"], room["meeting"], file=SimpleUploadedFile("meeting.wav", tone_wav(), "audio/wav"), title="Morning"
    )
    return room


def test_an_administrator_uploads_through_the_page_and_only_audio_is_accepted(client, room):
    live.do_start_meeting(room["chair"], room["meeting"])
    force_sign_in(client, room["admin"])
    url = reverse("meetings:recordings", args=[room["meeting"].pk])
    response = client.post(url, {"title": "", "file": SimpleUploadedFile("meeting.wav", tone_wav(), "audio/wav")})
    assert response.status_code == 302
    recording = MeetingRecording.objects.get(meeting=room["meeting"])
    assert recording.content_type == "audio/wav" and recording.title == "meeting"
    pdf = client.post(url, {"file": SimpleUploadedFile("notes.pdf", tiny_pdf(), "application/pdf")})
    assert pdf.status_code == 400 and "not an audio recording" in pdf.content.decode()
    disguised = client.post(url, {"file": SimpleUploadedFile("notes.mp3", tiny_pdf(), "audio/mpeg")})
    assert disguised.status_code == 400 and "Only audio recordings" in disguised.content.decode()


def test_nothing_can_be_uploaded_before_the_meeting_starts_or_by_a_member(client, room):
    force_sign_in(client, room["admin"])
    url = reverse("meetings:recordings", args=[room["meeting"].pk])
    file = SimpleUploadedFile("meeting.wav", tone_wav(), "audio/wav")
    assert client.post(url, {"file": file}).status_code == 404
    live.do_start_meeting(room["chair"], room["meeting"])
    force_sign_in(client, room["member"])
    assert client.post(url, {"file": SimpleUploadedFile("m.wav", tone_wav(), "audio/wav")}).status_code == 404


def test_a_member_listens_only_once_the_chair_allows_it(client, recorded):
    recording = recorded["recording"]
    play = reverse("meetings:recording_play", args=[recording.pk])
    force_sign_in(client, recorded["member"])
    assert client.get(play).status_code == 404
    page = client.get(reverse("meetings:recordings", args=[recorded["meeting"].pk])).content.decode()
    assert "not been allowed to hear" in page
    audio.do_set_listeners(recorded["chair"], recording, [recorded["member"].pk])
    assert client.get(play).status_code == 200
    force_sign_in(client, recorded["newcomer"])
    assert client.get(play).status_code == 404


def test_only_the_chair_chooses_listeners_from_the_people_of_the_meeting(client, recorded):
    recording = recorded["recording"]
    url = reverse("meetings:recording_listeners", args=[recording.pk])
    force_sign_in(client, recorded["admin"])
    assert client.get(url).status_code == 404  # the uploader may listen, not decide who else does
    force_sign_in(client, recorded["chair"])
    assert client.post(url, {"listeners": [recorded["member"].pk]}).status_code == 302
    assert list(recording.listeners.all()) == [recorded["member"]]
    refused = client.post(url, {"listeners": [recorded["outsider"].pk]})
    assert refused.status_code == 200 and list(recording.listeners.all()) == [recorded["member"]]


def test_the_chair_sees_how_many_of_the_cases_discussed_each_possible_listener_is_not_on(client, recorded):
    """The recording covers every item: Mina Member is on the school case only, Nico
    Newcomer on neither of the two cases discussed."""
    force_sign_in(client, recorded["chair"])
    page = client.get(reverse("meetings:recording_listeners", args=[recorded["recording"].pk])).content.decode()
    assert "Mina Member (Northshire Academy) – not a member of 1 of the 2 cases discussed" in page
    assert "Nico Newcomer (Northshire Academy) – not a member of 2 of the 2 cases discussed" in page


def test_seeking_is_a_range_request_and_every_play_and_download_is_audited(client, recorded):
    recording = recorded["recording"]
    force_sign_in(client, recorded["chair"])
    play = reverse("meetings:recording_play", args=[recording.pk])
    first = client.get(play, headers={"Range": "bytes=0-"})
    assert first.status_code == 206 and first["Accept-Ranges"] == "bytes"
    seek = client.get(play, headers={"Range": "bytes=1000-1999"})
    assert seek.status_code == 206 and seek["Content-Range"] == f"bytes 1000-1999/{recording.size}"
    assert len(b"".join(seek.streaming_content)) == 1000
    client.get(play, headers={"Range": "bytes=2000-2999"})  # another seek in the same sitting
    client.get(play, headers={"Range": "bytes=0-"})  # played again from the start
    download = client.get(reverse("meetings:recording_download", args=[recording.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    actions = list(AuditEvent.objects.filter(actor_id=recorded["chair"].pk, action__startswith="meeting.recording_")
                   .order_by("pk").values_list("action", flat=True))  # fmt: skip
    assert actions == ["meeting.recording_played", "meeting.recording_sought", "meeting.recording_played",
                       "meeting.recording_downloaded"]  # fmt: skip
