"""Papers sent ahead: publishing an agenda lets the people of the meeting read its cases
until the meeting closes; after that, only case membership counts."""

import pytest
from django.urls import reverse

from roundtable.access import policy
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.meetings import services
from roundtable.meetings.models import Meeting
from tests.conftest import force_sign_in
from tests.factories import EntryFactory, UserFactory
from tests.meetings.factories import ItemFactory, MeetingFactory, publish

pytestmark = pytest.mark.django_db


def can_see(user, case) -> bool:
    fresh = type(user).objects.get(pk=user.pk)  # nothing remembered from an earlier question
    return policy.visible(fresh, Case.objects.filter(pk=case.pk)).exists() and policy.can(fresh, "case.view", case)


def test_a_member_cannot_read_a_case_on_an_unpublished_agenda(meeting, case, member):
    ItemFactory(meeting=meeting, case=case)
    assert not can_see(member, case)


def test_publishing_lets_members_and_invitees_read_the_cases_on_the_agenda(meeting, case, member, organisation):
    ItemFactory(meeting=meeting, case=case)
    invitee = UserFactory(organisation=organisation)
    services.do_invite(meeting.panel.chair, meeting, invitee)
    services.do_publish_agenda(meeting.panel.chair, meeting, late_confirmed=True)
    assert can_see(member, case)
    assert can_see(invitee, case)


def test_agenda_readers_may_read_but_not_write(meeting, case, member):
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    for action in ("case.contribute", "case.edit", "case.manage_members", "entry.create", "task.create"):
        assert not policy.can(member, action, case), action


def test_restricted_entries_stay_restricted_for_agenda_readers(meeting, case, member, chair):
    open_entry = EntryFactory(case=case, author=chair, summary="Open entry")
    locked = EntryFactory(case=case, author=chair, summary="Locked entry", is_restricted=True)
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    assert policy.can(member, "entry.read_content", open_entry)
    assert not policy.can(member, "entry.read_content", locked)
    from roundtable.access.rules.cases import with_content_visibility

    entries = with_content_visibility(member, ChronologyEntry.objects.filter(case=case))
    flags = dict(entries.values_list("summary", "content_visible"))
    assert flags == {"Open entry": True, "Locked entry": False}


@pytest.mark.parametrize("status", [Meeting.Status.CLOSED, Meeting.Status.MINUTES_APPROVED])
def test_access_ends_when_the_meeting_closes(meeting, case, member, status, client):
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    force_sign_in(client, member)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    Meeting.objects.filter(pk=meeting.pk).update(status=status)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert not can_see(member, case)


def test_a_case_member_keeps_access_after_the_meeting_closes(meeting, case, chair):
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    assert can_see(chair, case)


def test_someone_outside_the_panel_gets_nothing_from_a_published_agenda(meeting, case, organisation):
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    outsider = UserFactory(organisation=organisation)
    assert not can_see(outsider, case)


def test_another_panels_member_gets_nothing_from_this_agenda(meeting, case, area, organisation):
    other_member = UserFactory(organisation=organisation)
    from tests.panels.factories import PanelFactory

    MeetingFactory(panel=PanelFactory(area=area, members=[other_member]))
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    assert not can_see(other_member, case)


def test_an_uninvited_person_loses_access(meeting, case, organisation):
    invitee = UserFactory(organisation=organisation)
    invitation = services.do_invite(meeting.panel.chair, meeting, invitee)
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    assert can_see(invitee, case)
    services.do_uninvite(meeting.panel.chair, invitation)
    assert not can_see(invitee, case)


def test_removing_the_item_ends_access(meeting, case, member, chair):
    item = ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    assert can_see(member, case)
    services.do_remove_item(chair, item)
    assert not can_see(member, case)
