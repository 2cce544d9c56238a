"""Papers sent ahead include who the case is about: an agenda reader sees the person's
profile read-only while the meeting is open, and loses it when the meeting closes."""

import pytest
from django.urls import reverse

from roundtable.access import policy
from roundtable.meetings.models import Meeting
from roundtable.people.models import Person
from tests.conftest import force_sign_in
from tests.meetings.factories import ItemFactory, publish

pytestmark = pytest.mark.django_db


def sees_profile(user, person) -> bool:
    fresh = type(user).objects.get(pk=user.pk)
    return policy.visible(fresh, Person.objects.filter(pk=person.pk)).exists()


def test_an_agenda_reader_sees_the_profile_of_the_person_on_the_agenda(meeting, case, member, client):
    ItemFactory(meeting=meeting, case=case)
    assert not sees_profile(member, case.person)
    publish(meeting)
    assert sees_profile(member, case.person)
    force_sign_in(client, member)
    response = client.get(reverse("people:detail", args=[case.person.pk]))
    assert response.status_code == 200
    assert case.person.family_name in response.content.decode()


def test_an_agenda_reader_may_not_edit_the_profile(meeting, case, member):
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    assert not policy.can(member, "person.edit", case.person)
    assert not policy.can(member, "person.merge", case.person)


def test_the_profile_is_hidden_again_when_the_meeting_closes(meeting, case, member, client):
    ItemFactory(meeting=meeting, case=case)
    publish(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    assert not sees_profile(member, case.person)
    force_sign_in(client, member)
    assert client.get(reverse("people:detail", args=[case.person.pk])).status_code == 404
