"""Pages and API lists keep the same number of queries at 5 and 60 requests.

Bounds are exactly what PostgreSQL needs: each audit event takes the chain lock there, so
SQLite does one query fewer per event (pages write one event, API calls two: the call and
the read). Every page also pays for the header (unread notices, navigation)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.api.services import do_create_token
from roundtable.inforequests.models import AnswerAttachment, InformationRequest, RequestRecipient
from tests.conftest import force_sign_in
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIZES = [5, 60]


def _requests(world, n):
    """n requests on the case, each to the school and a named person elsewhere, some answered
    with a file, some overdue."""
    today = timezone.localdate()
    others = [UserFactory(organisation=OrganisationFactory(area=world["case"].area)) for _ in range(3)]
    for i in range(n):
        request = InformationRequest.objects.create(
            case=world["case"], requested_by=world["officer"], requester_organisation=world["police"],
            questions=["Do you hold information on this person?"], lawful_basis="public_task",
            consent_position="given", response_days=5, due_date=today + timedelta(days=(i % 9) - 4),
        )  # fmt: skip
        RequestRecipient.objects.create(request=request, organisation=world["school"])
        named = others[i % 3]
        row = RequestRecipient.objects.create(request=request, organisation=named.organisation, user=named)
        if i % 2:
            RequestRecipient.objects.filter(pk=row.pk).update(
                status="answered", outcome="information_provided", answer="Known.", answered_by=named,
                answered_at=timezone.now(),
            )  # fmt: skip
            AnswerAttachment.objects.create(
                recipient=row, file="inforequests/x.pdf", original_name="x.pdf", content_type="application/pdf",
                size=10, sha256="0" * 64, uploaded_by=named,
            )  # fmt: skip
    return InformationRequest.objects.first()


@pytest.mark.parametrize("n", SIZES)
def test_the_case_requests_page_query_count_does_not_grow(client, world, n, django_assert_max_num_queries):
    _requests(world, n)
    force_sign_in(client, world["chair"])
    with django_assert_max_num_queries(17):
        response = client.get(f"/information-requests/case/{world['case'].pk}/")
    assert response.status_code == 200 and len(response.context["requests"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_the_request_page_query_count_does_not_grow(client, world, n, django_assert_max_num_queries):
    """One request asking many organisations, half of them answered with files."""
    request = _requests(world, 1)
    for i in range(n):
        user = UserFactory(organisation=OrganisationFactory(area=world["case"].area))
        row = RequestRecipient.objects.create(request=request, organisation=user.organisation, user=user)
        if i % 2:
            RequestRecipient.objects.filter(pk=row.pk).update(status="answered", outcome="not_known",
                                                              answered_by=user, answered_at=timezone.now())  # fmt: skip
            AnswerAttachment.objects.create(
                recipient=row, file="inforequests/x.pdf", original_name="x.pdf", content_type="application/pdf",
                size=10, sha256="0" * 64, uploaded_by=user,
            )  # fmt: skip
    force_sign_in(client, world["chair"])
    with django_assert_max_num_queries(17):
        response = client.get(f"/information-requests/{request.pk}/")
    assert response.status_code == 200 and len(response.context["recipients"]) == n + 2


@pytest.mark.parametrize("n", SIZES)
def test_the_inbox_query_count_does_not_grow(client, world, n, django_assert_max_num_queries):
    _requests(world, n)
    force_sign_in(client, world["teacher"])
    with django_assert_max_num_queries(15):
        response = client.get("/information-requests/")
    assert response.status_code == 200 and len(response.context["recipients"]) == min(n, 50)


@pytest.mark.parametrize("n", SIZES)
def test_the_api_case_list_query_count_does_not_grow(client, world, n, django_assert_max_num_queries):
    _requests(world, n)
    _, raw = do_create_token(world["chair"], name="t", days=1)
    with django_assert_max_num_queries(19):
        response = client.get(
            f"/api/v1/information-requests/case/{world['case'].pk}", headers={"Authorization": f"Bearer {raw}"}
        )
    assert response.status_code == 200 and len(response.json()) == n


@pytest.mark.parametrize("n", SIZES)
def test_the_api_inbox_query_count_does_not_grow(client, world, n, django_assert_max_num_queries):
    _requests(world, n)
    _, raw = do_create_token(world["teacher"], name="t", days=1)
    with django_assert_max_num_queries(16):
        response = client.get("/api/v1/information-requests/inbox", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and len(response.json()) == n
