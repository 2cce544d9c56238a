"""The demo has a Channel panel and a Behaviour Support panel, each with a past meeting
(minutes approved) and an upcoming one with a published agenda; it loads twice."""

import pytest
from django.core.management import call_command

from roundtable.meetings.models import Action, AgendaItem, Meeting, Minutes, SchoolVisit
from roundtable.panels.models import Panel

pytestmark = pytest.mark.django_db


def test_the_demo_has_past_and_upcoming_meetings_for_both_panels_and_loads_twice(capsys):
    call_command("load_demo")
    counts = (Meeting.objects.count(), AgendaItem.objects.count(), Action.objects.count(), SchoolVisit.objects.count())
    for kind in (Panel.Kind.CHANNEL, Panel.Kind.BEHAVIOUR_SECONDARY):
        panel = Panel.objects.get(kind=kind, area__name="Northshire")
        past = panel.meetings.get(status=Meeting.Status.MINUTES_APPROVED)
        assert Minutes.objects.get(meeting=past).status == Minutes.Status.APPROVED
        assert past.attendance.exists() and Action.objects.filter(item__meeting=past).exists()
        upcoming = panel.meetings.get(status=Meeting.Status.PLANNED)
        assert upcoming.agenda_published_at is not None
        assert upcoming.items.filter(case__isnull=False).exists()
    assert SchoolVisit.objects.get().actions.exists()
    call_command("load_demo")
    assert (
        Meeting.objects.count(), AgendaItem.objects.count(), Action.objects.count(), SchoolVisit.objects.count()
    ) == counts  # fmt: skip


def test_load_demo_lists_every_login_it_creates(capsys):
    """Including the logins the apps' loaders add (the Channel panel's Prevent leads)."""
    from roundtable.accounts.models import User

    call_command("load_demo")
    printed = capsys.readouterr().out
    emails = list(User.objects.filter(email__endswith="@demo.roundtable.invalid").values_list("email", flat=True))
    assert "adultslead@demo.roundtable.invalid" in emails and "childrenlead@demo.roundtable.invalid" in emails
    assert [email for email in emails if email not in printed] == []
    assert f"{len(emails)} users" in printed
