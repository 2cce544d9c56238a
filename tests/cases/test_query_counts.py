"""Pages and API lists do not grow queries with data: the same bound at 10 and 200 rows.

Bounds are exactly what PostgreSQL needs (the audit chain takes an advisory lock there);
SQLite does two queries fewer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.api.services import do_create_token
from tests.cases.factories import MembershipFactory, overdue
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, EntryFactory

pytestmark = pytest.mark.django_db

SIZES = [10, 200]


def _entries(team, n):
    now = timezone.now()
    authors = [team["owner"], team["contributor"]]
    for i in range(n):
        entry = EntryFactory(
            case=team["case"], author=authors[i % 2], occurred_at=now - timedelta(hours=i),
            is_restricted=i % 7 == 0, body="Text",
        )  # fmt: skip
        if i % 7 == 0:
            entry.restricted_to.set([team["viewer"]])


@pytest.mark.parametrize("n", SIZES)
def test_the_case_list_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    for i in range(n):
        case = CaseFactory(owner=team["contributor"])
        MembershipFactory(case=case, user=team["owner"], role="viewer")
        if i % 3 == 0:
            overdue(case)
    force_sign_in(client, team["owner"])
    with django_assert_max_num_queries(13):
        assert client.get(reverse("cases:list")).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_chronology_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _entries(team, n)
    force_sign_in(client, team["viewer"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:chronology", args=[team["case"].pk]))
    assert response.status_code == 200 and len(response.context["page"].entries) == min(n, 25)


@pytest.mark.parametrize("n", SIZES)
def test_the_case_summary_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _entries(team, n)
    force_sign_in(client, team["owner"])
    # 16: the page also asks the policy whether this user may edit the case (their role on it).
    with django_assert_max_num_queries(16):
        assert client.get(reverse("cases:detail", args=[team["case"].pk])).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_members_page_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    for _ in range(n):
        MembershipFactory(case=team["case"])
    force_sign_in(client, team["owner"])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("cases:members", args=[team["case"].pk])).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_api_entry_list_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _entries(team, n)
    _, raw = do_create_token(team["viewer"], name="t", days=1)
    with django_assert_max_num_queries(15):
        response = client.get(
            f"/api/v1/cases/{team['case'].pk}/entries?limit=100", headers={"Authorization": f"Bearer {raw}"}
        )
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_api_case_list_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    for _ in range(n):
        MembershipFactory(case=CaseFactory(owner=team["contributor"]), user=team["owner"])
    _, raw = do_create_token(team["owner"], name="t", days=1)
    with django_assert_max_num_queries(14):
        response = client.get("/api/v1/cases/?page_size=100", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
