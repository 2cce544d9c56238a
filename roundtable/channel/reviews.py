"""Reviews of a Channel case and the vulnerability assessment each one is recorded with.

Every open case is reviewed at every panel and re-assessed with the Vulnerability
Assessment Framework. A panel review is recorded with the latest completed assessment
made since the previous review (since the panel adopted the case, for the first review).
When there is none, the review can still be recorded, but only with a confirmation and
the reason the person was not re-assessed (see docs/channel.md, "Reviews").

Exited cases get review tasks at the panel's intervals (``ScheduledReview``); recording a
post-exit review says which of them it is and marks its task done.
"""

from django.utils import timezone

from roundtable.channel.models import PanelDecision, Review, ScheduledReview

EXTRA_REVIEW = "extra"
_CACHE = "_assessment_since_last_review"


def _long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def review_baseline(channel_case) -> tuple:
    """(when, in words) the next panel review looks back to: the last panel review or,
    before the first, the panel's decision to adopt the case. ``when`` is None if neither."""
    last = (
        Review.objects.filter(channel_case_id=channel_case.pk, kind=Review.Kind.PANEL)
        .order_by("-recorded_at", "-id")
        .values_list("recorded_at", flat=True)
        .first()
    )
    if last is not None:
        return last, "the last review"
    adopted = (
        PanelDecision.objects.filter(channel_case_id=channel_case.pk, decision=PanelDecision.Decision.ADOPT)
        .order_by("-decided_at", "-id")
        .values_list("decided_at", flat=True)
        .first()
    )
    return adopted, "the panel adopted the case"


def assessment_since_last_review(channel_case):
    """The latest completed (and not corrected) vulnerability assessment of the case that was
    completed since ``review_baseline``, or None. A correction counts only when the
    assessment it corrects was itself made since then. Remembered on the object."""
    if _CACHE in channel_case.__dict__:
        return channel_case.__dict__[_CACHE]
    from roundtable.assessments.models import Assessment

    since, _words = review_baseline(channel_case)
    qs = Assessment.objects.filter(
        case_id=channel_case.case_id, status=Assessment.Status.COMPLETED, superseded_by__isnull=True
    )
    if since is not None:
        qs = qs.filter(completed_at__gt=since).exclude(corrects__completed_at__lte=since)
    found = qs.select_related("previous").order_by("-assessed_on", "-completed_at", "-id").first()
    channel_case.__dict__[_CACHE] = found
    return found


def forget(channel_case) -> None:
    channel_case.__dict__.pop(_CACHE, None)


def no_assessment_problem(channel_case) -> str:
    _when, words = review_baseline(channel_case)
    return f"No vulnerability assessment has been completed since {words}."


def score_lines(assessment) -> list[dict]:
    """Each dimension's score (0-100) in this assessment and the one before it."""
    from roundtable.assessments.models import Dimension

    previous = assessment.previous
    return [
        {
            "label": label,
            "score": assessment.score(dimension),
            "before": previous.score(dimension) if previous is not None else None,
        }
        for dimension, label in Dimension.choices
    ]


def _score_text(line: dict) -> str:
    now = "not assessed" if line["score"] is None else f"{line['score']}%"
    if line["before"] is None:
        return f"{line['label']} {now}"
    return f"{line['label']} {now} (was {line['before']}%)"


def factor_change_sentences(assessment) -> list[str]:
    from roundtable.assessments.scoring import FactorChange

    return [FactorChange(**change).sentence for change in assessment.factor_changes]


def assessment_notes(assessment) -> dict:
    """What a review records about its assessment, in words: kept in the review's history row
    and chronology entry as the panel saw it (a later correction does not rewrite it)."""
    changes = [assessment.changes_since_last.strip()] if assessment.changes_since_last.strip() else []
    changes += factor_change_sentences(assessment)
    if assessment.previous_id is None:
        changes = changes or ["This is the first completed assessment of the person."]
    return {
        "assessment": f"Completed assessment of {_long_date(assessment.assessed_on)}",
        "assessment_scores": ", ".join(_score_text(line) for line in score_lines(assessment)),
        "assessment_changes": "\n".join(changes) or "Nothing recorded.",
    }


# --- After exit ---------------------------------------------------------------------------------
def scheduled_label(scheduled: ScheduledReview) -> str:
    return f"The review {scheduled.months} months after exit (due {_long_date(scheduled.task.due_date)})"


def scheduled_review_choices(channel_case) -> tuple[tuple[str, str], ...]:
    """The post-exit reviews set at exit and not yet recorded, then an extra review."""
    if channel_case is None:
        return ((EXTRA_REVIEW, "An extra review, not one of those set at exit"),)
    waiting = ScheduledReview.objects.filter(channel_case_id=channel_case.pk, review__isnull=True).select_related(
        "task"
    )
    return (
        *((str(s.pk), scheduled_label(s)) for s in waiting),
        (EXTRA_REVIEW, "An extra review, not one of those set at exit"),
    )


def complete_scheduled_review(actor, channel_case, review: Review, chosen: str) -> str:
    """Link the post-exit review to the scheduled review it is and mark its task done
    (whoever records the review: the workflow has already decided they may). Returns the
    scheduled review in words, for the history."""
    from django.db.models import F

    from roundtable.audit.services import record
    from roundtable.tasks.models import Task

    if chosen == EXTRA_REVIEW:
        return "An extra review, not one of those set at exit"
    scheduled = (
        ScheduledReview.objects.select_for_update()
        .select_related("task")
        .get(pk=int(chosen), channel_case_id=channel_case.pk, review__isnull=True)
    )
    scheduled.review = review
    scheduled.save(update_fields=["review"])
    task = scheduled.task
    if task.status in Task.OPEN_STATES:
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.DONE,
            completion_note="Done: the post-exit review was recorded on the case's Channel page.",
            completed_at=timezone.now(),
            version=F("version") + 1,
        )
        case = channel_case.case
        record(
            actor,
            "task.status_changed",
            task,
            case_id=case.pk,
            person_id=case.person_id,
            status=Task.Status.DONE,
            previous=task.status,
            via="channel post-exit review",
        )
    return scheduled_label(scheduled)
