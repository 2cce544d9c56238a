"""The live meeting and minutes through the API: the same services, the same visibility."""

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.api.services import do_create_token
from roundtable.meetings.models import AgendaItem, Meeting, Minutes
from roundtable.tasks.models import Task
from tests.meetings import live_world

pytestmark = pytest.mark.django_db
room = live_world.room  # the shared fixture (tests/meetings/live_world.py)


@pytest.fixture
def api(client):
    def _as(user):
        _, raw = do_create_token(user, name="test", days=1)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client

    return _as


def _move(client, meeting, **body):
    return client.post(
        reverse("api:meeting_move", kwargs={"meeting_id": meeting.pk}), body, content_type="application/json"
    )


def test_the_chair_drives_and_a_member_reads_where_the_meeting_is(api, room):
    meeting = room["meeting"]
    chair = api(room["chair"])
    started = _move(chair, meeting, to="start")
    assert started.status_code == 200
    assert started.json()["current_item"]["label"].startswith(room["school_case"].reference)
    assert _move(chair, meeting, to="next").json()["current_item"]["number"] == 2
    assert _move(chair, meeting, to="item", item_id=room["items"][2].pk).json()["current_item"]["label"] == (
        "Training dates"
    )
    assert _move(chair, meeting, to="next").status_code == 422  # already the last item
    member = api(room["member"])
    where = member.get(reverse("api:meeting_live", kwargs={"meeting_id": meeting.pk})).json()
    assert where["status"] == "in_session" and where["current_item"]["number"] == 3
    assert _move(member, meeting, to="previous").status_code == 404


def test_an_outsider_gets_404(api, room):
    outsider = api(room["outsider"])
    assert outsider.get(reverse("api:meeting_live", kwargs={"meeting_id": room["meeting"].pk})).status_code == 404


def test_recording_minutes_decision_and_action_and_the_409_for_a_lost_race(api, room):
    _move(api(room["chair"]), room["meeting"], to="start")
    admin = api(room["admin"])
    item = room["items"][0]
    url = reverse("api:record_item_minutes", kwargs={"item_id": item.pk})
    first = admin.post(url, {"version": 1, "text": "First.", "original": ""}, content_type="application/json")
    assert first.status_code == 200 and first.json()["minutes_text"] == "First."
    late = admin.post(url, {"version": 1, "text": "Second.", "original": ""}, content_type="application/json")
    assert late.status_code == 409 and late.json()["merged"] == "First.\n\nSecond."
    decided = admin.post(
        reverse("api:record_item_decision", kwargs={"item_id": item.pk}),
        {"version": 2, "decision": "Keep under review", "reasons": "Early days"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "Keep under review"
    due = (timezone.localdate() + timezone.timedelta(days=5)).isoformat()
    action = admin.post(
        reverse("api:record_item_action", kwargs={"item_id": item.pk}),
        {"title": "Call the school", "assignee_id": room["member"].pk, "due_date": due},
        content_type="application/json",
    )
    assert action.status_code == 201
    assert Task.objects.get(pk=action.json()["task_id"]).assignee == room["member"]
    member = api(room["member"])
    refused = member.post(url, {"version": 3, "text": "Mine"}, content_type="application/json")
    assert refused.status_code == 404 and AgendaItem.objects.get(pk=item.pk).minutes_text == "First."


def test_minutes_read_and_approved_through_the_api(api, room):
    chair = api(room["chair"])
    meeting = room["meeting"]
    _move(chair, meeting, to="start")
    _move(chair, meeting, to="close")
    url = reverse("api:meeting_minutes", kwargs={"meeting_id": meeting.pk})
    draft = chair.get(url).json()
    assert draft["status"] == "draft" and len(draft["items"]) == 3
    approve = reverse("api:approve_minutes", kwargs={"meeting_id": meeting.pk})
    stale = chair.post(approve, {"version": draft["version"], "fingerprint": "x"}, content_type="application/json")
    assert stale.status_code == 409
    done = chair.post(
        approve, {"version": draft["version"], "fingerprint": draft["fingerprint"]}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Minutes.objects.get(meeting=meeting).status == "approved"
    assert Meeting.objects.get(pk=meeting.pk).status == "minutes_approved"
    seen = api(room["member"]).get(url).json()
    labels = [item["label"] for item in seen["items"]]
    assert labels[1] == "Item 2 – restricted to members of the case" and not seen["items"][1]["visible"]


def test_a_channel_decision_through_the_api_goes_through_the_workflow(api, area):
    from roundtable.channel.models import ChannelCase
    from roundtable.meetings import live
    from tests.channel.factories import submit
    from tests.meetings.factories import ItemFactory, MeetingFactory, publish
    from tests.panels.factories import PanelFactory

    panel = PanelFactory(area=area)
    channel_case = submit(panel)
    ChannelCase.objects.filter(pk=channel_case.pk).update(state="awaiting_panel")
    meeting = MeetingFactory(panel=panel)
    item = ItemFactory(meeting=meeting, case=channel_case.case, kind="new_referral", added_by=panel.chair)
    publish(meeting)
    live.do_start_meeting(panel.chair, meeting)
    url = reverse("api:record_item_transition", kwargs={"item_id": item.pk})
    admin = api(panel.administrators.first())
    assert (
        admin.post(
            url, {"transition": "decide_adopt", "data": {"reasons": "x"}}, content_type="application/json"
        ).status_code
        == 404
    )
    chair = api(panel.chair)
    missing = chair.post(url, {"transition": "decide_adopt", "data": {}}, content_type="application/json")
    assert missing.status_code == 422 and "reasons" in missing.content.decode()
    done = chair.post(url, {"transition": "decide_adopt", "data": {"reasons": "Vulnerable."}},
                      content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["decision"] == "Adopt as a Channel case"
    channel_case.refresh_from_db()
    assert channel_case.state == "adopted"
