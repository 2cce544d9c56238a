"""The live meeting: driving it, following it (socket and fragments), and what only the
permission-checked fragment may show."""

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.core.routing import websocket_urlpatterns
from roundtable.meetings import live
from roundtable.meetings.models import Meeting, Minutes
from tests.conftest import force_sign_in
from tests.factories import EntryFactory
from tests.meetings import live_world

pytestmark = pytest.mark.django_db
room = live_world.room  # the shared fixture (tests/meetings/live_world.py)

application = URLRouter(websocket_urlpatterns)


_communicator = live_world.communicator


def _connects(user, meeting) -> bool:
    communicator = _communicator(user, meeting)

    async def attempt():
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    return async_to_sync(attempt)()


# --- Driving ------------------------------------------------------------------------------------------------
def test_the_chair_starts_moves_and_closes_the_meeting(room):
    chair, meeting = room["chair"], room["meeting"]
    first, second, third = room["items"]
    meeting = live.do_start_meeting(chair, meeting)
    assert meeting.status == Meeting.Status.IN_SESSION and meeting.current_item_id == first.pk
    assert live.do_step(chair, meeting, "next").current_item_id == second.pk
    assert live.do_step(chair, meeting, "next").current_item_id == third.pk
    with pytest.raises(ValidationError, match="last item"):
        live.do_step(chair, meeting, "next")
    assert live.do_step(chair, meeting, "previous").current_item_id == second.pk
    assert live.do_move_to(chair, meeting, first).current_item_id == first.pk
    meeting = live.do_close_meeting(chair, meeting)
    assert meeting.status == Meeting.Status.CLOSED and meeting.current_item_id is None
    assert Minutes.objects.filter(meeting=meeting, status=Minutes.Status.DRAFT).exists()
    actions = list(AuditEvent.objects.filter(object_id=str(meeting.pk)).values_list("action", flat=True))
    assert actions.count("meeting.moved") == 4 and "meeting.started" in actions and "meeting.closed" in actions


def test_a_member_cannot_drive_the_meeting(room):
    with pytest.raises(PermissionDenied):
        live.do_start_meeting(room["member"], room["meeting"])


def test_moving_is_announced_after_commit_with_ids_only(room, django_capture_on_commit_callbacks):
    live.do_start_meeting(room["chair"], room["meeting"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        live.do_step(room["chair"], room["meeting"], "next")
    assert len(callbacks) == 1
    assert live.moved_message(room["meeting"].pk, room["items"][1].pk) == {
        "type": "meeting.moved", "meeting": room["meeting"].pk, "item": room["items"][1].pk
    }  # fmt: skip


# --- The socket ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["chair", "admin", "member"])
def test_the_people_of_the_meeting_may_follow_it(room, who):
    assert _connects(room[who], room["meeting"])


def test_an_outsider_and_an_anonymous_visitor_are_refused(room):
    assert not _connects(room["outsider"], room["meeting"])
    assert not _connects(AnonymousUser(), room["meeting"])


# What the socket sends each follower on a move: tests/meetings/test_follow.py.


# --- Fragments: what each person sees --------------------------------------------------------------------
def _stage(client, user, meeting, item):
    force_sign_in(client, user)
    return client.get(reverse("meetings:live_item", args=[meeting.pk, item.pk]), headers={"HX-Request": "true"})


def test_a_member_sees_the_item_and_restricted_entries_only_as_placeholders(client, room):
    item = room["items"][0]
    EntryFactory(case=room["school_case"], summary="Visited at school", body="Attendance improving")
    EntryFactory(case=room["school_case"], summary="Police intelligence", body="SECRET-BODY", is_restricted=True)
    response = _stage(client, room["member"], room["meeting"], item)
    body = response.content.decode()
    assert response.status_code == 200
    assert room["school_case"].reference in body and "Visited at school" in body
    assert "Restricted entry" in body and "SECRET-BODY" not in body and "Police intelligence" not in body


def test_with_the_agenda_unpublished_a_member_sees_only_that_an_item_is_restricted(client, room):
    Meeting.objects.filter(pk=room["meeting"].pk).update(agenda_published_at=None)
    response = _stage(client, room["newcomer"], room["meeting"], room["items"][1])
    body = response.content.decode()
    assert response.status_code == 200
    assert "Item 2 – restricted to members of the case" in body
    assert room["family_case"].reference not in body and room["family_case"].person.family_name not in body


def test_an_outsider_gets_404_for_the_fragment_and_the_page(client, room):
    assert _stage(client, room["outsider"], room["meeting"], room["items"][0]).status_code == 404
    assert client.get(reverse("meetings:live", args=[room["meeting"].pk])).status_code == 404


def test_the_fragment_of_another_meetings_item_is_404(client, room):
    from tests.meetings.factories import ItemFactory, MeetingFactory

    elsewhere = ItemFactory(meeting=MeetingFactory(panel=room["panel"]), kind="other_business", title="Other")
    assert _stage(client, room["chair"], room["meeting"], elsewhere).status_code == 404


def test_the_chair_drives_from_the_page_in_the_background(client, room):
    force_sign_in(client, room["chair"])
    url = reverse("meetings:live_control", args=[room["meeting"].pk])
    started = client.post(url, {"action": "start"}, headers={"HX-Request": "true"})
    assert started.status_code == 204
    moved = client.post(url, {"action": "next"}, headers={"HX-Request": "true"})
    assert moved.status_code == 204
    assert Meeting.objects.get(pk=room["meeting"].pk).current_item_id == room["items"][1].pk
    page = client.get(reverse("meetings:live", args=[room["meeting"].pk]))
    assert "Next item" in page.content.decode() and room["family_case"].reference in page.content.decode()
    last = client.post(url, {"action": "goto", "item": room["items"][2].pk}, headers={"HX-Request": "true"})
    assert last.status_code == 204
    refused = client.post(url, {"action": "next"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and "last item" in refused.content.decode()


def test_a_member_cannot_use_the_controls(client, room):
    force_sign_in(client, room["member"])
    response = client.post(reverse("meetings:live_control", args=[room["meeting"].pk]), {"action": "start"})
    assert response.status_code == 404
    assert Meeting.objects.get(pk=room["meeting"].pk).status == Meeting.Status.PLANNED


def test_the_projected_screen_shows_the_current_item_in_large_type(client, room):
    live.do_start_meeting(room["chair"], room["meeting"])
    force_sign_in(client, room["chair"])
    body = client.get(reverse("meetings:present", args=[room["meeting"].pk])).content.decode()
    assert "rt-live--present" in body and room["school_case"].reference in body and "Item 1 of 3" in body


def test_viewing_an_item_with_its_papers_is_audited(client, room):
    _stage(client, room["member"], room["meeting"], room["items"][0])
    event = AuditEvent.objects.filter(action="meeting.live_item_viewed", actor_id=room["member"].pk).get()
    assert event.case_id == room["school_case"].pk


# --- The live screen's shortcuts agree with the policy's querysets ------------------------------------------
@pytest.mark.parametrize("published", [True, False])
def test_the_see_item_rule_agrees_with_the_agenda_items_scope(room, published):
    from roundtable.access import policy
    from roundtable.access.rules.meetings import forget
    from roundtable.meetings.models import AgendaItem

    if not published:
        Meeting.objects.filter(pk=room["meeting"].pk).update(agenda_published_at=None)
    items = list(AgendaItem.objects.select_related("meeting__panel", "case").filter(meeting=room["meeting"]))
    for who in ("chair", "admin", "member", "newcomer", "owner", "outsider"):
        user = room[who]
        forget(user)
        scoped = set(
            policy.visible(user, AgendaItem.objects.filter(meeting=room["meeting"])).values_list("pk", flat=True)
        )
        ruled = {item.pk for item in items if policy.can(user, "meeting.see_item", item)}
        assert ruled == scoped, who


def test_the_stage_shows_the_actions_and_tasks_the_policy_shows(room):
    from roundtable.access import policy
    from roundtable.assessments.services import latest_assessment
    from roundtable.cases.queries import case_entries
    from roundtable.meetings.models import Action, AgendaItem
    from roundtable.tasks.models import Task

    live.do_start_meeting(room["chair"], room["meeting"])
    item = AgendaItem.objects.select_related("meeting__panel", "case").get(pk=room["items"][0].pk)
    live.do_record_action(room["admin"], item, title="Call", assignee=room["member"], due_date=timezone.localdate())
    EntryFactory(case=item.case, summary="Open note")
    EntryFactory(case=item.case, summary="Locked note", is_restricted=True)
    for who in ("chair", "admin", "member", "newcomer"):
        user = room[who]
        stage = live.stage_for(user, Meeting.objects.get(pk=room["meeting"].pk), item)
        visible_actions = set(policy.visible(user, Action.objects.filter(item=item)).values_list("pk", flat=True))
        assert {action.pk for action in stage.actions} == visible_actions, who
        visible_tasks = set(
            policy.visible(user, Task.objects.filter(case=item.case, status__in=Task.OPEN_STATES)).values_list(
                "pk", flat=True
            )
        )
        assert {task.pk for task in stage.open_tasks} == visible_tasks, who
        by_policy = case_entries(user, item.case).order_by("-occurred_at", "-pk")[:5]
        assert [(e.pk, e.content_visible) for e in stage.entries] == [(e.pk, e.content_visible) for e in by_policy]
        assert stage.assessment == latest_assessment(user, item.case)


def test_the_redis_channel_layer_outlasts_its_own_blocking_read(settings):
    """redis-py's default socket timeout (5 s) equals channels_redis's blocking read: without a
    longer one every idle follower's socket is dropped after 5 seconds."""
    layer = settings.CHANNEL_LAYERS["default"]
    if "Redis" not in layer["BACKEND"]:
        pytest.skip("the in-memory channel layer has no socket")
    from channels_redis.core import RedisChannelLayer

    for host in layer["CONFIG"]["hosts"]:
        assert isinstance(host, dict) and host.get("socket_timeout", 5) > RedisChannelLayer.brpop_timeout
