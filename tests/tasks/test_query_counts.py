"""List pages keep the same number of queries at 10 and 200 tasks.

Bounds are the SQLite count plus one: on PostgreSQL each audit event also takes the chain lock.
Every page also pays one COUNT for the header's unread-notice badge."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roundtable.tasks.models import Task
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tasks(n, cast):
    """n tasks over several cases and organisations, half overdue, all on the practitioner's cases."""
    owner, chair = cast["practitioner"], cast["panel_chair"]
    area = owner.organisation.area
    helpers = [UserFactory(organisation=OrganisationFactory(area=area)) for _ in range(3)]
    cases = [CaseFactory(owner=owner, members=[chair, *helpers]) for _ in range(4)]
    today = timezone.localdate()
    Task.objects.bulk_create(
        Task(
            case=cases[i % 4],
            title=f"Task {i}",
            assignee=owner if i % 2 else helpers[i % 3],
            created_by=owner,
            due_date=today + timedelta(days=(i % 11) - 5),
        )
        for i in range(n)
    )
    return cases[0]


@pytest.mark.parametrize("rows", [10, 200])
def test_my_tasks_query_count(client, cast, rows, django_assert_max_num_queries):
    _tasks(rows, cast)
    force_sign_in(client, cast["practitioner"])
    with django_assert_max_num_queries(15):
        assert client.get("/tasks/").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_case_tasks_query_count(client, cast, rows, django_assert_max_num_queries):
    case = _tasks(rows, cast)
    force_sign_in(client, cast["practitioner"])
    with django_assert_max_num_queries(16):
        assert client.get(f"/tasks/case/{case.pk}/").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_overdue_view_query_count(client, cast, rows, django_assert_max_num_queries):
    _tasks(rows, cast)
    force_sign_in(client, cast["panel_chair"])
    with django_assert_max_num_queries(16):
        assert client.get("/tasks/overdue/?by=organisation").status_code == 200


def _overdue(n, cast):
    """n overdue tasks on the chair's visible cases, spread over five assignees in three organisations."""
    owner, chair = cast["practitioner"], cast["panel_chair"]
    organisations = [OrganisationFactory(area=owner.organisation.area) for _ in range(3)]
    people = [UserFactory(organisation=organisations[i % 3]) for i in range(5)]
    cases = [CaseFactory(owner=owner, members=[chair, *people]) for _ in range(3)]
    today = timezone.localdate()
    Task.objects.bulk_create(
        Task(case=cases[i % 3], title=f"Late {i}", assignee=people[i % 5], created_by=owner,
             due_date=today - timedelta(days=1 + i))
        for i in range(n)
    )  # fmt: skip
    return people[0]


def _overdue_page_queries(client, cast, n) -> dict:
    person = _overdue(n, cast)
    force_sign_in(client, cast["panel_chair"])
    paths = [
        "/tasks/overdue/",
        "/tasks/overdue/?by=organisation",
        f"/tasks/overdue/?by=person&assignee={person.pk}",
        f"/tasks/overdue/?by=organisation&organisation={person.organisation_id}",
    ]
    counts = {}
    for path in paths:
        client.get(path)  # the first visit may fill caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[path.replace(str(person.pk), "<person>").replace(str(person.organisation_id), "<org>")] = len(queries)
    return counts


def test_the_overdue_page_runs_the_same_queries_for_3_and_30_overdue_tasks(client, cast):
    small = _overdue_page_queries(client, cast, 3)
    Task.objects.all().delete()
    large = _overdue_page_queries(client, cast, 30)
    assert Task.objects.count() == 30
    assert large == small


def test_a_groups_page_takes_its_row_total_and_task_count_from_one_aggregate(client, cast):
    """The summary pages count groups and tasks and slice each (four queries); a group's page runs
    one aggregate for its row and the heading's total, and pages its tasks by the row's count, so
    it slices the tasks and counts nothing else: two queries fewer (it was the same number)."""
    counts = _overdue_page_queries(client, cast, 30)
    everyone = counts["/tasks/overdue/"]
    assert counts["/tasks/overdue/?by=organisation"] == everyone
    assert counts["/tasks/overdue/?by=person&assignee=<person>"] == everyone - 2
    assert counts["/tasks/overdue/?by=organisation&organisation=<org>"] == everyone - 2


@pytest.mark.parametrize("rows", [10, 200])
def test_overdue_group_page_query_count(client, cast, rows, django_assert_max_num_queries):
    person = _overdue(rows, cast)
    force_sign_in(client, cast["panel_chair"])
    with django_assert_max_num_queries(13):
        assert client.get(f"/tasks/overdue/?by=person&assignee={person.pk}").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_home_page_task_panel_query_count(client, cast, rows, django_assert_max_num_queries):
    _tasks(rows, cast)
    force_sign_in(client, cast["practitioner"])
    with django_assert_max_num_queries(11):
        assert client.get("/").status_code == 200
