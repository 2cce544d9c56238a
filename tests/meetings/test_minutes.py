"""Minutes: drafted from the record, approved by the chair (what they read, nothing else),
landing in each case's chronology, and read — page and PDF — as each reader may see them."""

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import ChronologyEntry
from roundtable.core.conflicts import EditConflict
from roundtable.meetings import live
from roundtable.meetings import minutes as service
from roundtable.meetings.models import AgendaItem, Attendance, Meeting, Minutes
from roundtable.meetings.services import do_record_attendance
from roundtable.notifications.models import Notice
from tests.conftest import force_sign_in
from tests.meetings import live_world

pytestmark = pytest.mark.django_db
room = live_world.room  # the shared fixture (tests/meetings/live_world.py)


def _item(item) -> AgendaItem:
    return AgendaItem.objects.select_related("meeting", "meeting__panel", "case").get(pk=item.pk)


@pytest.fixture
def held(room):
    """The meeting held: attendance taken, both cases minuted and decided, an action set, closed."""
    chair, admin, meeting = room["chair"], room["admin"], room["meeting"]
    do_record_attendance(admin, meeting, status=Attendance.Status.PRESENT, user=room["member"])
    do_record_attendance(admin, meeting, status=Attendance.Status.APOLOGIES, user=room["newcomer"])
    live.do_start_meeting(chair, meeting)
    school, family, other = (_item(item) for item in room["items"])
    live.do_record_minutes(admin, school, expected_version=1, text="Attendance is up to 92%.")
    live.do_record_decision(admin, _item(school), expected_version=2, decision="Keep under review",
                            reasons="Progress, but early days.")  # fmt: skip
    live.do_record_action(admin, school, title="Ask the school for a report", assignee=room["member"],
                          due_date=timezone.localdate() + timezone.timedelta(days=10))  # fmt: skip
    live.do_record_minutes(chair, family, expected_version=1, text="FAMILY-MINUTES: housing is the worry.")
    live.do_record_decision(chair, _item(family), expected_version=2, decision="Refer to early help",
                            reasons="Family asked for support.")  # fmt: skip
    live.do_record_minutes(admin, other, expected_version=1, text="Training on 3 March.")
    live.do_close_meeting(chair, Meeting.objects.get(pk=meeting.pk))
    room["minutes"] = Minutes.objects.select_related("meeting", "meeting__panel").get(meeting=meeting)
    return room


def test_the_draft_assembles_itself_from_the_record(held):
    structured = service.assemble(Meeting.objects.get(pk=held["meeting"].pk))
    assert [a["name"] for a in structured["attendance"]] == ["Mina Member", "Nico Newcomer"]
    assert [a["status"] for a in structured["attendance"]] == ["present", "apologies"]
    school, family, other = structured["items"]
    assert school["minutes"] == "Attendance is up to 92%." and school["decision"] == "Keep under review"
    assert school["actions"][0]["title"] == "Ask the school for a report"
    assert school["actions"][0]["assignee"] == "Mina Member"
    assert family["case_reference"] == held["family_case"].reference and other["title"] == "Training dates"


def test_only_the_chair_approves_and_only_what_they_read(held):
    minutes = held["minutes"]
    seen = service.minutes_for(held["chair"], minutes).fingerprint
    with pytest.raises(PermissionDenied):
        service.do_approve_minutes(held["admin"], minutes, expected_version=minutes.version, seen=seen)
    # Something is recorded after the chair opened the minutes: the approval is refused.
    live.do_record_minutes(held["admin"], _item(held["items"][2]), expected_version=2, text="Training moved to April.")
    with pytest.raises(service.MinutesChanged):
        service.do_approve_minutes(held["chair"], minutes, expected_version=minutes.version, seen=seen)
    assert Minutes.objects.get(pk=minutes.pk).status == Minutes.Status.DRAFT


def test_two_editors_of_the_chairs_notes_lose_nothing(held):
    minutes = held["minutes"]
    service.do_save_minutes_text(held["admin"], minutes, minutes.version, "Opening remarks.")
    with pytest.raises(EditConflict) as clash:
        service.do_save_minutes_text(held["chair"], minutes, minutes.version, "Chair's version.")
    assert clash.value.conflicts[0].theirs == "Opening remarks."
    assert Minutes.objects.get(pk=minutes.pk).text == "Opening remarks."


def test_approval_files_each_cases_part_in_its_chronology_and_tells_everyone_by_link(held, mailoutbox):
    minutes = held["minutes"]
    view = service.minutes_for(held["chair"], minutes)
    service.do_approve_minutes(held["chair"], minutes, expected_version=minutes.version, seen=view.fingerprint)
    assert Meeting.objects.get(pk=held["meeting"].pk).status == Meeting.Status.MINUTES_APPROVED
    approved = Minutes.objects.get(pk=minutes.pk)
    assert approved.status == Minutes.Status.APPROVED and approved.approved_by == held["chair"]
    school_entries = ChronologyEntry.objects.filter(case=held["school_case"]).order_by("pk")
    meeting_entry = school_entries.get(kind="meeting")
    assert "Attendance is up to 92%." in meeting_entry.body and "Ask the school for a report" in meeting_entry.body
    assert school_entries.get(kind="decision").summary == "Panel decision: Keep under review"
    assert "FAMILY-MINUTES" not in meeting_entry.body  # each case gets its own part only
    assert "FAMILY-MINUTES" in ChronologyEntry.objects.get(case=held["family_case"], kind="meeting").body
    told = set(Notice.objects.filter(url=reverse("meetings:minutes", args=[held["meeting"].pk])).values_list(
        "recipient_id", flat=True))  # fmt: skip
    assert told == {held["admin"].pk, held["member"].pk, held["newcomer"].pk}
    for message in mail.outbox:
        assert "FAMILY-MINUTES" not in message.body and held["family_case"].reference not in message.body
    assert AuditEvent.objects.filter(action="meeting.minutes_approved").count() == 1


def _approve(held):
    minutes = held["minutes"]
    view = service.minutes_for(held["chair"], minutes)
    service.do_approve_minutes(held["chair"], minutes, expected_version=minutes.version, seen=view.fingerprint)
    return Minutes.objects.select_related("meeting", "meeting__panel", "approved_by").get(pk=minutes.pk)


def test_a_member_reads_only_the_items_of_cases_they_are_on(client, held):
    _approve(held)
    force_sign_in(client, held["member"])
    body = client.get(reverse("meetings:minutes", args=[held["meeting"].pk])).content.decode()
    assert "Attendance is up to 92%." in body and "Training on 3 March." in body
    assert "Item 2 – restricted to members of the case" in body
    assert "FAMILY-MINUTES" not in body and held["family_case"].reference not in body
    assert "Refer to early help" not in body


def test_draft_minutes_are_for_the_chair_and_administrators_only(client, held):
    force_sign_in(client, held["member"])
    assert client.get(reverse("meetings:minutes", args=[held["meeting"].pk])).status_code == 404
    force_sign_in(client, held["admin"])
    body = client.get(reverse("meetings:minutes", args=[held["meeting"].pk])).content.decode()
    assert "Draft minutes" in body and "FAMILY-MINUTES" in body


def test_the_approved_minutes_pdf_holds_decisions_and_actions_as_the_reader_may_see_them(client, held):
    _approve(held)
    force_sign_in(client, held["member"])
    response = client.get(reverse("meetings:minutes_pdf", args=[held["meeting"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Keep under review" in text and "Ask the school for a report" in text
    assert "Item 2 – restricted to members of the case" in text
    assert "FAMILY-MINUTES" not in text and "Refer to early help" not in text
    event = AuditEvent.objects.get(action="meeting.minutes_exported", actor_id=held["member"].pk)
    assert event.details["withheld"] == 1 and event.details["case_ids"] == [held["school_case"].pk]


def test_an_outsider_gets_404_for_the_minutes_and_their_pdf(client, held):
    _approve(held)
    force_sign_in(client, held["outsider"])
    assert client.get(reverse("meetings:minutes", args=[held["meeting"].pk])).status_code == 404
    assert client.get(reverse("meetings:minutes_pdf", args=[held["meeting"].pk])).status_code == 404


def test_the_chair_approves_from_the_page(client, held):
    force_sign_in(client, held["chair"])
    page = client.get(reverse("meetings:minutes", args=[held["meeting"].pk]))
    seen = page.context["view"].fingerprint
    url = reverse("meetings:minutes_approve", args=[held["meeting"].pk])
    stale = client.post(url, {"version": held["minutes"].version, "seen": "0" * 64}, follow=True)
    assert "changed while you were reading them" in stale.content.decode()
    done = client.post(url, {"version": held["minutes"].version, "seen": seen}, follow=True)
    assert "The minutes are approved" in done.content.decode()
    assert Minutes.objects.get(pk=held["minutes"].pk).status == Minutes.Status.APPROVED
