"""Follow the chair: what the meeting's socket sends each follower when the chair moves or
something is recorded on the item on screen (roundtable/meetings/follow.py).

The item is rendered once per message and app process; for each follower the policy is
asked again on every message — who may no longer follow is disconnected, who may not see
the item gets "restricted", a reader of the case gets the shared view (audited), and the
people whose view differs are sent the IDs only and fetch their own."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.urls import reverse

from roundtable.audit.models import AuditEvent
from roundtable.cases.consumers import CLOSE_NOT_ALLOWED
from roundtable.meetings import follow, live
from roundtable.meetings.models import AgendaItem, Meeting
from tests.conftest import force_sign_in
from tests.factories import EntryFactory
from tests.meetings import live_world

pytestmark = pytest.mark.django_db
room = live_world.room


def _hear(sockets, callbacks, meanwhile=None) -> list[dict]:
    """Connect every socket, run ``meanwhile`` (a change after connecting), publish the
    messages, and return what each socket got next: the JSON sent, or ``{"closed": code}``."""

    async def scenario():
        for socket in sockets:
            connected, _ = await socket.connect()
            assert connected
        if meanwhile is not None:
            await database_sync_to_async(meanwhile)()
        for callback in callbacks:
            await database_sync_to_async(callback)()
        heard = []
        for socket in sockets:
            output = await socket.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                heard.append({"closed": output.get("code")})
            else:
                heard.append(json.loads(output["text"]))
        for socket in sockets:
            await socket.disconnect()
        return heard

    return async_to_sync(scenario)()


def _start(room, capture):
    with capture() as published:
        live.do_start_meeting(room["chair"], room["meeting"])
    return published


def _fragment(client, user, meeting, item) -> str:
    force_sign_in(client, user)
    url = reverse("meetings:live_item", args=[meeting.pk, item.pk])
    return client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_a_reader_of_the_case_is_sent_the_item_exactly_as_the_fragment_view_shows_it(
    client, room, django_capture_on_commit_callbacks
):
    EntryFactory(case=room["school_case"], summary="Visited at school", body="Attendance improving")
    EntryFactory(case=room["school_case"], summary="Police intelligence", body="SECRET-BODY", is_restricted=True)
    published = _start(room, django_capture_on_commit_callbacks)
    (message,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert message["event"] == "meeting.moved" and message["item"] == room["items"][0].pk
    html = message["html"]
    assert room["school_case"].reference in html and "Visited at school" in html
    assert "Restricted entry" in html and "SECRET-BODY" not in html and "Police intelligence" not in html
    assert html == _fragment(client, room["member"], room["meeting"], room["items"][0])


def test_the_read_sent_on_the_socket_is_audited_for_that_follower(room, django_capture_on_commit_callbacks):
    published = _start(room, django_capture_on_commit_callbacks)
    _hear([live_world.communicator(room["member"], room["meeting"])], published)
    event = AuditEvent.objects.get(action="meeting.live_item_viewed", actor_id=room["member"].pk)
    assert event.case_id == room["school_case"].pk and event.details == {"item": room["items"][0].pk,
                                                                          "delivered": "socket"}  # fmt: skip


def test_the_meeting_status_in_the_message_follows_the_meeting(room, django_capture_on_commit_callbacks):
    published = _start(room, django_capture_on_commit_callbacks)
    (started,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert 'data-status="in_session"' in started["html"] and "In session</strong>" in started["html"]
    with django_capture_on_commit_callbacks() as closing:
        live.do_close_meeting(room["chair"], Meeting.objects.get(pk=room["meeting"].pk))
    (closed,) = _hear([live_world.communicator(room["member"], room["meeting"])], closing)
    assert closed["item"] is None and "The meeting is closed" in closed["html"] and "Closed</strong>" in closed["html"]


def test_an_item_someone_may_not_see_arrives_as_restricted_only(room, django_capture_on_commit_callbacks):
    Meeting.objects.filter(pk=room["meeting"].pk).update(agenda_published_at=None)
    published = _start(room, django_capture_on_commit_callbacks)
    (message,) = _hear([live_world.communicator(room["newcomer"], room["meeting"])], published)
    assert "Item 1 – restricted to members of the case" in message["html"]
    assert room["school_case"].reference not in message["html"]
    assert not AuditEvent.objects.filter(action="meeting.live_item_viewed", actor_id=room["newcomer"].pk).exists()


@pytest.mark.parametrize("who", ["chair", "admin"])
def test_the_chair_and_administrators_are_sent_the_ids_only_and_fetch_their_controls(
    room, who, django_capture_on_commit_callbacks
):
    published = _start(room, django_capture_on_commit_callbacks)
    (message,) = _hear([live_world.communicator(room[who], room["meeting"])], published)
    assert message == {"event": "meeting.moved", "meeting": room["meeting"].pk, "item": room["items"][0].pk}


def test_a_reader_of_a_restricted_entry_shown_is_sent_the_ids_only_and_fetches_it(
    client, room, django_capture_on_commit_callbacks
):
    entry = EntryFactory(case=room["school_case"], summary="Shared with Mina", body="NAMED-BODY", is_restricted=True)
    entry.restricted_to.add(room["member"])
    published = _start(room, django_capture_on_commit_callbacks)
    sockets = [live_world.communicator(room[who], room["meeting"]) for who in ("member", "newcomer")]
    member, newcomer = _hear(sockets, published)
    assert "html" not in member
    assert "NAMED-BODY" in _fragment(client, room["member"], room["meeting"], room["items"][0])
    assert "NAMED-BODY" not in newcomer["html"] and "Restricted entry" in newcomer["html"]


def test_someone_removed_from_the_panel_is_disconnected_at_the_next_move(room, django_capture_on_commit_callbacks):
    socket = live_world.communicator(room["newcomer"], room["meeting"])
    published = _start(room, django_capture_on_commit_callbacks)
    removed = _hear([socket], published, meanwhile=lambda: room["panel"].members.remove(room["newcomer"]))
    assert removed == [{"closed": CLOSE_NOT_ALLOWED}]


def test_a_follower_who_signed_out_is_disconnected_at_the_next_move(room, django_capture_on_commit_callbacks):
    session = live_world.signed_in_session(room["member"])
    socket = live_world.communicator(room["member"], room["meeting"], session=session)
    published = _start(room, django_capture_on_commit_callbacks)
    assert _hear([socket], published, meanwhile=session.delete) == [{"closed": CLOSE_NOT_ALLOWED}]


def test_a_change_to_an_item_not_on_screen_is_sent_as_ids(room, django_capture_on_commit_callbacks):
    live.do_start_meeting(room["chair"], room["meeting"])
    other = AgendaItem.objects.select_related("meeting__panel").get(pk=room["items"][2].pk)
    with django_capture_on_commit_callbacks() as published:
        live.do_record_minutes(room["admin"], other, expected_version=other.version, text="Dates agreed")
    (message,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert message == {"event": "item.changed", "meeting": room["meeting"].pk, "item": other.pk}


def test_a_change_to_the_item_on_screen_is_sent_with_it(room, django_capture_on_commit_callbacks):
    live.do_start_meeting(room["chair"], room["meeting"])
    item = AgendaItem.objects.select_related("meeting__panel", "case").get(pk=room["items"][0].pk)
    with django_capture_on_commit_callbacks() as published:
        live.do_record_minutes(room["admin"], item, expected_version=item.version, text="Attendance is up")
    (message,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert message["event"] == "item.changed" and "Attendance is up" in message["html"]


def test_each_message_is_rendered_once_for_all_the_followers_of_a_process(
    room, monkeypatch, django_capture_on_commit_callbacks
):
    renders = []
    original = follow.render_shared

    def counting(*args):
        renders.append(args)
        return original(*args)

    monkeypatch.setattr(follow, "render_shared", counting)
    published = _start(room, django_capture_on_commit_callbacks)
    heard = _hear([live_world.communicator(room[who], room["meeting"]) for who in ("member", "newcomer")], published)
    assert len(renders) == 1 and all("html" in message for message in heard)


def test_deciding_for_one_follower_is_a_bounded_number_of_queries(room, django_assert_max_num_queries):
    """The work every follower's socket does on every move (PostgreSQL adds 2 for the audit chain lock)."""
    meeting = live.do_start_meeting(room["chair"], room["meeting"])
    shared = follow.render_shared(meeting.pk, room["items"][0].pk, "meeting.moved")
    session = live_world.signed_in_session(room["member"])
    with django_assert_max_num_queries(13):
        delivery = follow.deliver(session, meeting.pk, shared)
    assert delivery.html == shared.reader_html
