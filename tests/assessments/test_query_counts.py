"""Assessment pages and API calls do not grow queries with data: the same bound for few and
many assessments or factors. Bounds are exactly what PostgreSQL needs (each audit event
takes the chain lock there); SQLite does one or two fewer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.api.services import do_create_token
from roundtable.assessments import services
from roundtable.assessments.models import Assessment, Factor
from tests.assessments.factories import answer_all, completed_assessment
from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db

SIZES = [3, 40]


def _history(team, n):
    """n completed assessments on the case (scores only: list pages do not read ratings)."""
    today = timezone.localdate()
    Assessment.objects.bulk_create(
        Assessment(
            case=team["case"], assessed_on=today - timedelta(days=30 * i), assessed_by=team["owner"],
            status="completed", completed_by=team["contributor"], completed_at=timezone.now(),
            engagement_score=i % 100, intent_score=(2 * i) % 100, capability_score=(3 * i) % 100,
        )
        for i in range(n)
    )  # fmt: skip
    services.do_start_assessment(team["owner"], team["case"])


def _extra_factors(team, n):
    area = team["case"].area
    services.factors_for(area)
    Factor.objects.bulk_create(
        Factor(area=area, dimension=("engagement", "intent", "capability")[i % 3], label=f"Extra {i}", order=500 + i)
        for i in range(n)
    )


@pytest.mark.parametrize("n", SIZES)
def test_the_case_assessments_page_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _history(team, n)
    force_sign_in(client, team["owner"])
    with django_assert_max_num_queries(17):
        response = client.get(reverse("assessments:case_assessments", args=[team["case"].pk]))
    assert response.status_code == 200 and len(response.context["history"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_the_assessment_page_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _extra_factors(team, n)
    completed_assessment(team["case"], days_ago=20)
    done = completed_assessment(team["case"], present={"Extra 1": "high"})
    force_sign_in(client, team["viewer"])
    with django_assert_max_num_queries(17):
        response = client.get(reverse("assessments:detail", args=[done.pk]))
    assert response.status_code == 200 and len(response.context["changes"]) == 1


@pytest.mark.parametrize("n", SIZES)
def test_the_assessment_form_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _extra_factors(team, n)
    completed_assessment(team["case"], days_ago=20)
    draft = services.do_start_assessment(team["owner"], team["case"])
    services.do_save_draft(team["owner"], draft, draft.version, ratings=answer_all(draft))
    force_sign_in(client, team["owner"])
    with django_assert_max_num_queries(18):
        response = client.get(reverse("assessments:edit", args=[draft.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_saving_the_form_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _extra_factors(team, n)
    draft = services.do_start_assessment(team["owner"], team["case"])
    data = {
        "version": draft.version,
        "action": "save",
        "assessed_day": "1",
        "assessed_month": "1",
        "assessed_year": "2025",
    }
    data |= {f"f{fid}_present": "no" for fid in answer_all(draft)}
    force_sign_in(client, team["owner"])
    with django_assert_max_num_queries(22):
        response = client.post(reverse("assessments:edit", args=[draft.pk]), data)
    assert response.status_code == 302


@pytest.mark.parametrize("n", SIZES)
def test_the_api_list_query_count_does_not_grow(client, team, n, django_assert_max_num_queries):
    _history(team, n)
    _, raw = do_create_token(team["viewer"], name="t", days=1)
    with django_assert_max_num_queries(16):
        response = client.get(f"/api/v1/assessments/case/{team['case'].pk}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and len(response.json()) == n + 1
