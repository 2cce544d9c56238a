"""Factories and helpers for the assessments tests (the shared ones are in tests/factories.py)."""

from datetime import timedelta

from django.utils import timezone

from roundtable.assessments import services
from roundtable.assessments.models import Assessment, FactorRating
from roundtable.assessments.services import RatingInput


def answer_all(assessment: Assessment, present_labels: dict[str, str] | None = None, *, evidence="Seen at school"):
    """Answer every factor of a draft: the factors named in ``present_labels`` (label: rating)
    present, the rest not present."""
    present_labels = present_labels or {}
    answers = {}
    for rating in FactorRating.objects.filter(assessment=assessment).select_related("factor"):
        level = present_labels.get(rating.factor.label)
        answers[rating.factor_id] = RatingInput(True, level, evidence) if level else RatingInput(False, "", "")
    return answers


def completed_assessment(case, actor=None, *, days_ago=0, present=None, conclusion="Vulnerable; continue support"):
    """A completed assessment of ``case`` by ``actor`` (its owner by default)."""
    actor = actor or case.owner
    draft = services.do_start_assessment(actor, case, assessed_on=timezone.localdate() - timedelta(days=days_ago))
    fields = {"conclusion": conclusion}
    if services.previous_completed(draft) is not None:
        fields["changes_since_last"] = "Attending mentoring."
    saved = services.do_save_draft(actor, draft, draft.version, fields=fields, ratings=answer_all(draft, present))
    return services.do_complete_assessment(actor, saved, saved.version)


def factor_id(assessment_or_area, label: str) -> int:
    from roundtable.assessments.models import Factor

    area = getattr(assessment_or_area, "case", None)
    area_id = area.area_id if area is not None else assessment_or_area.pk
    return Factor.objects.get(area_id=area_id, label=label).pk
