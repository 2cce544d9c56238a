"""Producing a summary costs the same number of queries for a small case and a large one:
every section is read in a fixed number of queries (no N+1 as the case grows).

The bound is what PostgreSQL needs (the audit chain takes an advisory lock there)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db

SIZES = [5, 60]
BOUND = 35


@pytest.mark.parametrize("n", SIZES)
def test_the_case_summary_pdf_query_count_does_not_grow(client, team, profile, records, many, n,
                                                         django_assert_max_num_queries):  # fmt: skip
    many(n)
    force_sign_in(client, team["chair"])
    with django_assert_max_num_queries(BOUND):
        response = client.get(reverse("casesummary:pdf", args=[team["case"].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_a_limited_or_ranged_export_costs_the_same_queries_whatever_the_number_of_entries(
    client, team, profile, records, many, n, settings, django_assert_max_num_queries
):
    settings.CASE_SUMMARY_MAX_ENTRIES = 60
    many(n)
    force_sign_in(client, team["chair"])
    today = timezone.localdate()
    ranged = {"from_day": "1", "from_month": "1", "from_year": "2000", "to_day": today.day,
              "to_month": today.month, "to_year": today.year}  # fmt: skip
    for params in ({}, ranged):
        with django_assert_max_num_queries(BOUND):
            response = client.get(reverse("casesummary:pdf", args=[team["case"].pk]), params)
        assert response.status_code == 200


def grow_every_list(case, owner, n):
    """``n`` records of every bounded kind, and ``n`` progress updates on one intervention."""
    from tests.assessments.factories import completed_assessment
    from tests.cases.factories import TaskFactory
    from tests.documents.factories import DocumentFactory
    from tests.inforequests.factories import InformationRequestFactory
    from tests.support.factories import ConsentFactory, InterventionFactory, UpdateFactory

    for i in range(n):
        DocumentFactory(case=case)
        InformationRequestFactory(case=case)
        completed_assessment(case, days_ago=n - i)
        ConsentFactory(case=case)
        TaskFactory(case=case, assignee=owner)
        intervention = InterventionFactory(case=case)
    for _ in range(n):
        UpdateFactory(intervention=intervention)


def test_bounded_sections_cost_the_same_queries_however_many_records_are_left_out(
    client, team, settings, django_assert_max_num_queries
):
    """Two records of each kind kept: at three of each and at twelve, the same number of
    queries (the count of a list past its limit is one query, whatever it counts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CASE_SUMMARY_MAX_RECORDS = 2
    force_sign_in(client, team["owner"])
    url = reverse("casesummary:pdf", args=[team["case"].pk])
    counts = []
    for n in (3, 9):  # 3, then 12 of each
        grow_every_list(team["case"], team["owner"], n)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(BOUND + 8):
            response = client.get(url)
        assert response.status_code == 200
        assert response.content[:4] == b"%PDF"
        counts.append(len(queries))
    assert counts[0] == counts[1]
