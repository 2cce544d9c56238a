"""Meeting pages through the browser's eyes (the test client): planning, building and
publishing an agenda, updates, attendance, apologies, follow-up."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from roundtable.meetings.models import AgendaItem, Attendance, Meeting, MeetingInvitee, PreMeetingUpdate
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, UserFactory
from tests.meetings.factories import ItemFactory, MeetingFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def _as(user):
        force_sign_in(client, user)
        return client

    return _as


def test_the_chair_plans_a_meeting_with_a_date_time_and_place(as_user, panel, chair):
    day = timezone.localdate() + timedelta(days=20)
    response = as_user(chair).post(
        reverse("meetings:create", args=[panel.pk]),
        {"day": day.day, "month": day.month, "year": day.year, "starts": "10:00", "ends": "12:30", "place": "Room 4"},
    )
    meeting = Meeting.objects.get(panel=panel)
    assert response.status_code == 302 and response["Location"] == reverse("meetings:agenda", args=[meeting.pk])
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (day, 10, 0)
    assert timezone.localtime(meeting.ends_at).hour == 12


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"day": "", "month": "", "year": ""}, "day", "Enter the date of the meeting"),
        ({"day": ""}, "day", "The date of the meeting must include a day"),
        ({"month": "13"}, "day", "must be a real date"),
        ({"starts": "25:00"}, "starts", "must be a real time"),
        ({"starts": "ten"}, "starts", "Enter the start time as a 24-hour time"),
        ({"ends": "09:00"}, "ends_at", "The meeting must end after it starts"),
        ({"place": "", "video_link": ""}, "place", "Enter a place or a video link"),
        ({"video_link": "http://meet.example/abc"}, "video_link", "must start with https://"),
        ({"year": "2001"}, "day", "The meeting must start in the future"),
    ],
)
def test_a_bad_meeting_form_says_what_is_wrong_and_keeps_what_was_typed(as_user, panel, chair, changes, field, message):
    day = timezone.localdate() + timedelta(days=20)
    data = {"day": day.day, "month": day.month, "year": day.year, "starts": "10:00", "ends": "", "place": "Room 4"}
    data.update(changes)
    response = as_user(chair).post(reverse("meetings:create", args=[panel.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "There is a problem" in body
    assert not Meeting.objects.exists()
    if data.get("place"):
        assert 'value="Room 4"' in body


def test_a_member_cannot_plan_a_meeting(as_user, panel, member):
    assert as_user(member).get(reverse("meetings:create", args=[panel.pk])).status_code == 404


def test_the_agenda_builder_proposes_channel_cases_waiting_and_due_for_review(as_user, meeting, chair, panel):
    from roundtable.channel.models import ChannelCase
    from tests.channel.factories import submit

    waiting = submit(panel, given_name="Waiting")
    adopted = submit(panel, given_name="Adopted")
    screening = submit(panel, given_name="Screening")
    ChannelCase.objects.filter(pk=waiting.pk).update(state="awaiting_panel")
    ChannelCase.objects.filter(pk=adopted.pk).update(state="in_support")
    page = as_user(chair).get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert waiting.case.reference in page and adopted.case.reference in page
    assert screening.case.reference not in page
    response = as_user(chair).post(reverse("meetings:add_proposed", args=[meeting.pk]), {"add_all": "1"})
    assert response.status_code == 302
    items = list(meeting.items.order_by("position").values_list("case_id", "kind"))
    assert items == [(waiting.case_id, "new_referral"), (adopted.case_id, "review")]


def test_the_administrator_adds_chosen_proposals_a_case_and_other_business_and_orders_them(
    as_user, meeting, admin, panel, chair
):
    from roundtable.channel.models import ChannelCase
    from tests.channel.factories import submit

    first, second = submit(panel, given_name="First"), submit(panel, given_name="Second")
    ChannelCase.objects.filter(pk__in=[first.pk, second.pk]).update(state="adopted")
    client = as_user(admin)
    client.post(reverse("meetings:add_proposed", args=[meeting.pk]), {"add_chosen": "1", "case": [second.case_id]})
    assert list(meeting.items.values_list("case_id", flat=True)) == [second.case_id]
    response = client.post(reverse("meetings:add_other", args=[meeting.pk]), {"title": "Training dates"})
    assert response.status_code == 302
    other = meeting.items.get(kind="other_business")
    client.post(reverse("meetings:item_move", args=[other.pk]), {"direction": "up"})
    order = list(meeting.items.order_by("position").values_list("kind", flat=True))
    assert order == ["other_business", "review"]
    response = client.post(reverse("meetings:item_move", args=[other.pk]), {"direction": "up"}, follow=True)
    assert "The item is already first" in response.content.decode()


def test_adding_a_case_nobody_may_see_answers_as_if_it_did_not_exist(as_user, meeting, admin, organisation):
    hidden = CaseFactory(owner=UserFactory(organisation=organisation))
    response = as_user(admin).post(
        reverse("meetings:add_case", args=[meeting.pk]), {"reference": hidden.reference, "kind": "review"}
    )
    assert "There is no case with that reference that you can see" in response.content.decode()
    response = as_user(admin).post(
        reverse("meetings:add_case", args=[meeting.pk]), {"reference": "NO-SUCH-1", "kind": "review"}
    )
    assert "There is no case with that reference that you can see" in response.content.decode()
    assert not meeting.items.exists()


def test_the_chair_adds_a_case_they_can_see_and_sets_its_lead_and_slot(as_user, meeting, chair, case, member):
    client = as_user(chair)
    client.post(
        reverse("meetings:add_case", args=[meeting.pk]), {"reference": case.reference.lower(), "kind": "review"}
    )
    item = meeting.items.get()
    start = timezone.localtime(meeting.starts_at) + timedelta(minutes=20)
    response = client.post(
        reverse("meetings:item_edit", args=[item.pk]),
        {"kind": "new_referral", "lead": member.pk, "slot_start": f"{start:%H:%M}", "slot_minutes": "15",
         "version": item.version},
    )  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.lead, item.slot_minutes) == ("new_referral", member, 15)


def test_editing_an_item_someone_else_saved_keeps_both_texts(as_user, meeting, chair):
    item = ItemFactory(meeting=meeting, kind="other_business", title="Budget")
    AgendaItem.objects.filter(pk=item.pk).update(title="Budget and training", version=2)
    response = as_user(chair).post(
        reverse("meetings:item_edit", args=[item.pk]), {"title": "Budget 2026", "version": 1, "slot_minutes": ""}
    )
    body = response.content.decode()
    assert "Someone else changed this item" in body
    assert "Budget and training" in body and "Budget 2026" in body


def test_publishing_late_needs_confirmation_then_emails_everyone_a_link_and_calendar(
    as_user, chair, panel, member, case, settings, django_capture_on_commit_callbacks
):
    settings.MEETING_AGENDA_PUBLISH_DAYS = 5
    meeting = MeetingFactory(panel=panel, starts_at=timezone.now() + timedelta(days=2))
    ItemFactory(meeting=meeting, case=case)
    client = as_user(chair)
    response = client.post(reverse("meetings:publish", args=[meeting.pk]), {})
    assert "Confirm that you want to publish it late" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).agenda_published_at is None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:publish", args=[meeting.pk]), {"late_confirmed": "on"})
    assert response.status_code == 302
    recipients = sorted(address for message in mail.outbox for address in message.to)
    expected = sorted([chair.email, member.email, *panel.administrators.values_list("email", flat=True)])
    assert recipients == expected
    message = mail.outbox[0]
    name, content, mimetype = message.attachments[0]
    assert name == "meeting.ics" and mimetype.startswith("text/calendar")
    text = content if isinstance(content, str) else content.decode()
    assert f"/meetings/{meeting.pk}/" in message.body
    for private in (case.reference, case.person.family_name, case.title):
        assert private not in message.body and private not in text and private not in message.subject


def test_publishing_an_empty_agenda_is_refused(as_user, meeting, chair):
    response = as_user(chair).post(reverse("meetings:publish", args=[meeting.pk]), {"late_confirmed": "on"})
    assert "Add at least one item to the agenda before publishing it" in response.content.decode()


def test_a_member_adds_an_update_and_the_chair_sees_it_summarised(as_user, meeting, member, chair, case):
    item = ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    client = as_user(member)
    response = client.post(reverse("meetings:add_update", args=[item.pk]), {"status": "open", "stage": ""})
    assert "Enter the stage the case is at with you" in response.content.decode()
    client.post(reverse("meetings:add_update", args=[item.pk]), {"status": "not_known"})
    client.post(reverse("meetings:add_update", args=[item.pk]), {"status": "open", "stage": "Waiting list"})
    assert PreMeetingUpdate.objects.filter(item=item).count() == 2
    body = as_user(chair).get(reverse("meetings:updates", args=[meeting.pk])).content.decode()
    assert "Waiting list" in body
    assert "Earlier updates (1)" in body
    assert "<strong>1</strong> open to us" in body and "<strong>0</strong> not known to us" in body


def test_a_member_cannot_add_an_update_before_the_agenda_is_published(as_user, meeting, member, case):
    item = ItemFactory(meeting=meeting, case=case)
    assert as_user(member).get(reverse("meetings:add_update", args=[item.pk])).status_code == 404


def test_a_member_sends_and_withdraws_apologies(as_user, meeting, member, chair):
    client = as_user(member)
    client.post(reverse("meetings:apologies", args=[meeting.pk]), {"note": "On leave"})
    assert Attendance.objects.get(meeting=meeting, user=member).status == "apologies"
    assert chair.notices.filter(message__contains="sent apologies").exists()
    client.post(reverse("meetings:apologies", args=[meeting.pk]), {"withdraw": "1"})
    assert not Attendance.objects.filter(meeting=meeting, user=member).exists()


def test_the_chair_takes_attendance_with_a_guest(as_user, meeting, chair, member):
    response = as_user(chair).post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {f"attendance_{member.pk}": "present", f"attendance_{chair.pk}": "present", "guest_name": "Head of Year 9",
         "guest_organisation": "Millford Academy", "guest_status": "present"},
    )  # fmt: skip
    assert response.status_code == 302
    rows = {a.name: (a.status, a.organisation_label) for a in Attendance.objects.filter(meeting=meeting)}
    assert rows["Morgan Member"] == ("present", member.organisation.name)
    assert rows["Head of Year 9"] == ("present", "Millford Academy")


def test_inviting_beyond_thirty_people_is_refused_with_a_clear_message(as_user, panel, meeting, chair, organisation):
    panel.members.add(*[UserFactory(organisation=organisation) for _ in range(29)])
    extra = UserFactory(organisation=organisation)
    response = as_user(chair).post(reverse("meetings:people", args=[meeting.pk]), {"user": extra.pk})
    assert "at most 30 members and invitees together; inviting this person would make 31" in response.content.decode()
    assert not MeetingInvitee.objects.exists()


def test_the_calendar_file_is_for_the_people_of_the_meeting(as_user, meeting, member, organisation):
    response = as_user(member).get(reverse("meetings:calendar", args=[meeting.pk]))
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content
    assert f"UID:meeting-{meeting.pk}@roundtable".encode() in response.content
    outsider = UserFactory(organisation=organisation)
    assert as_user(outsider).get(reverse("meetings:calendar", args=[meeting.pk])).status_code == 404


def test_pages_render_for_the_chair(as_user, meeting, chair, case):
    ItemFactory(meeting=meeting, case=case)
    client = as_user(chair)
    for name in ("detail", "agenda", "people", "updates", "attendance", "follow_up", "publish", "edit", "apologies"):
        assert client.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 200, name
    assert client.get(reverse("meetings:mine")).status_code == 200
    assert client.get(reverse("meetings:panel_meetings", args=[meeting.panel_id])).status_code == 200
