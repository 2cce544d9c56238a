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
