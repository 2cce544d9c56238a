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
from django.db import connection
from django.urls import reverse

from roundtable.audit.models import AuditEvent
from roundtable.cases.consumers import CLOSE_NOT_ALLOWED
from roundtable.core.request_context import RequestInfo
from roundtable.meetings import follow, live
from roundtable.meetings.models import AgendaItem, Meeting
from tests.conftest import force_sign_in
from tests.factories import EntryFactory, UserFactory
from tests.meetings import live_world
from tests.meetings.factories import ItemFactory, publish

# Real transactions: the sockets use the database through database_sync_to_async, which
# closes a connection it finds inside a transaction (the test's own, otherwise).
pytestmark = pytest.mark.django_db(transaction=True)
room = live_world.room
AUDIT_LOCK = 1 if connection.vendor == "postgresql" else 0
SEND = live.send


@pytest.fixture
def published(monkeypatch):
    """What the services publish, held back (a list of (meeting id, message)) for ``_hear``
    to send once the sockets are connected."""
    held = []
    monkeypatch.setattr(live, "send", lambda meeting_id, message: held.append((meeting_id, message)))
    return held


def _hear(sockets, messages, meanwhile=None) -> list[dict]:
    """Connect every socket, run ``meanwhile`` (a change after connecting), send the held
    messages, and return what each socket got next: the JSON sent, or ``{"closed": code}``."""

    async def scenario():
        for socket in sockets:
            connected, _ = await socket.connect()
            assert connected
        if meanwhile is not None:
            await database_sync_to_async(meanwhile)()
        for meeting_id, message in list(messages):
            await database_sync_to_async(SEND)(meeting_id, message)
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


def _start(room):
    return live.do_start_meeting(room["chair"], room["meeting"])


def _fragment(client, user, meeting, item) -> str:
    force_sign_in(client, user)
    url = reverse("meetings:live_item", args=[meeting.pk, item.pk])
    return client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_a_reader_of_the_case_is_sent_the_item_exactly_as_the_fragment_view_shows_it(client, room, published):
    EntryFactory(case=room["school_case"], summary="Visited at school", body="Attendance improving")
    EntryFactory(case=room["school_case"], summary="Police intelligence", body="SECRET-BODY", is_restricted=True)
    _start(room)
    (message,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert message["event"] == "meeting.moved" and message["item"] == room["items"][0].pk
    html = message["html"]
    assert room["school_case"].reference in html and "Visited at school" in html
    assert "Restricted entry" in html and "SECRET-BODY" not in html and "Police intelligence" not in html
    assert html == _fragment(client, room["member"], room["meeting"], room["items"][0])


def test_the_read_sent_on_the_socket_is_audited_for_that_follower(room, published):
    _start(room)
    _hear([live_world.communicator(room["member"], room["meeting"])], published)
    event = AuditEvent.objects.get(action="meeting.live_item_viewed", actor_id=room["member"].pk)
    assert event.case_id == room["school_case"].pk and event.details == {"item": room["items"][0].pk,
                                                                          "delivered": "socket"}  # fmt: skip


def test_the_meeting_status_in_the_message_follows_the_meeting(room, published):
    _start(room)
    (started,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert 'data-status="in_session"' in started["html"] and "In session</strong>" in started["html"]
    published.clear()
    live.do_close_meeting(room["chair"], Meeting.objects.get(pk=room["meeting"].pk))
    (closed,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert closed["item"] is None and "The meeting is closed" in closed["html"] and "Closed</strong>" in closed["html"]


def test_an_item_someone_may_not_see_arrives_as_restricted_only(room, published):
    Meeting.objects.filter(pk=room["meeting"].pk).update(agenda_published_at=None)
    _start(room)
    (message,) = _hear([live_world.communicator(room["newcomer"], room["meeting"])], published)
    assert "Item 1 – restricted to members of the case" in message["html"]
    assert room["school_case"].reference not in message["html"]
    assert not AuditEvent.objects.filter(action="meeting.live_item_viewed", actor_id=room["newcomer"].pk).exists()


@pytest.mark.parametrize("who", ["chair", "admin"])
def test_the_chair_and_administrators_are_sent_the_ids_only_and_fetch_their_controls(room, who, published):
    _start(room)
    (message,) = _hear([live_world.communicator(room[who], room["meeting"])], published)
    assert message == {"event": "meeting.moved", "meeting": room["meeting"].pk, "item": room["items"][0].pk}


def test_a_reader_of_a_restricted_entry_shown_is_sent_the_ids_only_and_fetches_it(client, room, published):
    entry = EntryFactory(case=room["school_case"], summary="Shared with Mina", body="NAMED-BODY", is_restricted=True)
    entry.restricted_to.add(room["member"])
    _start(room)
    sockets = [live_world.communicator(room[who], room["meeting"]) for who in ("member", "newcomer")]
    member, newcomer = _hear(sockets, published)
    assert "html" not in member
    assert "NAMED-BODY" in _fragment(client, room["member"], room["meeting"], room["items"][0])
    assert "NAMED-BODY" not in newcomer["html"] and "Restricted entry" in newcomer["html"]


def test_someone_removed_from_the_panel_is_disconnected_at_the_next_move(room, published):
    socket = live_world.communicator(room["newcomer"], room["meeting"])
    _start(room)
    removed = _hear([socket], published, meanwhile=lambda: room["panel"].members.remove(room["newcomer"]))
    assert removed == [{"closed": CLOSE_NOT_ALLOWED}]


def test_a_follower_who_signed_out_is_disconnected_at_the_next_move(room, published):
    session = live_world.signed_in_session(room["member"])
    socket = live_world.communicator(room["member"], room["meeting"], session=session)
    _start(room)
    assert _hear([socket], published, meanwhile=session.delete) == [{"closed": CLOSE_NOT_ALLOWED}]


def test_a_change_to_an_item_not_on_screen_is_sent_as_ids(room, published):
    _start(room)
    published.clear()
    other = AgendaItem.objects.select_related("meeting__panel").get(pk=room["items"][2].pk)
    live.do_record_minutes(room["admin"], other, expected_version=other.version, text="Dates agreed")
    (message,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert message == {"event": "item.changed", "meeting": room["meeting"].pk, "item": other.pk}


def test_a_change_to_the_item_on_screen_is_sent_with_it(room, published):
    _start(room)
    published.clear()
    item = AgendaItem.objects.select_related("meeting__panel", "case").get(pk=room["items"][0].pk)
    live.do_record_minutes(room["admin"], item, expected_version=item.version, text="Attendance is up")
    (message,) = _hear([live_world.communicator(room["member"], room["meeting"])], published)
    assert message["event"] == "item.changed" and "Attendance is up" in message["html"]


def test_each_message_is_rendered_once_for_all_the_followers_of_a_process(room, monkeypatch, published):
    renders = []
    original = follow.render_shared

    def counting(*args):
        renders.append(args)
        return original(*args)

    monkeypatch.setattr(follow, "render_shared", counting)
    _start(room)
    heard = _hear([live_world.communicator(room[who], room["meeting"]) for who in ("member", "newcomer")], published)
    assert len(renders) == 1 and all("html" in message for message in heard)


def test_deciding_for_the_followers_of_a_process_takes_the_same_queries_for_one_or_many(
    room, django_assert_num_queries
):
    """The work on every move, per app process, read for all its followers together:
    sessions, users, second-factor devices (3), meeting and item (2), what the rules need
    about these people and this meeting (4: administrators, members, invitees, case roles;
    1 more for whether the case is on this agenda), restricted entries' readers (0 here),
    and the reads' audit events in one transaction (BEGIN, head, insert, COMMIT; and the
    audit chain's lock on PostgreSQL)."""
    meeting = live.do_start_meeting(room["chair"], room["meeting"])
    shared = follow.render_shared(meeting.pk, room["items"][0].pk, "meeting.moved")
    info = RequestInfo(request_id="ws-test", ip_address="192.0.2.1", user_agent="test")
    one = [follow.Follower(live_world.signed_in_session(room["member"]), info)]
    with django_assert_num_queries(14 + AUDIT_LOCK):
        (delivery,) = follow.deliver_all(meeting.pk, shared, one)
    assert delivery.html == shared.reader_html
    many = one + [follow.Follower(live_world.signed_in_session(room[who]), info) for who in ("newcomer", "chair")]
    with django_assert_num_queries(14 + AUDIT_LOCK):
        deliveries = follow.deliver_all(meeting.pk, shared, many)
    assert [d.html for d in deliveries] == [shared.reader_html, shared.reader_html, None]
    assert AuditEvent.objects.filter(action="meeting.live_item_viewed", request_id="ws-test").count() == 3


@pytest.mark.parametrize("published", [True, False])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_what_is_learnt_for_all_followers_at_once_gives_the_answers_the_rules_look_up_one_by_one(
    room, published, position
):
    from roundtable.access import policy
    from roundtable.access.rules.meetings import remember_for_meeting, runs_panel
    from roundtable.accounts.models import User
    from roundtable.meetings.models import MeetingInvitee
    from tests.meetings.factories import MeetingFactory

    if not published:
        Meeting.objects.filter(pk=room["meeting"].pk).update(agenda_published_at=None)
    guest = UserFactory(full_name="Gina Guest")
    MeetingInvitee.objects.create(meeting=room["meeting"], user=guest, invited_by=room["chair"])
    elsewhere = MeetingFactory(panel=room["panel"])  # another open meeting with the family case, published
    ItemFactory(meeting=elsewhere, case=room["family_case"], position=1, added_by=room["chair"])
    publish(elsewhere)
    live.do_start_meeting(room["chair"], room["meeting"])
    meeting = Meeting.objects.select_related("panel").get(pk=room["meeting"].pk)
    item = AgendaItem.objects.select_related("case").get(pk=room["items"][position].pk)
    item.meeting = meeting
    who = ["chair", "admin", "member", "newcomer", "owner", "outsider"]
    people = [room[name] for name in who] + [guest]
    primed = list(User.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))
    remember_for_meeting(primed, meeting, item.case_id)
    for user in primed:
        fresh = User.objects.get(pk=user.pk)
        for rule, obj in (("meeting.follow", meeting), ("meeting.see_item", item)) + (
            (("case.view", item.case),) if item.case_id else ()
        ):
            assert policy.can(user, rule, obj) == policy.can(fresh, rule, obj), (user.full_name, rule)
        assert runs_panel(user, meeting.panel) == runs_panel(fresh, meeting.panel)
