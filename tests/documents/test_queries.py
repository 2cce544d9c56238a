"""Pages and API lists do not grow queries with the number of documents."""

import pytest
from django.db import connection
from django.urls import reverse

from roundtable.api.services import do_create_token
from tests.conftest import force_sign_in
from tests.documents.factories import DocumentFactory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# Session, user, OTP device, case, upload permission, both document lists, the audit
# event (savepoint, chain head, insert): fixed, whatever the number of documents.
# On PostgreSQL the audit log also takes its advisory lock on the chain head.
AUDIT_LOCK = 1 if connection.vendor == "postgresql" else 0
PAGE_QUERIES = 13 + AUDIT_LOCK  # includes the page shell's unread-notice count
API_QUERIES = 13 + 2 * AUDIT_LOCK  # two events: the API call and the list view
DETAIL_QUERIES = 12 + AUDIT_LOCK


def documents_on_a_case(cast, count):
    case = CaseFactory(owner=cast["practitioner"], members=[cast["panel_chair"]])
    DocumentFactory.create_batch(count // 2, case=case)
    DocumentFactory.create_batch(count - count // 2, case=case, restricted_to=[cast["practitioner"]],
                                 uploaded_by=cast["panel_chair"])  # fmt: skip
    return case


@pytest.mark.parametrize("count", [10, 200])
def test_the_case_documents_page_needs_the_same_queries_for_10_or_200(
    client, cast, count, django_assert_max_num_queries
):
    case = documents_on_a_case(cast, count)
    force_sign_in(client, cast["panel_chair"])
    url = reverse("documents:case_documents", args=[case.pk])
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('href="/documents/') >= count // 2


@pytest.mark.parametrize("count", [10, 200])
def test_a_not_named_member_sees_placeholders_with_the_same_queries(client, cast, count, django_assert_max_num_queries):
    case = documents_on_a_case(cast, count)
    other = cast["org_admin"]
    from roundtable.cases.models import CaseMembership

    CaseMembership.objects.create(case=case, user=other)
    force_sign_in(client, other)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(reverse("documents:case_documents", args=[case.pk]))
    assert response.content.decode().count("govuk-inset-text") == count - count // 2


@pytest.mark.parametrize("count", [10, 200])
def test_the_api_list_needs_the_same_queries_for_10_or_200(client, cast, count, django_assert_max_num_queries):
    case = documents_on_a_case(cast, count)
    _, raw = do_create_token(cast["panel_chair"], name="t", days=1)
    with django_assert_max_num_queries(API_QUERIES):
        response = client.get(f"/api/v1/documents/case/{case.pk}", headers={"Authorization": f"Bearer {raw}"})
    assert len(response.json()["documents"]) == count


def test_the_document_page_has_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    case = CaseFactory(owner=cast["practitioner"], members=[cast["panel_chair"]])
    document = DocumentFactory(case=case, restricted_to=[cast["panel_chair"]])
    force_sign_in(client, cast["practitioner"])
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(reverse("documents:detail", args=[document.pk])).status_code == 200
