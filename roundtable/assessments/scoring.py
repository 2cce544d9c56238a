"""Dimension scores and the factor changes between two assessments. Pure functions.

The score of a dimension is the weight of its present factors (low 1, medium 2, high 3)
as a share of the most it could be (every factor of the dimension present and high),
as a whole percentage. So 0 means no factor of the dimension is present, and 100 means
every one is present and rated high. A factor present without a rating (only possible in a
draft) counts as medium. It is a way to see change over time at a glance, not a risk
score: the evidence and the panel's judgement decide, and docs/assessments.md says so.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from roundtable.assessments.models import RATING_WEIGHTS, Dimension, Rating

MAX_WEIGHT = max(RATING_WEIGHTS.values())
DIMENSION_ORDER = {dimension: index for index, dimension in enumerate(Dimension.values)}


def weight(present: bool | None, rating: str) -> int:
    if not present:
        return 0
    return RATING_WEIGHTS.get(rating, RATING_WEIGHTS[Rating.MEDIUM])


def dimension_scores(ratings: Iterable) -> dict[str, int | None]:
    """{dimension: 0-100, or None when the assessment has no factor in that dimension}."""
    totals = {dimension: [0, 0] for dimension in Dimension.values}
    for rating in ratings:
        total = totals[rating.dimension]
        total[0] += weight(rating.present, rating.rating)
        total[1] += MAX_WEIGHT
    return {dimension: (round(100 * got / most) if most else None) for dimension, (got, most) in totals.items()}


@dataclass(frozen=True)
class FactorChange:
    factor_id: int
    dimension: str
    label: str
    kind: str  # one of CHANGE_KINDS
    before: str
    after: str

    @property
    def sentence(self) -> str:
        return f"{self.label}: {CHANGE_KINDS[self.kind]} ({self.before} → {self.after})"

    def as_dict(self) -> dict:
        return {
            "factor_id": self.factor_id,
            "dimension": self.dimension,
            "label": self.label,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
        }


CHANGE_KINDS = {
    "now_present": "now present",
    "no_longer_present": "no longer present",
    "rating_up": "rated higher",
    "rating_down": "rated lower",
    "new_factor": "assessed for the first time",
}


def _answer(present: bool | None, rating: str) -> str:
    if present is None:
        return "not answered"
    if not present:
        return "not present"
    return f"present, {Rating(rating).label.lower()}" if rating else "present"


def factor_changes(previous: Iterable, current: Iterable) -> list[FactorChange]:
    """What moved between two sets of ratings, matched by factor, in framework order.

    Unanswered factors in ``current`` are not changes (the draft is not finished); a factor
    answered now but not assessed last time is reported as new."""
    before = {r.factor_id: r for r in previous}
    changes = []
    for now in sorted(current, key=lambda r: (DIMENSION_ORDER[r.dimension], r.order, r.factor_id)):
        if now.present is None:
            continue
        then = before.get(now.factor_id)
        if then is None or then.present is None:
            if now.present:
                kind = "new_factor" if then is None else "now_present"
                changes.append(_change(now, kind, None, ""))
            continue
        if then.present != now.present:
            kind = "now_present" if now.present else "no_longer_present"
        elif now.present and weight(True, now.rating) != weight(True, then.rating):
            kind = "rating_up" if weight(True, now.rating) > weight(True, then.rating) else "rating_down"
        else:
            continue
        changes.append(_change(now, kind, then.present, then.rating))
    return changes


def _change(now, kind: str, then_present, then_rating: str) -> FactorChange:
    return FactorChange(
        factor_id=now.factor_id,
        dimension=now.dimension,
        label=now.label,
        kind=kind,
        before="not assessed" if kind == "new_factor" else _answer(then_present, then_rating),
        after=_answer(now.present, now.rating),
    )
