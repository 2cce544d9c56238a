"""Properties of the dimension scores and the factor-change list (pure functions, no database)."""

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from roundtable.assessments.scoring import dimension_scores, factor_changes


@dataclass
class R:
    factor_id: int
    dimension: str
    present: bool | None
    rating: str
    label: str = "A factor"
    order: int = 0


answers = st.tuples(st.sampled_from([True, False]), st.sampled_from(["low", "medium", "high"]))
assessments = st.lists(answers, min_size=1, max_size=25).map(
    lambda rows: [
        R(i, ("engagement", "intent", "capability")[i % 3], p, r if p else "") for i, (p, r) in enumerate(rows)
    ]
)


@given(assessments)
def test_every_score_is_a_percentage_and_nothing_present_scores_zero(ratings):
    scores = dimension_scores(ratings)
    assert all(s is None or 0 <= s <= 100 for s in scores.values())
    absent = [R(r.factor_id, r.dimension, False, "") for r in ratings]
    assert all(s in (0, None) for s in dimension_scores(absent).values())


@given(assessments, st.data())
def test_raising_one_rating_never_lowers_its_dimensions_score(ratings, data):
    index = data.draw(st.integers(0, len(ratings) - 1))
    raised = list(ratings)
    raised[index] = R(ratings[index].factor_id, ratings[index].dimension, True, "high")
    before, after = dimension_scores(ratings), dimension_scores(raised)
    assert after[ratings[index].dimension] >= before[ratings[index].dimension]


@given(assessments)
def test_an_assessment_has_no_changes_against_itself(ratings):
    assert factor_changes(ratings, ratings) == []


@given(assessments, assessments)
def test_every_factor_that_moved_is_listed_once(previous, current):
    changes = factor_changes(previous, current)
    before = {r.factor_id: r for r in previous}
    moved = {
        r.factor_id
        for r in current
        if (r.factor_id not in before and r.present)
        or (
            r.factor_id in before and (before[r.factor_id].present, before[r.factor_id].rating) != (r.present, r.rating)
        )
    }
    assert sorted(c.factor_id for c in changes) == sorted(moved)
