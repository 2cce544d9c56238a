"""The demo shows a case's progress over four assessments, a draft to continue, and loads twice."""

import pytest
from django.core.management import call_command

from roundtable.assessments.models import Assessment
from roundtable.cases.models import Case

pytestmark = pytest.mark.django_db


def test_the_demo_has_assessment_histories_and_a_draft_and_loads_twice(capsys):
    call_command("load_demo")
    case = Case.objects.get(title__startswith="Channel support")
    history = list(Assessment.objects.filter(case=case, status="completed").order_by("assessed_on"))
    assert len(history) == 4 and Assessment.objects.filter(case=case, status="draft").count() == 1
    engagement = [a.engagement_score for a in history]
    assert engagement == sorted(engagement, reverse=True) and engagement[0] > engagement[-1]
    assert history[-1].factor_changes and history[-1].previous == history[-2]
    count = Assessment.objects.count()
    call_command("load_demo")
    assert Assessment.objects.count() == count
