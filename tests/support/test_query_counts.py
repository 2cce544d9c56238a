"""Support pages and API lists do not grow queries with data: the same bound at 10 and 200 rows.

Bounds are what PostgreSQL needs (the audit chain takes an advisory lock there: two more
queries than SQLite)."""

import pytest

from roundtable.api.services import do_create_token
from roundtable.support.models import Intervention
from tests.conftest import force_sign_in
from tests.support.factories import ConsentFactory, InterventionFactory, ProviderFactory, UpdateFactory, days

pytestmark = pytest.mark.django_db

SIZES = [10, 200]


def _plan(team, n):
    for i in range(n):
        ConsentFactory(case=team["case"], decision=("given", "withdrawn")[i % 2], occurred_on=days(-i))
    providers = [ProviderFactory(created_by=team["owner"], dbs_expires_on=days(i - 3)) for i in range(5)]
    for i in range(n):
        status = Intervention.Status.values[i % 5]
        provider = providers[i % 5] if i % 2 else None
        InterventionFactory(case=team["case"], provider=provider, status=status)


@pytest.mark.parametrize("n", SIZES)
def test_the_consent_and_support_page_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _plan(team, n)
    force_sign_in(client, team["viewer"])
    with django_assert_max_num_queries(17):
        response = client.get(f"/support/case/{team['case'].pk}/")
    assert response.status_code == 200 and len(response.context["interventions"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_the_intervention_page_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    item = InterventionFactory(case=team["case"], provider=ProviderFactory(created_by=team["owner"]))
    for _ in range(n):
        UpdateFactory(intervention=item, author=(team["owner"], team["police"])[_ % 2])
    force_sign_in(client, team["owner"])
    with django_assert_max_num_queries(17):
        response = client.get(f"/support/interventions/{item.pk}/")
    assert response.status_code == 200 and len(response.context["updates"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_the_provider_register_query_count_does_not_grow(client, cast, n, django_assert_max_num_queries):
    for i in range(n):
        ProviderFactory(created_by=cast["panel_chair"], dbs_expires_on=days(i - 5))
    force_sign_in(client, cast["panel_chair"])
    with django_assert_max_num_queries(15):
        assert client.get("/support/providers/").status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_api_support_plan_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _plan(team, n)
    _, raw = do_create_token(team["viewer"], name="t", days=1)
    with django_assert_max_num_queries(17):
        response = client.get(
            f"/api/v1/support/case/{team['case'].pk}/interventions", headers={"Authorization": f"Bearer {raw}"}
        )
    assert response.status_code == 200 and len(response.json()) == n
