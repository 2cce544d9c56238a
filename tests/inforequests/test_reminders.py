"""The daily sweep: reminders one working day before the deadline, overdue flags after it."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from roundtable.accounts.models import Area
from roundtable.audit.models import AuditEvent
from roundtable.cases.models import Case
from roundtable.inforequests.models import RequestRecipient
from roundtable.inforequests.services import do_answer_request
from roundtable.notifications.models import Notice
from tests.inforequests.conftest import FAMILY, GIVEN, send

pytestmark = pytest.mark.django_db

# Sent on Monday 30 March 2026 with 3 working days: 31 March, 1 and 2 April. Due Thursday 2 April.
# With 4: Good Friday (3 April) and Easter Monday (6 April) are bank holidays in England, so Tuesday 7 April,
# and the working day before it is Thursday 2 April, four calendar days earlier.
MONDAY = "2026-03-30 09:00 +01:00"


def _at(moment, django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("send_information_request_reminders", stdout=out)
    return out.getvalue()


def _notices(user) -> list[str]:
    return list(Notice.objects.filter(recipient=user).order_by("pk").values_list("message", flat=True))


@pytest.fixture
def over_easter(world):
    with time_machine.travel(MONDAY, tick=False):
        sent = send(world, days=4)
    assert sent.due_date == date(2026, 4, 7)
    Notice.objects.all().delete()
    return sent


def test_the_reminder_goes_on_the_working_day_before_the_deadline_across_a_bank_holiday(
    world, over_easter, mailoutbox, django_capture_on_commit_callbacks
):
    assert "0 due soon" in _at("2026-04-01 07:00 +01:00", django_capture_on_commit_callbacks)  # Wednesday
    output = _at("2026-04-02 07:00 +01:00", django_capture_on_commit_callbacks)  # Thursday
    assert output.startswith("Information request reminders sent: 2 due soon, 0 overdue")
    reminder = "An information request to you is due by 7 April 2026."
    for who in ("teacher", "head", "nurse"):
        assert _notices(world[who]) == [reminder]
    assert sorted(m.to[0] for m in mailoutbox) == ["head@school.test", "nia@health.test", "tess@school.test"]
    assert {m.subject for m in mailoutbox} == {"Roundtable: an information request to you is due soon"}
    # Once only: again on Thursday evening, over the long weekend and on the day itself, nothing new.
    for moment in ("2026-04-02 20:00 +01:00", "2026-04-04 07:00 +01:00", "2026-04-07 07:00 +01:00"):
        assert "0 due soon, 0 overdue" in _at(moment, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3
    assert AuditEvent.objects.filter(action="inforequest.reminder_sent").count() == 2


def test_scotland_keeps_easter_monday_so_its_deadline_and_reminder_differ(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    Area.objects.filter(pk=world["case"].area_id).update(nation=Area.Nation.SCOTLAND)
    world["case"].area.refresh_from_db()
    with time_machine.travel(MONDAY, tick=False):
        sent = send(world, days=4)
    # Good Friday is a bank holiday in Scotland, Easter Monday is not.
    assert sent.due_date == date(2026, 4, 6)
    assert "0 due soon" in _at("2026-04-01 07:00 +01:00", django_capture_on_commit_callbacks)
    assert "2 due soon" in _at("2026-04-02 07:00 +01:00", django_capture_on_commit_callbacks)


def test_a_late_answer_is_flagged_once_to_the_people_asked_and_once_to_the_sender(
    world, over_easter, mailoutbox, django_capture_on_commit_callbacks
):
    do_answer_request(world["nurse"], over_easter.recipients.get(user=world["nurse"]), outcome="not_known")
    Notice.objects.all().delete()
    # Due today is not late; a sweep that missed the day before still reminds, once.
    assert "1 due soon, 0 overdue" in _at("2026-04-07 18:00 +01:00", django_capture_on_commit_callbacks)
    mailoutbox.clear()
    Notice.objects.all().delete()
    output = _at("2026-04-08 07:00 +01:00", django_capture_on_commit_callbacks)
    assert "1 overdue (1 sender told)" in output
    reference = world["case"].reference
    assert _notices(world["officer"]) == [
        f"An information request you sent on case {reference} has 1 recipient who did not answer by the deadline."
    ]
    assert _notices(world["teacher"]) == ["An information request to you was due by 7 April 2026. Please answer it."]
    assert _notices(world["nurse"]) == []  # she answered
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == [
        "Roundtable: an information request to you is past its deadline",
        "Roundtable: an information request to you is past its deadline",
        "Roundtable: an information request you sent has not been answered in time",
    ]
    for message in mailoutbox:
        for secret in (GIVEN, FAMILY, reference, "Millford", "Charlie", "Dev Constable"):
            assert secret not in message.subject + message.body
    assert "0 overdue" in _at("2026-04-09 07:00 +01:00", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3
    school = RequestRecipient.objects.get(request=over_easter, user__isnull=True)
    assert school.overdue_notified_at is not None and school.status == "pending"


def test_a_sender_who_has_left_the_case_is_replaced_by_its_owners(
    world, over_easter, django_capture_on_commit_callbacks
):
    from roundtable.cases.models import CaseMembership

    CaseMembership.objects.filter(user=world["officer"]).delete()
    _at("2026-04-08 07:00 +01:00", django_capture_on_commit_callbacks)
    assert _notices(world["officer"]) == []
    assert len(_notices(world["owner"])) == 1


def test_closed_cases_and_withdrawn_or_answered_requests_get_no_reminders(
    world, over_easter, mailoutbox, django_capture_on_commit_callbacks
):
    Case.objects.filter(pk=world["case"].pk).update(state=Case.State.CLOSED)
    assert "0 due soon, 0 overdue" in _at("2026-04-08 07:00 +01:00", django_capture_on_commit_callbacks)
    Case.objects.filter(pk=world["case"].pk).update(state=Case.State.OPEN)
    RequestRecipient.objects.filter(request=over_easter).update(status="withdrawn")
    assert "0 due soon, 0 overdue" in _at("2026-04-08 07:00 +01:00", django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_an_email_queued_for_someone_who_answered_meanwhile_is_not_sent(world, over_easter, mailoutbox):
    from roundtable.inforequests import jobs

    school = over_easter.recipients.get(user__isnull=True)
    do_answer_request(world["teacher"], school, outcome="not_known")
    assert jobs.send_request_email.call(jobs.DUE_SOON, school.pk, world["head"].pk) is False
    assert jobs.send_request_email.call(jobs.DUE_SOON, school.pk, world["viewer"].pk) is False  # not asked
    assert mailoutbox == []
