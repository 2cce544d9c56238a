"""Drafts save anything and lose nothing; completing checks everything and freezes the record."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from roundtable.assessments import services
from roundtable.assessments.models import Assessment, Factor, FactorRating
from roundtable.assessments.services import RatingInput
from roundtable.audit.models import AuditEvent
from roundtable.core.conflicts import EditConflict
from roundtable.notifications.models import Notice
from tests.assessments.factories import answer_all, completed_assessment, factor_id

pytestmark = pytest.mark.django_db


def test_a_draft_asks_about_every_active_factor_of_the_case_area(team):
    draft = services.do_start_assessment(team["contributor"], team["case"])
    assert FactorRating.objects.filter(assessment=draft, present=None).count() == 22
    assert draft.assessed_on == timezone.localdate() and draft.is_draft


def test_a_viewer_and_an_outsider_cannot_start_an_assessment(team):
    for who in ("viewer", "outsider", "colleague"):
        with pytest.raises(PermissionDenied):
            services.do_start_assessment(team[who], team["case"])


def test_an_assessment_date_in_the_future_is_refused(team):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.do_start_assessment(team["owner"], team["case"], assessed_on=tomorrow)
    assert error.value.message_dict["assessed_on"] == ["The date of the assessment must be today or in the past"]


def test_only_one_draft_at_a_time_per_case(team):
    services.do_start_assessment(team["owner"], team["case"])
    with pytest.raises(ValidationError, match="already a draft"):
        services.do_start_assessment(team["contributor"], team["case"])


def test_a_partial_draft_is_saved_exactly_as_entered_and_resumed_by_another_member(team):
    case = team["case"]
    draft = services.do_start_assessment(team["owner"], case)
    threat = factor_id(draft, "Feeling under threat")
    status = factor_id(draft, "A desire for status")
    saved = services.do_save_draft(
        team["owner"],
        draft,
        draft.version,
        fields={"engagement_summary": "  Some engagement  "},
        ratings={threat: RatingInput(True, "", "Said so at school"), status: RatingInput(None, "", "Not sure yet")},
    )
    resumed = services.do_save_draft(
        team["contributor"], saved, saved.version, ratings={threat: RatingInput(True, "high", "Said so at school")}
    )
    answers = {r.factor_id: (r.present, r.rating, r.evidence) for r in FactorRating.objects.filter(assessment=draft)}
    assert answers[threat] == (True, "high", "Said so at school")
    assert answers[status] == (None, "", "Not sure yet")
    assert resumed.engagement_summary == "Some engagement" and resumed.version == draft.version + 2


def test_a_rating_is_kept_only_for_a_present_factor(team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    fid = factor_id(draft, "Harmful objectives")
    services.do_save_draft(team["owner"], draft, draft.version, ratings={fid: RatingInput(False, "high", "None seen")})
    rating = FactorRating.objects.get(assessment=draft, factor_id=fid)
    assert (rating.present, rating.rating, rating.evidence) == (False, "", "None seen")


def test_saving_over_someone_elses_save_is_a_conflict_naming_the_factor(team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    fid = factor_id(draft, "Criminal capability")
    services.do_save_draft(team["owner"], draft, draft.version, ratings={fid: RatingInput(True, "low", "Theirs")})
    with pytest.raises(EditConflict) as clash:
        services.do_save_draft(
            team["contributor"], draft, draft.version, ratings={fid: RatingInput(True, "high", "Mine")}
        )
    assert [c.label for c in clash.value.conflicts] == ["Criminal capability"]
    assert FactorRating.objects.get(assessment=draft, factor_id=fid).evidence == "Theirs"


def test_completing_names_every_problem_and_keeps_the_draft(team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    answers = answer_all(draft)
    threat = factor_id(draft, "Feeling under threat")
    status = factor_id(draft, "A desire for status")
    answers[threat] = RatingInput(True, "", "")
    del answers[status]
    saved = services.do_save_draft(team["owner"], draft, draft.version, ratings=answers)
    with pytest.raises(ValidationError) as error:
        services.do_complete_assessment(team["owner"], saved, saved.version)
    problems = error.value.message_dict
    assert problems[f"factor:{status}:present"] == ["Engagement: “A desire for status” – say whether it is present"]
    assert problems[f"factor:{threat}:rating"] == [
        "Engagement: “Feeling under threat” – choose a rating: low, medium or high"
    ]
    assert problems[f"factor:{threat}:evidence"] == [
        "Engagement: “Feeling under threat” – give the evidence that it is present"
    ]
    assert problems["conclusion"] == ["Enter the overall conclusion"]
    assert "changes_since_last" not in problems  # the first assessment has nothing to compare with
    assert Assessment.objects.get(pk=draft.pk).is_draft


def test_a_completed_assessment_is_scored_frozen_and_read_only(team):
    case = team["case"]
    done = completed_assessment(
        case,
        present={"Feeling under threat": "high", "A desire for status": "low", "Harmful objectives": "medium"},
    )
    # engagement: (3 + 1) / (13 * 3); intent: 2 / (6 * 3); capability: nothing present
    assert done.scores == {"engagement": 10, "intent": 11, "capability": 0}
    assert done.status == "completed" and done.completed_by == team["owner"]
    with pytest.raises(PermissionDenied):
        services.do_save_draft(team["owner"], done, done.version, fields={"conclusion": "Changed"})
    with pytest.raises(PermissionDenied):
        services.do_complete_assessment(team["owner"], done, done.version)


def test_the_next_assessment_lists_what_changed_and_needs_a_word_on_it(team):
    case = team["case"]
    first = completed_assessment(
        case, days_ago=30, present={"Feeling under threat": "high", "Harmful objectives": "medium"}
    )
    draft = services.do_start_assessment(team["owner"], case)
    answers = answer_all(draft, {"Feeling under threat": "low", "Criminal capability": "medium"})
    saved = services.do_save_draft(team["owner"], draft, draft.version, ratings=answers, fields={"conclusion": "x"})
    with pytest.raises(ValidationError) as error:
        services.do_complete_assessment(team["owner"], saved, saved.version)
    assert error.value.message_dict == {"changes_since_last": ["Say what has changed since the last assessment"]}
    saved = services.do_save_draft(
        team["owner"], saved, saved.version, fields={"changes_since_last": "Mentoring is working"}
    )
    second = services.do_complete_assessment(team["owner"], saved, saved.version)
    assert second.previous == first
    assert [(c["label"], c["kind"]) for c in second.factor_changes] == [
        ("Feeling under threat", "rating_down"),
        ("Harmful objectives", "no_longer_present"),
        ("Criminal capability", "now_present"),
    ]


def test_a_correction_replaces_the_original_in_the_history_and_keeps_it_readable(team):
    case, owner = team["case"], team["owner"]
    original = completed_assessment(case, days_ago=10, present={"Harmful objectives": "high"})
    correction = services.do_start_correction(team["contributor"], original)
    copied = {r.factor_id: (r.present, r.rating) for r in FactorRating.objects.filter(assessment=correction)}
    fid = factor_id(correction, "Harmful objectives")
    assert copied[fid] == (True, "high") and correction.conclusion == original.conclusion
    assert correction.assessed_on == original.assessed_on
    saved = services.do_save_draft(owner, correction, correction.version, ratings={fid: RatingInput(True, "low", "x")})
    services.do_complete_assessment(owner, saved, saved.version)
    original.refresh_from_db()
    assert original.superseded_by_id == correction.pk
    assert [p.assessment_id for p in services.dimension_history(owner, case)] == [correction.pk]
    assert services.latest_assessment(owner, case).pk == correction.pk
    with pytest.raises(PermissionDenied):
        services.do_start_correction(owner, original)  # corrected once already: correct the correction


def test_latest_assessment_and_history_are_empty_for_someone_who_cannot_see_the_case(team):
    completed_assessment(team["case"])
    assert services.latest_assessment(team["outsider"], team["case"]) is None
    assert services.dimension_history(team["outsider"], team["case"]) == []
    assert services.latest_assessment(team["viewer"], team["case"]) is not None


def test_history_is_oldest_first_and_ignores_drafts(team):
    case = team["case"]
    old = completed_assessment(case, days_ago=60, present={"Criminal capability": "high"})
    new = completed_assessment(case, days_ago=5)
    services.do_start_assessment(team["owner"], case)
    history = services.dimension_history(team["viewer"], case)
    assert [(p.assessment_id, p.scores["capability"]) for p in history] == [(old.pk, 33), (new.pk, 0)]


def test_a_factor_added_after_a_draft_began_must_be_answered_too(team):
    case = team["case"]
    draft = services.do_start_assessment(team["owner"], case)
    saved = services.do_save_draft(
        team["owner"], draft, draft.version, ratings=answer_all(draft), fields={"conclusion": "x"}
    )
    services.do_add_factor(team["owner"], case.area, dimension="intent", label="Online activity")
    with pytest.raises(ValidationError) as error:
        services.do_complete_assessment(team["owner"], saved, saved.version)
    added = Factor.objects.get(area=case.area, label="Online activity")
    assert list(error.value.message_dict) == [f"factor:{added.pk}:present"]


def test_a_factor_retired_during_a_draft_is_dropped_if_unanswered(team):
    case = team["case"]
    draft = services.do_start_assessment(team["owner"], case)
    answers = answer_all(draft)
    criminal = factor_id(draft, "Criminal capability")
    del answers[criminal]
    saved = services.do_save_draft(team["owner"], draft, draft.version, ratings=answers, fields={"conclusion": "x"})
    services.do_retire_factor(team["owner"], Factor.objects.get(pk=criminal))
    done = services.do_complete_assessment(team["owner"], saved, saved.version)
    assert not FactorRating.objects.filter(assessment=done, factor_id=criminal).exists()
    assert done.scores["capability"] == 0


def test_completing_tells_the_case_owner_and_audits_scores(team):
    case = team["case"]
    draft = services.do_start_assessment(team["contributor"], case)
    saved = services.do_save_draft(
        team["contributor"], draft, draft.version, ratings=answer_all(draft), fields={"conclusion": "x"}
    )
    services.do_complete_assessment(team["contributor"], saved, saved.version)
    assert Notice.objects.filter(recipient=team["owner"], message__contains=case.reference).exists()
    event = AuditEvent.objects.get(action="assessment.completed")
    assert event.case_id == case.pk and event.details["scores"] == {"engagement": 0, "intent": 0, "capability": 0}
    actions = set(AuditEvent.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert {"assessment.started", "assessment.saved", "assessment.completed"} <= actions


def test_discarding_a_draft_deletes_it_and_audits_how_much_was_entered_not_what(team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    fid = factor_id(draft, "Criminal capability")
    saved = services.do_save_draft(
        team["owner"], draft, draft.version, ratings={fid: RatingInput(True, "low", "Private detail")}
    )
    services.do_discard_draft(team["contributor"], saved, saved.version)
    assert not Assessment.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action="assessment.discarded")
    assert event.details["factors_answered"] == 1 and "Private detail" not in str(event.details)


def test_discarding_a_draft_someone_has_just_saved_is_refused(team):
    draft = services.do_start_assessment(team["owner"], team["case"])
    services.do_save_draft(team["owner"], draft, draft.version, fields={"conclusion": "Fresh"})
    with pytest.raises(EditConflict):
        services.do_discard_draft(team["contributor"], draft, draft.version)
    assert Assessment.objects.filter(pk=draft.pk).exists()
