"""After the meeting: every action by person and organisation, overdue flagged, one-click
reminders at most once a day; the next agenda shows last meeting's outstanding actions."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.meetings import services
from roundtable.meetings.models import Action, Meeting
from tests.cases.factories import TaskFactory
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.meetings.factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def action(item, assignee, days: int, **kwargs):
    task = TaskFactory(
        case=item.case, assignee=assignee, created_by=item.case.owner,
        due_date=timezone.localdate() + timedelta(days=days), **kwargs,
    )  # fmt: skip
    return Action.objects.create(item=item, task=task)


@pytest.fixture
def held(panel, chair, area):
    """A closed meeting with two cases and actions for people of two organisations."""
    meeting = MeetingFactory(panel=panel, starts_at=timezone.now() - timedelta(days=10), status=Meeting.Status.CLOSED)
    police = OrganisationFactory(area=area, name="Northshire Police")
    officer = UserFactory(organisation=police, full_name="Olive Officer")
    worker = UserFactory(organisation=chair.organisation, full_name="Sam Worker")
    first = CaseFactory(owner=chair, members=[officer, worker], area=area)
    second = CaseFactory(owner=chair, members=[officer], area=area)
    item_one = ItemFactory(meeting=meeting, case=first)
    item_two = ItemFactory(meeting=meeting, case=second)
    late = action(item_one, officer, -3, title="Home visit")
    soon = action(item_two, officer, 5, title="Check the school")
    done = action(item_one, worker, -1, title="Send the referral", status="done")
    return {"meeting": meeting, "officer": officer, "worker": worker, "late": late, "soon": soon, "done": done,
            "first": first, "second": second}  # fmt: skip


def test_the_chair_sees_actions_by_person_and_by_organisation_with_overdue_flagged(held, chair):
    result = services.follow_up(chair, held["meeting"])
    assert result.overdue == 1 and result.hidden == 0
    by_person = {group.label: [a.task.title for a in group.actions] for group in result.by_person}
    assert by_person == {"Olive Officer": ["Home visit", "Check the school"], "Sam Worker": ["Send the referral"]}
    assert [group.label for group in result.by_organisation][0] == "Northshire Police"  # the one with overdue work
    flags = {a.task.title: a.is_overdue for a in result.actions}
    assert flags == {"Home visit": True, "Check the school": False, "Send the referral": False}


def test_actions_on_cases_the_reader_cannot_see_are_counted_not_shown(held, admin):
    result = services.follow_up(admin, held["meeting"])
    assert result.actions == [] and result.hidden == 3


def test_a_reminder_notifies_and_emails_the_assignee_and_is_audited(
    held, chair, client, django_capture_on_commit_callbacks
):
    force_sign_in(client, chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:remind", args=[held["late"].pk]), {"by": "organisation"})
    assert response.status_code == 302 and response["Location"].endswith("?by=organisation")
    officer = held["officer"]
    assert officer.notices.filter(message__contains="reminded of an action").exists()
    assert [message.to for message in mail.outbox] == [[officer.email]]
    assert "Home visit" not in mail.outbox[0].body and held["first"].reference not in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="meeting.action_reminded", actor_id=chair.pk).count() == 1


def test_a_second_reminder_the_same_day_is_refused_and_allowed_the_next_day(held, chair):
    services.do_remind_action(chair, held["late"])
    with pytest.raises(ValidationError, match="already reminded of this action today"):
        services.do_remind_action(chair, Action.objects.get(pk=held["late"].pk))
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        services.do_remind_action(chair, Action.objects.get(pk=held["late"].pk))
    assert AuditEvent.objects.filter(action="meeting.action_reminded").count() == 2


def test_a_finished_action_needs_no_reminder(held, chair):
    with pytest.raises(ValidationError, match="is done: there is nothing to remind"):
        services.do_remind_action(chair, held["done"])


def test_the_follow_up_page_flags_overdue_actions_and_offers_reminders(held, chair, client):
    force_sign_in(client, chair)
    body = client.get(reverse("meetings:follow_up", args=[held["meeting"].pk])).content.decode()
    assert "1 overdue" in body
    assert body.count('action="/meetings/actions/') == 2  # open actions only


def test_the_next_agenda_shows_last_meetings_outstanding_actions_per_case(held, panel, chair, client):
    upcoming = MeetingFactory(panel=panel)
    ItemFactory(meeting=upcoming, case=held["first"])
    outstanding = services.outstanding_actions(chair, upcoming)
    assert [a.task.title for a in outstanding[held["first"].pk]] == ["Home visit"]
    assert held["second"].pk not in outstanding  # not on this agenda
    force_sign_in(client, chair)
    body = client.get(reverse("meetings:detail", args=[upcoming.pk])).content.decode()
    assert "Outstanding from the last meeting" in body and "Home visit" in body
    assert "Send the referral" not in body
