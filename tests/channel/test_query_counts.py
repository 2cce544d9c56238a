"""Channel pages keep the same number of queries at a few and many rows.

Bounds are the SQLite count plus two: on PostgreSQL each audit event also takes the chain lock."""

import pytest
from django.urls import reverse

from roundtable.panels.models import WorkflowEvent
from tests.channel.factories import submit
from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [3, 40])
def test_the_prevent_queue_query_count(client, panel, prevent_officer, rows, django_assert_max_num_queries):
    for i in range(rows):
        submit(panel, given_name=f"Person{i}", urgency="urgent" if i % 3 else "routine")
    force_sign_in(client, prevent_officer)
    with django_assert_max_num_queries(QUEUE):
        response = client.get(reverse("channel:queue"))
    assert response.status_code == 200 and response.content.decode().count("Ashdown") == rows


@pytest.mark.parametrize("rows", [3, 60])
def test_the_channel_case_page_query_count(client, panel, prevent_officer, rows, django_assert_max_num_queries):
    channel_case = submit(panel)
    WorkflowEvent.objects.bulk_create(
        WorkflowEvent(
            case=channel_case.case,
            workflow="channel",
            transition="escalate",
            from_state="referred",
            to_state="referred",
            actor=prevent_officer,
            actor_organisation="Police",
            data={"reason": f"Reason {i}"},
        )
        for i in range(rows)
    )
    force_sign_in(client, prevent_officer)
    with django_assert_max_num_queries(CASE_PAGE):
        response = client.get(reverse("channel:case", args=[channel_case.case_id]))
    assert response.status_code == 200 and f"Reason {rows - 1}" in response.content.decode()


@pytest.mark.parametrize("matches", [1, 30])
def test_the_referral_page_with_its_deconfliction_query_count(
    client, panel, prevent_officer, matches, django_assert_max_num_queries
):
    for _ in range(matches):
        submit(panel)  # the same name and date of birth: every one matches
    channel_case = submit(panel)
    force_sign_in(client, prevent_officer)
    with django_assert_max_num_queries(REFERRAL_PAGE):
        response = client.get(reverse("channel:referral", args=[channel_case.case_id]))
    assert response.content.decode().count("/people/") >= matches


QUEUE, CASE_PAGE, REFERRAL_PAGE = 17, 20, 34
