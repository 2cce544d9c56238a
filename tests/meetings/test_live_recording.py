"""Recording in the room: minutes (two typists lose nothing), decisions (free, or through the
Channel workflow), actions as tasks — each announced to the room at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.core.conflicts import EditConflict
from roundtable.meetings import live
from roundtable.meetings.models import Action, AgendaItem
from roundtable.panels.models import WorkflowEvent
from roundtable.tasks.models import Task
from tests.conftest import force_sign_in
from tests.meetings import live_world

pytestmark = pytest.mark.django_db
room = live_world.room  # the shared fixture (tests/meetings/live_world.py)


@pytest.fixture
def in_session(room):
    live.do_start_meeting(room["chair"], room["meeting"])
    related = ("meeting", "meeting__panel", "case")
    room["items"] = [AgendaItem.objects.select_related(*related).get(pk=item.pk) for item in room["items"]]
    return room


def _fresh(item) -> AgendaItem:
    return AgendaItem.objects.get(pk=item.pk)


# --- Minutes: two people typing ---------------------------------------------------------------------------
def test_two_people_typing_the_same_items_minutes_lose_nothing(in_session):
    item = in_session["items"][0]
    loaded = _fresh(item)  # both open the item at version 1 with empty minutes
    live.do_record_minutes(in_session["admin"], item, expected_version=loaded.version,
                           text="Ms Member reported better attendance.", original="")  # fmt: skip
    with pytest.raises(EditConflict) as clash:
        live.do_record_minutes(in_session["chair"], item, expected_version=loaded.version,
                               text="The school will keep the mentor.", original="")  # fmt: skip
    assert clash.value.current.minutes_text == "Ms Member reported better attendance."
    assert _fresh(item).minutes_text == "Ms Member reported better attendance."  # nothing overwritten
    merged = live.merge_texts(clash.value.current.minutes_text, "The school will keep the mentor.", "")
    assert merged == "Ms Member reported better attendance.\n\nThe school will keep the mentor."
    current = clash.value.current
    live.do_record_minutes(in_session["chair"], item, expected_version=current.version, text=merged,
                           original=current.minutes_text)  # fmt: skip
    assert "better attendance" in _fresh(item).minutes_text and "keep the mentor" in _fresh(item).minutes_text


def test_merging_keeps_the_lines_each_person_added_to_the_text_they_started_from():
    base = "Attendance discussed."
    theirs = "Attendance discussed.\nMum attended."
    yours = "Attendance discussed.\nMentor to continue."
    assert live.merge_texts(theirs, yours, base) == "Attendance discussed.\nMum attended.\n\nMentor to continue."
    assert live.merge_texts(theirs, base, base) == theirs  # you added nothing: theirs stands
    assert live.merge_texts(base, yours, base) == yours  # they changed nothing of the minutes


def test_a_decision_saved_meanwhile_does_not_block_the_minutes(in_session):
    item = in_session["items"][0]
    loaded = _fresh(item)
    live.do_record_decision(in_session["chair"], item, expected_version=loaded.version, decision="Continue support",
                            reasons="Improving", original=("", ""))  # fmt: skip
    saved = live.do_record_minutes(in_session["admin"], item, expected_version=loaded.version, text="Discussed.",
                                   original="")  # fmt: skip
    assert saved.minutes_text == "Discussed." and saved.decision == "Continue support"


def test_the_merge_screen_shows_both_texts_and_the_merged_text(client, in_session):
    item = in_session["items"][0]
    force_sign_in(client, in_session["admin"])
    url = reverse("meetings:record_minutes", args=[item.pk])
    assert client.post(url, {"minutes_text": "First words.", "version": 1, "original": ""}).status_code == 302
    response = client.post(url, {"minutes_text": "Second words.", "version": 1, "original": ""})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved the minutes of this item" in body
    assert "First words." in body and "Second words." in body
    assert "First words.\n\nSecond words.</textarea>" in body
    assert _fresh(item).minutes_text == "First words."


def test_a_member_cannot_record_and_gets_404(client, in_session):
    item = in_session["items"][0]
    force_sign_in(client, in_session["member"])
    assert client.get(reverse("meetings:record", args=[item.pk])).status_code == 404
    response = client.post(reverse("meetings:record_minutes", args=[item.pk]), {"minutes_text": "x", "version": 1})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        live.do_record_minutes(in_session["member"], item, expected_version=1, text="x")


def test_nothing_is_recorded_once_the_minutes_are_approved_or_before_the_meeting(room):
    with pytest.raises(PermissionDenied):
        live.do_record_minutes(room["admin"], room["items"][0], expected_version=1, text="Too early")


# --- Decisions --------------------------------------------------------------------------------------------------
def test_a_free_decision_needs_reasons(in_session):
    with pytest.raises(ValidationError) as error:
        live.do_record_decision(in_session["admin"], in_session["items"][0], expected_version=1, decision="Close",
                                reasons="")  # fmt: skip
    assert "Enter the reasons" in str(error.value)


def test_recording_announces_the_item_changed(in_session, django_capture_on_commit_callbacks):
    item = in_session["items"][0]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        live.do_record_decision(in_session["admin"], item, expected_version=1, decision="Close the case",
                                reasons="Needs are met")  # fmt: skip
    assert len(callbacks) == 1


def test_a_channel_panels_decision_goes_through_the_workflow(area):
    from roundtable.channel.models import ChannelCase
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
    item = AgendaItem.objects.select_related("meeting__panel", "case").get(pk=item.pk)
    names = {a.transition.name for a in live.meeting_transitions(panel.chair, item) if a.allowed}
    assert names == {"decide_adopt", "decide_signpost", "decide_exit"}
    admin = panel.administrators.first()
    assert not any(a.allowed for a in live.meeting_transitions(admin, item))  # only the chair decides
    with pytest.raises(ValidationError, match="through the Channel workflow"):
        live.do_record_decision(panel.chair, item, expected_version=1, decision="Adopt", reasons="x")
    live.do_record_transition(panel.chair, item, "decide_adopt", {"reasons": "Vulnerable and consents to talk."})
    item = _fresh(item)
    channel_case.refresh_from_db()
    assert channel_case.state == "adopted"
    assert item.decision == "Adopt as a Channel case" and item.decision_reasons == "Vulnerable and consents to talk."
    assert item.decision_event == WorkflowEvent.objects.get(case=channel_case.case, transition="decide_adopt")


# --- Actions ------------------------------------------------------------------------------------------------------
def test_an_action_becomes_a_task_for_someone_on_the_case(in_session):
    item = in_session["items"][0]
    due = timezone.localdate() + timezone.timedelta(days=14)
    action = live.do_record_action(in_session["admin"], item, title="Arrange a mentor", assignee=in_session["member"],
                                   due_date=due)  # fmt: skip
    task = Task.objects.get(pk=action.task_id)
    assert (task.case_id, task.assignee_id, task.due_date, task.created_by_id) == (
        in_session["school_case"].pk, in_session["member"].pk, due, in_session["admin"].pk)  # fmt: skip
    assert Action.objects.filter(item=item, task=task).exists()


def test_an_action_for_someone_not_on_the_case_is_refused(in_session):
    with pytest.raises(ValidationError) as error:
        live.do_record_action(
            in_session["admin"], in_session["items"][0], title="Visit", assignee=in_session["newcomer"],
            due_date=timezone.localdate(),
        )  # fmt: skip
    assert "member of this case" in str(error.value)


def test_an_administrator_not_on_the_case_is_told_to_ask(in_session):
    with pytest.raises(ValidationError, match="not a contributor on case"):
        live.do_record_action(in_session["admin"], in_session["items"][1], title="Visit", assignee=in_session["chair"],
                              due_date=timezone.localdate())  # fmt: skip


def test_the_action_form_sets_the_task_and_shows_errors_in_place(client, in_session):
    item = in_session["items"][0]
    force_sign_in(client, in_session["admin"])
    url = reverse("meetings:record_action", args=[item.pk])
    bad = client.post(url, {"title": "", "assignee": "", "due_day": "", "due_month": "", "due_year": ""})
    body = bad.content.decode()
    assert bad.status_code == 400
    assert (
        "Enter what needs to be done" in body and "Choose who will do it" in body and "Enter the date it is due" in body
    )
    due = timezone.localdate() + timezone.timedelta(days=7)
    good = client.post(url, {"title": "Call the family", "assignee": in_session["member"].pk, "due_day": due.day,
                             "due_month": due.month, "due_year": due.year})  # fmt: skip
    assert good.status_code == 302
    assert Task.objects.filter(title="Call the family", assignee=in_session["member"]).exists()
    page = client.get(reverse("meetings:record", args=[item.pk])).content.decode()
    assert "Call the family" in page
