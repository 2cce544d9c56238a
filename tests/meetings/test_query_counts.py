"""Meeting pages do not grow queries with the size of the agenda or the number of meetings.
Bounds are for SQLite; PostgreSQL adds the audit chain's advisory lock (see AUDIT_LOCK)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from roundtable.meetings.models import Action, Meeting, PreMeetingUpdate, SchoolVisit
from tests.cases.factories import TaskFactory
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory
from tests.meetings.factories import BehaviourPanelFactory, ItemFactory, MeetingFactory, publish

pytestmark = pytest.mark.django_db

AUDIT_LOCK = 1 if connection.vendor == "postgresql" else 0
SIZES = [2, 12]


def agenda_of(meeting, chair, member, count):
    previous = MeetingFactory(
        panel=meeting.panel, starts_at=meeting.starts_at - timedelta(days=30), status=Meeting.Status.CLOSED
    )
    for _n in range(count):
        case = CaseFactory(owner=chair, members=[member], area=meeting.panel.area)
        item = ItemFactory(meeting=meeting, case=case, lead=member)
        old = ItemFactory(meeting=previous, case=case)
        Action.objects.create(item=old, task=TaskFactory(case=case, assignee=member, created_by=chair))
        Action.objects.create(item=item, task=TaskFactory(case=case, assignee=member, created_by=chair))
        for status in ("not_known", "open"):
            PreMeetingUpdate.objects.create(
                item=item, organisation=member.organisation, author=member, status=status, stage="x"
            )
    ItemFactory(meeting=meeting, kind="other_business", title="Any other business")
    publish(meeting)
    return previous


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize(
    "name, bound",
    [("detail", 21), ("agenda", 19), ("updates", 17), ("follow_up", 16), ("people", 16), ("attendance", 15)],
)
def test_meeting_pages_need_the_same_queries_whatever_the_agenda(
    client, meeting, chair, member, count, name, bound, django_assert_max_num_queries
):
    agenda_of(meeting, chair, member, count)
    force_sign_in(client, chair)
    url = reverse(f"meetings:{name}", args=[meeting.pk])
    with django_assert_max_num_queries(bound + AUDIT_LOCK):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("count", SIZES)
def test_meeting_lists_need_the_same_queries_whatever_the_number_of_meetings(
    client, panel, chair, count, django_assert_max_num_queries
):
    for n in range(count):
        MeetingFactory(panel=panel, starts_at=timezone.now() + timedelta(days=n - count // 2, hours=1))
    force_sign_in(client, chair)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("meetings:panel_meetings", args=[panel.pk])).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(reverse("meetings:mine")).status_code == 200


@pytest.mark.parametrize("count", SIZES)
def test_the_school_visits_list_needs_the_same_queries_whatever_the_number_of_visits(
    client, area, count, django_assert_max_num_queries
):
    panel = BehaviourPanelFactory(area=area)
    chair = panel.chair
    school = OrganisationFactory(area=area, sector="education")
    for _n in range(count):
        visit = SchoolVisit.objects.create(
            panel=panel, school=school, date=timezone.localdate(), slot_start="09:00", slot_end="11:00",
            work_done="Work", recorded_by=chair,
        )  # fmt: skip
        visit.cases.set([CaseFactory(owner=chair, area=area)])
    force_sign_in(client, chair)
    with django_assert_max_num_queries(16 + AUDIT_LOCK):
        assert client.get(reverse("meetings:visits", args=[panel.pk])).status_code == 200
