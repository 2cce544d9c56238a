"""List and detail pages make the same number of queries at 10 and at 200 rows (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roundtable.formbuilder.models import FormDefinition, FormVersion, Submission
from tests.conftest import force_sign_in
from tests.factories import CaseFactory
from tests.formbuilder.factories import published_definition, submitted

pytestmark = pytest.mark.django_db

# Measured on SQLite at both sizes; +1 because PostgreSQL takes an advisory lock for the audit chain.
# The case's forms page: 16 on PostgreSQL, with the home visit record its panel or area has chosen.
LIST, SEARCH, CASE_FORMS, SUBMISSION, BUILDER = 7 + 1, 12 + 1, 16, 10 + 1, 8 + 1


def _many_definitions(area, count):
    template = published_definition(area, name="Template")
    for number in range(count - 1):
        copy = FormDefinition.objects.create(
            name=f"Form {number}", purpose="other", owner_area=area, draft=template.draft
        )
        version = FormVersion.objects.create(definition=copy, number=1, schema=template.latest_version.schema)
        FormDefinition.objects.filter(pk=copy.pk).update(latest_version=version)
    return template


def _many_submissions(practitioner, definition, count, case=None):
    case = case or CaseFactory(owner=practitioner)
    first = submitted(practitioner, definition, case)
    for _ in range(count - 1):
        Submission.objects.create(
            version=first.version, definition=definition, case=first.case, created_by=practitioner,
            status="submitted", answers=first.answers, submitted_at=first.submitted_at,
        )  # fmt: skip
    return first


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("rows", [10, 200])
def test_the_form_list_does_not_grow_queries_with_forms(client, cast, area, rows, django_assert_max_num_queries):
    _many_definitions(area, rows)
    force_sign_in(client, cast["panel_admin"])
    with django_assert_max_num_queries(LIST):
        assert client.get("/forms/").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_the_submission_search_does_not_grow_queries_with_submissions(
    client, cast, area, rows, django_assert_max_num_queries
):
    _many_submissions(cast["practitioner"], published_definition(area), rows)
    force_sign_in(client, cast["practitioner"])
    with django_assert_max_num_queries(SEARCH):
        assert client.get("/forms/submissions/").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_a_cases_forms_page_does_not_grow_queries_with_submissions(
    client, cast, area, rows, django_assert_max_num_queries
):
    practitioner = cast["practitioner"]
    first = _many_submissions(practitioner, _many_definitions(area, rows), rows)
    force_sign_in(client, practitioner)
    with django_assert_max_num_queries(CASE_FORMS):
        assert client.get(f"/forms/case/{first.case_id}/").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_a_submission_page_does_not_grow_queries_with_group_items(
    client, cast, area, rows, django_assert_max_num_queries
):
    practitioner = cast["practitioner"]
    case = CaseFactory(owner=practitioner)
    answers = {"q1": "Alex", "q2": "no", "q4": [{"q5": f"Person {n}"} for n in range(min(rows, 50))]}
    submission = submitted(practitioner, published_definition(area), case, answers)
    force_sign_in(client, practitioner)
    with django_assert_max_num_queries(SUBMISSION):
        assert client.get(f"/forms/submissions/{submission.pk}/").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_the_builder_page_does_not_grow_queries_with_versions(client, cast, area, rows, django_assert_max_num_queries):
    definition = published_definition(area)
    for number in range(2, rows + 1):
        FormVersion.objects.create(definition=definition, number=number, schema=definition.latest_version.schema)
    force_sign_in(client, cast["panel_admin"])
    with django_assert_max_num_queries(BUILDER):
        assert client.get(f"/forms/{definition.pk}/").status_code == 200
