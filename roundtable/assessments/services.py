"""What people can do with vulnerability assessments and factor lists.

Each operation checks the access policy, changes data in one transaction and records audit
there too. Reading helpers (``latest_assessment``, ``dimension_history``) are for other apps
(the case summary PDF, panel meeting mode): they apply the access policy and do not audit,
so the page that shows their result records its own view.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from roundtable.access import policy
from roundtable.accounts.models import Area
from roundtable.assessments.defaults import DEFAULT_FACTORS
from roundtable.assessments.models import Assessment, Dimension, Factor, FactorRating, Rating
from roundtable.assessments.scoring import DIMENSION_ORDER, dimension_scores, factor_changes
from roundtable.audit.services import record
from roundtable.cases.models import Case, CaseMembership
from roundtable.core.conflicts import EditConflict, FieldConflict, save_if_unchanged
from roundtable.notifications.services import notify

Status = Assessment.Status
TEXT_FIELDS = (
    "engagement_summary",
    "intent_summary",
    "capability_summary",
    "conclusion",
    "management_plan",
    "changes_since_last",
)
MAX_TEXT = 20_000  # characters in one box: a long report, not a pasted file


def _audit_ids(case: Case) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id}


def assessment_url(assessment: Assessment) -> str:
    return reverse("assessments:detail", args=[assessment.pk])


def sort_key(item) -> tuple:
    """Framework order: engagement, intent, capability; then the area's order."""
    return (DIMENSION_ORDER[item.dimension], item.order, getattr(item, "factor_id", item.pk))


# --- Factor lists -----------------------------------------------------------------------------
def _ensure_defaults(area: Area) -> None:
    """Give an area its copy of the default factors, once. Safe to race: the unique key
    (area, default_key) lets only one copy in, and later calls see it and do nothing."""
    if Factor.objects.filter(area=area).exclude(default_key="").exists():
        return
    with transaction.atomic():
        created = Factor.objects.bulk_create(
            [
                Factor(area=area, dimension=dimension, label=label, default_key=key, order=(index + 1) * 10)
                for index, (key, dimension, label) in enumerate(DEFAULT_FACTORS)
            ],
            ignore_conflicts=True,
        )
        record(None, "factor.defaults_created", area, actor_label="factors_for", count=len(created))


def factors_for(area: Area, *, include_retired: bool = False) -> list[Factor]:
    """The area's factors in framework order, creating the 22 defaults on first need."""
    _ensure_defaults(area)
    qs = Factor.objects.filter(area=area)
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return sorted(qs, key=sort_key)


def _clean_factor_text(label: str, guidance: str) -> tuple[str, str]:
    label, guidance = " ".join(label.split()), guidance.strip()
    if not label:
        raise ValidationError({"label": "Enter the factor's name"})
    if len(label) > 200:
        raise ValidationError({"label": "The factor's name must be 200 characters or fewer"})
    if len(guidance) > MAX_TEXT:
        raise ValidationError({"guidance": f"The guidance must be {MAX_TEXT:,} characters or fewer"})
    return label, guidance


def _check_unique_label(area: Area, dimension: str, label: str, exclude_pk: int | None = None) -> None:
    clash = Factor.objects.annotate(lower=Lower("label")).filter(
        area=area, dimension=dimension, retired_at__isnull=True, lower=label.lower()
    )
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"label": f"{Dimension(dimension).label} already has a factor called “{label}”"})


@transaction.atomic
def do_add_factor(actor, area: Area, *, dimension: str, label: str, guidance: str = "") -> Factor:
    policy.permit(actor, "factor.manage", area)
    if dimension not in Dimension.values:
        raise ValidationError({"dimension": "Choose engagement, intent or capability"})
    label, guidance = _clean_factor_text(label, guidance)
    _ensure_defaults(area)
    _check_unique_label(area, dimension, label)
    last = Factor.objects.filter(area=area, dimension=dimension).aggregate(last=Max("order"))["last"] or 0
    factor = Factor.objects.create(area=area, dimension=dimension, label=label, guidance=guidance, order=last + 10)
    record(actor, "factor.added", factor, area_id=area.pk, dimension=dimension, label=label)
    return factor


@transaction.atomic
def do_update_factor(actor, factor: Factor, expected_version: int, *, label: str, guidance: str) -> Factor:
    """Rename a factor or change its guidance. Completed assessments keep the wording they were
    completed with; drafts show the new wording. Raises EditConflict if someone saved first."""
    policy.permit(actor, "factor.manage", factor.area_id)
    label, guidance = _clean_factor_text(label, guidance)
    if not factor.is_retired:
        _check_unique_label(factor.area, factor.dimension, label, exclude_pk=factor.pk)
    before = {"label": factor.label, "guidance": factor.guidance}
    updated = save_if_unchanged(factor, expected_version, {"label": label, "guidance": guidance})
    details = {"renamed_from": before["label"], "renamed_to": label} if before["label"] != label else {}
    record(
        actor,
        "factor.updated",
        updated,
        area_id=factor.area_id,
        guidance_changed=before["guidance"] != guidance,
        **details,
    )
    return updated


@transaction.atomic
def do_move_factor(actor, factor: Factor, direction: str) -> None:
    """Swap a factor with its neighbour in the dimension (``up`` or ``down``)."""
    policy.permit(actor, "factor.manage", factor.area_id)
    siblings = list(
        Factor.objects.select_for_update()
        .filter(area_id=factor.area_id, dimension=factor.dimension)
        .order_by("order", "pk")
    )
    index = next(i for i, f in enumerate(siblings) if f.pk == factor.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.order != (position + 1) * 10:
            Factor.objects.filter(pk=sibling.pk).update(order=(position + 1) * 10)
    record(actor, "factor.moved", factor, area_id=factor.area_id, direction=direction)


@transaction.atomic
def do_retire_factor(actor, factor: Factor) -> Factor:
    """New assessments stop asking about it; assessments that rated it keep it."""
    policy.permit(actor, "factor.manage", factor.area_id)
    if not factor.is_retired:
        Factor.objects.filter(pk=factor.pk).update(retired_at=timezone.now())
        record(actor, "factor.retired", factor, area_id=factor.area_id)
    factor.refresh_from_db()
    return factor


@transaction.atomic
def do_restore_factor(actor, factor: Factor) -> Factor:
    policy.permit(actor, "factor.manage", factor.area_id)
    if factor.is_retired:
        _check_unique_label(factor.area, factor.dimension, factor.label, exclude_pk=factor.pk)
        Factor.objects.filter(pk=factor.pk).update(retired_at=None)
        record(actor, "factor.restored", factor, area_id=factor.area_id)
    factor.refresh_from_db()
    return factor


# --- Reading assessments -------------------------------------------------------------------
def case_assessments(user, case: Case) -> QuerySet:
    """Every assessment of the case the user may see, newest first (drafts included)."""
    qs = policy.visible(user, Assessment.objects.filter(case=case))
    return qs.select_related("assessed_by", "completed_by").order_by("-assessed_on", "-id")


def current_assessments(user, case: Case) -> QuerySet:
    """Completed assessments that have not been corrected: the case's assessment history."""
    qs = policy.visible(user, Assessment.objects.filter(case=case, status=Status.COMPLETED, superseded_by=None))
    return qs.order_by("assessed_on", "completed_at", "id")


def latest_assessment(user, case: Case) -> Assessment | None:
    """The most recent completed (and not corrected) assessment the user may see, with its
    ratings prefetched in framework order; None if there is none or the user may not see it.
    Does not audit: the caller records its own view."""
    ratings = FactorRating.objects.order_by("dimension", "order", "factor_id")
    return (
        current_assessments(user, case)
        .select_related("assessed_by", "completed_by")
        .prefetch_related(Prefetch("ratings", queryset=ratings))
        .order_by("-assessed_on", "-completed_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class HistoryPoint:
    assessment_id: int
    assessed_on: date
    scores: dict  # {dimension: 0-100 or None}

    @property
    def score_list(self) -> list[int | None]:
        """The scores in framework order: engagement, intent, capability."""
        return [self.scores[dimension] for dimension in Dimension.values]


def dimension_history(user, case: Case) -> list[HistoryPoint]:
    """Each dimension's score at every current assessment, oldest first (for charts).
    Empty if the user may not see the case. One query; does not audit."""
    fields = ("pk", "assessed_on", *(f"{d}_score" for d in Dimension.values))
    return [
        HistoryPoint(row[0], row[1], dict(zip(Dimension.values, row[2:], strict=True)))
        for row in current_assessments(user, case).values_list(*fields)
    ]


def draft_of(user, case: Case) -> Assessment | None:
    return policy.visible(user, Assessment.objects.filter(case=case, status=Status.DRAFT)).first()


def ratings_of(assessment: Assessment) -> list[FactorRating]:
    """The assessment's ratings in framework order. A draft shows each factor's current
    wording; a completed assessment the wording it was completed with."""
    ratings = list(FactorRating.objects.filter(assessment=assessment).select_related("factor"))
    if assessment.is_draft:
        for rating in ratings:
            rating.dimension, rating.label, rating.order = (
                rating.factor.dimension,
                rating.factor.label,
                rating.factor.order,
            )
    return sorted(ratings, key=sort_key)


def previous_completed(assessment: Assessment) -> Assessment | None:
    """The assessment this one is compared with: the latest current completed assessment of
    the case before it (by date), other than the one it corrects."""
    if assessment.status == Status.COMPLETED:
        return assessment.previous
    qs = Assessment.objects.filter(
        case_id=assessment.case_id, status=Status.COMPLETED, superseded_by=None, assessed_on__lte=assessment.assessed_on
    ).exclude(pk=assessment.pk)
    if assessment.corrects_id:
        qs = qs.exclude(pk=assessment.corrects_id)
    return qs.order_by("-assessed_on", "-completed_at", "-id").first()


def changes_against_previous(assessment: Assessment, ratings: list[FactorRating] | None = None) -> list:
    """The automatic list of factor changes since the previous completed assessment (a
    completed assessment's frozen list; a draft's worked out from what is saved so far)."""
    from roundtable.assessments.scoring import FactorChange

    if assessment.status == Status.COMPLETED:
        return [FactorChange(**change) for change in assessment.factor_changes]
    previous = previous_completed(assessment)
    if previous is None:
        return []
    ratings = ratings if ratings is not None else ratings_of(assessment)
    return factor_changes(FactorRating.objects.filter(assessment=previous), ratings)


# --- Changing assessments --------------------------------------------------------------------
@dataclass
class RatingInput:
    """One factor's answer as entered: ``present`` None means not answered yet."""

    present: bool | None = None
    rating: str = ""
    evidence: str = ""


def _check_date(assessed_on: date | None) -> None:
    if assessed_on is None:
        raise ValidationError({"assessed_on": "Enter the date of the assessment"})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date of the assessment must be today or in the past"})


def _snapshot(rating: FactorRating, factor: Factor) -> None:
    rating.dimension, rating.label, rating.order = factor.dimension, factor.label, factor.order


def _add_missing_ratings(assessment: Assessment) -> None:
    """Make sure the draft asks about every active factor of the case's area (factors added by
    an administrator after the draft was started are asked too)."""
    have = set(FactorRating.objects.filter(assessment=assessment).values_list("factor_id", flat=True))
    missing = [f for f in factors_for(assessment.case.area) if f.pk not in have]
    rows = []
    for factor in missing:
        rating = FactorRating(assessment=assessment, factor=factor)
        _snapshot(rating, factor)
        rows.append(rating)
    FactorRating.objects.bulk_create(rows)


def _new_draft(actor, case: Case, assessed_on: date, corrects: Assessment | None = None) -> Assessment:
    if Assessment.objects.filter(case=case, status=Status.DRAFT).exists():
        raise ValidationError(
            {"__all__": "There is already a draft assessment of this case. Continue it, or discard it first."}
        )
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                case=case, assessed_on=assessed_on, assessed_by=actor, corrects=corrects
            )
    except IntegrityError:  # someone else started one a moment ago
        raise ValidationError(
            {"__all__": "Someone else has just started a draft assessment of this case. Continue theirs."}
        ) from None
    _add_missing_ratings(assessment)
    return assessment


@transaction.atomic
def do_start_assessment(actor, case: Case, *, assessed_on: date | None = None) -> Assessment:
    """Start a draft assessment of the person the case is about (one draft per case at a time)."""
    policy.permit(actor, "assessment.create", case)
    assessed_on = assessed_on or timezone.localdate()
    _check_date(assessed_on)
    assessment = _new_draft(actor, case, assessed_on)
    record(actor, "assessment.started", assessment, **_audit_ids(case), assessed_on=assessed_on.isoformat())
    return assessment


@transaction.atomic
def do_start_correction(actor, original: Assessment) -> Assessment:
    """A completed assessment is never changed. To put a mistake right, start a correction: a
    draft copied from it (every answer and text), which replaces it in the history once
    completed. The original stays readable, marked as corrected."""
    policy.permit(actor, "assessment.correct", original)
    case = original.case
    draft = _new_draft(actor, case, original.assessed_on, corrects=original)
    for name in TEXT_FIELDS:
        setattr(draft, name, getattr(original, name))
    draft.save(update_fields=[*TEXT_FIELDS, "updated_at"])
    answers = {r.factor_id: r for r in FactorRating.objects.filter(assessment=original)}
    copied = []
    for rating in FactorRating.objects.filter(assessment=draft):
        old = answers.pop(rating.factor_id, None)
        if old is not None:
            rating.present, rating.rating, rating.evidence = old.present, old.rating, old.evidence
            copied.append(rating)
    FactorRating.objects.bulk_update(copied, ["present", "rating", "evidence"])
    # Factors retired since: the original rated them, so the correction keeps them.
    FactorRating.objects.bulk_create(
        FactorRating(
            assessment=draft, factor_id=old.factor_id, dimension=old.dimension, label=old.label, order=old.order,
            present=old.present, rating=old.rating, evidence=old.evidence,
        )
        for old in answers.values()
    )  # fmt: skip
    record(actor, "assessment.correction_started", draft, **_audit_ids(case), corrects=original.pk)
    return draft


def _clean_rating(factor_label: str, factor_id: int, answer: RatingInput) -> RatingInput:
    if answer.present is not None and not isinstance(answer.present, bool):
        raise ValidationError({f"factor:{factor_id}:present": f"Say whether “{factor_label}” is present: yes or no"})
    rating = (answer.rating or "").strip().lower()
    if rating and rating not in Rating.values:
        raise ValidationError({f"factor:{factor_id}:rating": f"Rate “{factor_label}” as low, medium or high"})
    evidence = (answer.evidence or "").strip()
    if len(evidence) > MAX_TEXT:
        message = f"The evidence for “{factor_label}” must be {MAX_TEXT:,} characters or fewer"
        raise ValidationError({f"factor:{factor_id}:evidence": message})
    # A rating says how strongly a present factor shows; an absent factor has none.
    return RatingInput(answer.present, rating if answer.present else "", evidence)


def _rating_conflicts(current: dict[int, FactorRating], wanted: dict[int, RatingInput]) -> list[FieldConflict]:
    conflicts = []
    for factor_id, yours in wanted.items():
        theirs = current.get(factor_id)
        if theirs is None:
            continue
        if (theirs.present, theirs.rating, theirs.evidence) != (yours.present, yours.rating, yours.evidence):
            yours_shown = FactorRating(present=yours.present, rating=yours.rating)
            conflicts.append(
                FieldConflict(
                    f"factor:{factor_id}",
                    theirs.label,
                    f"{theirs.answer}\n{theirs.evidence}".strip(),
                    f"{yours_shown.answer}\n{yours.evidence}".strip(),
                )
            )
    return conflicts


@transaction.atomic
def do_save_draft(
    actor,
    assessment: Assessment,
    expected_version: int,
    *,
    fields: dict | None = None,
    ratings: dict[int, RatingInput] | None = None,
) -> Assessment:
    """Save whatever has been entered so far; nothing needs to be complete. ``fields`` may hold
    ``assessed_on`` and any of TEXT_FIELDS; ``ratings`` maps factor id to the answer (factors
    not given are left as they are). Raises EditConflict if someone saved first."""
    policy.permit(actor, "assessment.edit", assessment)
    fields = dict(fields or {})
    ratings = ratings or {}
    unknown = set(fields) - {"assessed_on", *TEXT_FIELDS}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This cannot be changed"))
    if "assessed_on" in fields:
        _check_date(fields["assessed_on"])
    for name in TEXT_FIELDS:
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if len(fields[name]) > MAX_TEXT:
                label = Assessment._meta.get_field(name).verbose_name
                raise ValidationError({name: f"The {label} must be {MAX_TEXT:,} characters or fewer"})
    _add_missing_ratings(assessment)
    current = {r.factor_id: r for r in FactorRating.objects.select_related("factor").filter(assessment=assessment)}
    unknown_factors = sorted(set(ratings) - set(current))
    if unknown_factors:
        raise ValidationError(
            {f"factor:{fid}:present": "This factor is not part of this assessment" for fid in unknown_factors}
        )
    wanted = {fid: _clean_rating(current[fid].factor.label, fid, answer) for fid, answer in ratings.items()}
    renamed = set()
    for rating in current.values():
        if (rating.dimension, rating.label, rating.order) != (
            rating.factor.dimension,
            rating.factor.label,
            rating.factor.order,
        ):
            _snapshot(rating, rating.factor)
            renamed.add(rating.pk)
    try:
        updated = save_if_unchanged(assessment, expected_version, fields)
    except EditConflict as conflict:
        conflict.conflicts += _rating_conflicts(current, wanted)
        raise
    changed = []
    for factor_id, answer in wanted.items():
        rating = current[factor_id]
        if (rating.present, rating.rating, rating.evidence) != (answer.present, answer.rating, answer.evidence):
            rating.present, rating.rating, rating.evidence = answer.present, answer.rating, answer.evidence
            changed.append(factor_id)
    to_write = [r for r in current.values() if r.factor_id in changed or r.pk in renamed]
    FactorRating.objects.bulk_update(to_write, ["present", "rating", "evidence", "dimension", "label", "order"])
    before = {name: getattr(assessment, name) for name in fields}
    record(
        actor,
        "assessment.saved",
        updated,
        **_audit_ids(assessment.case),
        fields=sorted(name for name in fields if before[name] != fields[name]),
        factors=sorted(changed),
    )
    updated.case = assessment.case
    return updated


def completion_problems(assessment: Assessment, ratings: list[FactorRating]) -> dict[str, str]:
    """Everything that stops a draft being completed, keyed by what it is about, in page order."""
    problems: dict[str, str] = {}
    if assessment.assessed_on > timezone.localdate():
        problems["assessed_on"] = "The date of the assessment must be today or in the past"
    for rating in ratings:
        where = f"{Dimension(rating.dimension).label}: “{rating.label}”"
        if rating.present is None:
            if rating.factor.is_retired:
                continue  # retired since the draft began and never answered: it is dropped
            problems[f"factor:{rating.factor_id}:present"] = f"{where} – say whether it is present"
        elif rating.present:
            if not rating.rating:
                problems[f"factor:{rating.factor_id}:rating"] = f"{where} – choose a rating: low, medium or high"
            if not rating.evidence:
                problems[f"factor:{rating.factor_id}:evidence"] = f"{where} – give the evidence that it is present"
    if previous_completed(assessment) is not None and not assessment.changes_since_last:
        problems["changes_since_last"] = "Say what has changed since the last assessment"
    if not assessment.conclusion:
        problems["conclusion"] = "Enter the overall conclusion"
    return problems


@transaction.atomic
def do_complete_assessment(actor, assessment: Assessment, expected_version: int) -> Assessment:
    """Check everything is answered, freeze the wording, work out the scores and the changes
    since the previous completed assessment, and make the assessment read-only. A completed
    correction replaces the assessment it corrects in the history."""
    policy.permit(actor, "assessment.edit", assessment)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != expected_version or not locked.is_draft:
        raise EditConflict(locked, [])
    _add_missing_ratings(locked)
    ratings = sorted(
        FactorRating.objects.select_related("factor").filter(assessment=locked),
        key=lambda r: (DIMENSION_ORDER[r.factor.dimension], r.factor.order, r.factor_id),
    )
    for rating in ratings:
        _snapshot(rating, rating.factor)
    problems = completion_problems(locked, ratings)
    if problems:
        raise ValidationError(problems)
    dropped = [r.pk for r in ratings if r.present is None]
    FactorRating.objects.filter(pk__in=dropped).delete()
    ratings = [r for r in ratings if r.present is not None]
    FactorRating.objects.bulk_update(ratings, ["dimension", "label", "order"])
    previous = previous_completed(locked)
    changes = factor_changes(FactorRating.objects.filter(assessment=previous), ratings) if previous else []
    scores = dimension_scores(ratings)
    now = timezone.now()
    changes_dicts = [change.as_dict() for change in changes]
    Assessment.objects.filter(pk=locked.pk).update(
        status=Status.COMPLETED,
        completed_by=actor,
        completed_at=now,
        previous=previous,
        factor_changes=changes_dicts,
        **{f"{dimension}_score": score for dimension, score in scores.items()},
        version=locked.version + 1,
        updated_at=now,
    )
    if locked.corrects_id:
        Assessment.objects.filter(pk=locked.corrects_id).update(superseded_by=locked, updated_at=now)
    completed = Assessment.objects.select_related("case").get(pk=locked.pk)
    record(
        actor,
        "assessment.completed",
        completed,
        **_audit_ids(completed.case),
        scores=scores,
        previous=previous.pk if previous else None,
        corrects=locked.corrects_id,
        changes=len(changes),
    )
    _tell_owners(actor, completed)
    return completed


def _tell_owners(actor, assessment: Assessment) -> None:
    case = assessment.case
    owners = CaseMembership.objects.filter(case=case, role=CaseMembership.Role.OWNER, user__is_active=True)
    for membership in owners.exclude(user_id=actor.pk).select_related("user"):
        notify(
            membership.user,
            f"A vulnerability assessment was completed on case {case.reference}",
            assessment_url(assessment),
            email=False,
        )


@transaction.atomic
def do_discard_draft(actor, assessment: Assessment, expected_version: int) -> None:
    """Throw away a draft (a mistaken start), after the person has confirmed it. The audit
    event says how much had been entered, not what: the audit log is not case content."""
    policy.permit(actor, "assessment.discard", assessment)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != expected_version or not locked.is_draft:
        raise EditConflict(locked, [])
    answered = FactorRating.objects.filter(assessment=locked).exclude(present=None, evidence="").count()
    record(
        actor,
        "assessment.discarded",
        locked,
        **_audit_ids(assessment.case),
        assessed_on=locked.assessed_on.isoformat(),
        factors_answered=answered,
        texts_written=sorted(name for name in TEXT_FIELDS if getattr(locked, name)),
    )
    locked.delete()
