"""Panel reviews with the vulnerability assessment they re-assess with, reviews without one
(a warning, a confirmation and the reason), and post-exit reviews closing their tasks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import ChronologyEntry
from roundtable.channel.models import ChannelCase, Review, ScheduledReview
from roundtable.channel.services import do_channel_transition, transitions_for
from roundtable.core.workflow import TransitionRefused
from roundtable.tasks.models import Task
from tests.assessments.factories import completed_assessment
from tests.channel.test_workflow import at_panel, in_support
from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db

REVIEW = {"summary": "Engaging well with his mentor.", "concerns_remain": True}
ENGAGEMENT = "Feelings of grievance and injustice"


def _reload(channel_case) -> ChannelCase:
    return ChannelCase.objects.select_related("case", "panel").get(pk=channel_case.pk)


def _review_url(channel_case) -> str:
    return reverse("channel:step", args=[channel_case.case_id, "review"])


def _allowed(user, channel_case) -> dict:
    return {a.transition.name: a.allowed for a in transitions_for(user, _reload(channel_case)) if a.transition.step}


@pytest.fixture
def supported(panel, prevent_officer, monkeypatch):
    return in_support(panel, prevent_officer, monkeypatch)


def test_a_review_is_recorded_with_the_assessment_completed_since_and_shows_its_scores_and_changes(
    client, panel, supported
):
    case = supported.case
    completed_assessment(case, panel.chair, present={ENGAGEMENT: "high"}, days_ago=1)
    # Only "review" is open: an assessment has been completed since the case was adopted.
    assert _allowed(panel.chair, supported)["review"] is True
    assert _allowed(panel.chair, supported)["review_without_assessment"] is False
    do_channel_transition(panel.chair, _reload(supported), "review", REVIEW)
    second = completed_assessment(case, panel.chair, present={ENGAGEMENT: "low"})

    force_sign_in(client, panel.chair)
    page = client.get(_review_url(supported)).content.decode()
    assert "The vulnerability assessment this review is recorded with" in page
    assert reverse("assessments:detail", args=[second.pk]) in page
    assert "since the last review" in page
    assert "Attending mentoring." in page  # what changed, in words
    assert f"{ENGAGEMENT}: rated lower (present, high → present, low)" in page  # and factor by factor
    assert "No vulnerability assessment has been completed" not in page

    response = client.post(_review_url(supported), {"summary": "Calmer at school.", "concerns_remain": "no"})
    assert response.status_code == 302
    review = Review.objects.filter(channel_case=supported).first()
    assert review.assessment == second and review.no_assessment_reason == ""

    # The history row and the chronology keep the scores and what changed, as the panel saw them.
    page = client.get(reverse("channel:case", args=[case.pk])).content.decode()
    engagement_now, engagement_before = second.engagement_score, second.previous.engagement_score
    assert f"Engagement {engagement_now}% (was {engagement_before}%)" in page
    assert "Attending mentoring." in page
    entry = ChronologyEntry.objects.filter(case=case, summary="Panel review recorded").order_by("-id").first()
    assert f"Engagement {engagement_now}% (was {engagement_before}%)" in entry.body
    assert "rated lower" in entry.body


def test_without_a_new_assessment_the_review_page_says_so_and_needs_a_confirmation_and_a_reason(
    client, panel, supported
):
    force_sign_in(client, panel.chair)
    page = client.get(_review_url(supported)).content.decode()
    assert "No vulnerability assessment has been completed since the panel adopted the case." in page
    assert reverse("assessments:start", args=[supported.case_id]) in page
    assert "Record a panel review without a new assessment" in page

    response = client.post(_review_url(supported), {"summary": "Seen at panel.", "concerns_remain": "yes"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm that the panel is reviewing the case without a new vulnerability assessment" in page
    assert "Enter why the person was not re-assessed at this review" in page
    assert not Review.objects.filter(channel_case=supported).exists()

    response = client.post(
        _review_url(supported),
        {
            "summary": "Seen at panel.",
            "concerns_remain": "yes",
            "no_assessment_confirmed": "on",
            "no_assessment_reason": "The mentor's report arrived too late to re-assess.",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(channel_case=supported)
    assert review.assessment is None
    assert review.no_assessment_reason == "The mentor's report arrived too late to re-assess."
    page = client.get(reverse("channel:case", args=[supported.case_id])).content.decode()
    assert "Record a panel review without a new assessment" in page
    assert "The mentor&#x27;s report arrived too late to re-assess." in page


def test_the_review_with_an_assessment_is_refused_when_none_was_completed_since_the_last_review(panel, supported):
    completed_assessment(supported.case, panel.chair)
    do_channel_transition(panel.chair, _reload(supported), "review", REVIEW)
    with pytest.raises(TransitionRefused, match="No vulnerability assessment has been completed since the last review"):
        do_channel_transition(panel.chair, _reload(supported), "review", REVIEW)
    # And the other way round: with a new assessment, the review must be recorded with it.
    completed_assessment(supported.case, panel.chair)
    with pytest.raises(TransitionRefused, match="record the review with it"):
        do_channel_transition(
            panel.chair,
            _reload(supported),
            "review_without_assessment",
            {**REVIEW, "no_assessment_confirmed": True, "no_assessment_reason": "No time"},
        )


def test_an_assessment_made_before_adoption_does_not_count_as_the_first_reviews(panel, prevent_officer, monkeypatch):
    from tests.channel.test_workflow import consent_given

    consent_given(monkeypatch)
    channel_case = at_panel(panel, prevent_officer)
    completed_assessment(channel_case.case, panel.chair)
    do_channel_transition(panel.chair, channel_case, "decide_adopt", {"reasons": "Vulnerable."})
    allowed = _allowed(panel.chair, channel_case)
    assert (allowed["review"], allowed["review_without_assessment"]) == (False, True)


def test_a_draft_in_progress_is_pointed_to_from_the_review_page(client, panel, supported):
    from roundtable.assessments.services import do_start_assessment

    draft = do_start_assessment(panel.chair, supported.case)
    force_sign_in(client, panel.chair)
    page = client.get(_review_url(supported)).content.decode()
    assert "A draft assessment is in progress" in page
    assert reverse("assessments:edit", args=[draft.pk]) in page


def _exited(panel, supported):
    do_channel_transition(panel.chair, supported, "recommend_exit", {"reasons": "Risk has fallen"})
    do_channel_transition(panel.chair, _reload(supported), "endorse_exit_as_chair", {})
    do_channel_transition(panel.police_lead, _reload(supported), "endorse_exit_as_police_lead", {})
    return _reload(supported)


def test_recording_the_six_month_review_marks_its_task_done_and_leaves_the_twelve_month_one(client, panel, supported):
    exited = _exited(panel, supported)
    six, twelve = ScheduledReview.objects.filter(channel_case=exited).select_related("task")
    assert (six.months, twelve.months) == (6, 12)
    url = reverse("channel:step", args=[exited.case_id, "post_exit"])
    force_sign_in(client, panel.chair)
    page = client.get(url).content.decode()
    assert "The review 6 months after exit (due" in page and "An extra review" in page

    response = client.post(url, {"summary": "Settled at college.", "concerns_remain": "no"})
    assert "Select which review this is" in response.content.decode()
    response = client.post(url, {"scheduled": str(six.pk), "summary": "Settled at college.", "concerns_remain": "no"})
    assert response.status_code == 302
    six.refresh_from_db()
    six.task.refresh_from_db()
    assert six.review is not None and six.review.kind == Review.Kind.POST_EXIT
    assert six.task.status == Task.Status.DONE and six.task.completed_at is not None
    assert "post-exit review was recorded" in six.task.completion_note
    assert Task.objects.get(pk=twelve.task_id).status == Task.Status.OPEN
    assert AuditEvent.objects.filter(action="task.status_changed", object_id=str(six.task_id)).exists()
    page = client.get(reverse("channel:case", args=[exited.case_id])).content.decode()
    assert "The review 6 months after exit" in page  # the history says which review it was

    # The six-month review is no longer offered; an extra review closes no task.
    page = client.get(url).content.decode()
    assert "The review 6 months after exit" not in page and "The review 12 months after exit" in page
    do_channel_transition(panel.police_lead, _reload(exited), "post_exit_review", {"scheduled": "extra", **REVIEW})
    assert Task.objects.get(pk=twelve.task_id).status == Task.Status.OPEN


def test_a_post_exit_review_done_by_a_prevent_officer_still_closes_the_chairs_task(panel, prevent_officer, supported):
    exited = _exited(panel, supported)
    six = ScheduledReview.objects.filter(channel_case=exited).first()
    do_channel_transition(prevent_officer, exited, "post_exit_review", {"scheduled": str(six.pk), **REVIEW})
    assert Task.objects.get(pk=six.task_id).status == Task.Status.DONE
    assert timezone.localdate() < Task.objects.get(pk=six.task_id).due_date
