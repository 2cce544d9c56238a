"""The Channel workflow, declared as data (the engine is roundtable/core/workflow.py).

    referred ─ screening (police) ─┬─ closed_nfa
                                   ├─ closed_safeguarding
                                   └─ with_local_authority ─ next step (chair, police) ─┬─ closed_nfa
                                                                                      ├─ closed_other_assessment
                                                                                      └─ awaiting_panel
    awaiting_panel ─ panel decision (chair) ─┬─ adopted ─ start support (consent!) ─ in_support
                                             ├─ signposted
                                             └─ exited
    adopted / in_support ─ review (stays: with the assessment completed since the last review,
                           or without one, confirmed and with the reason)
    in_support ─ recommend exit ─ exit_recommended
    exit_recommended ─ endorsements by the chair AND the police Prevent lead ─ exited
    exited ─ post-exit review (stays; tasks at the panel's post_exit_review_months, each marked
             done by the review that says it is that one)
    any open state ─ escalate (police), significant harm, social care referral, transfer

To add another panel type, write a module like this one: its states, its actors
(functions of the user and the subject), its guards (functions returning a problem or
None), its effects (functions that record what a transition decided) and its
transitions; give the subject model a ``workflow`` property returning it. The pages,
the API, the history and the chronology come with the engine.
"""

import importlib
import importlib.util
from datetime import date

from django.db.models import F, Q
from django.utils import timezone

from roundtable.channel import reviews
from roundtable.channel.models import (
    AgeGroup,
    NextStep,
    PanelDecision,
    Referral,
    ReferrerSector,
    Review,
    ScheduledReview,
    Screening,
    TransferOffer,
    Urgency,
)
from roundtable.core.workflow import (
    CHOICE,
    CONFIRM,
    DATE,
    TEXT,
    YES_NO,
    Actor,
    Context,
    Guard,
    RecordField,
    State,
    Step,
    Transition,
    Workflow,
)

# --- States ---------------------------------------------------------------------------------
REFERRED = "referred"
CLOSED_NFA = "closed_nfa"
CLOSED_SAFEGUARDING = "closed_safeguarding"
WITH_LOCAL_AUTHORITY = "with_local_authority"
CLOSED_OTHER_ASSESSMENT = "closed_other_assessment"
AWAITING_PANEL = "awaiting_panel"
SIGNPOSTED = "signposted"
ADOPTED = "adopted"
IN_SUPPORT = "in_support"
EXIT_RECOMMENDED = "exit_recommended"
EXITED = "exited"

STATES = [
    State(REFERRED, "Referred – waiting for screening"),
    State(CLOSED_NFA, "Closed – no further action", terminal=True),
    State(CLOSED_SAFEGUARDING, "Closed – passed to ordinary safeguarding", terminal=True),
    State(WITH_LOCAL_AUTHORITY, "With the local authority Prevent lead"),
    State(CLOSED_OTHER_ASSESSMENT, "Closed – safeguarding concern or other assessment", terminal=True),
    State(AWAITING_PANEL, "Waiting for a panel hearing"),
    State(SIGNPOSTED, "Not adopted – signposted to another service", terminal=True),
    State(ADOPTED, "Adopted as a Channel case"),
    State(IN_SUPPORT, "Receiving support"),
    State(EXIT_RECOMMENDED, "Exit recommended – waiting for endorsements"),
    State(EXITED, "Exited Channel", terminal=True),
]
OPEN_STATES = tuple(s.key for s in STATES if not s.terminal)


# --- Actors: who someone is to this case's panel ------------------------------------------------
def roles_of(user, channel_case) -> set[str]:
    """The actor kinds ``user`` holds on ``channel_case``: one query, remembered on the object."""
    cache = channel_case.__dict__.setdefault("_workflow_roles", {})
    if user.pk in cache:
        return cache[user.pk]
    from django.db.models import Exists, OuterRef

    from roundtable.channel.models import ChannelCase
    from roundtable.panels.models import Panel

    def named(through):
        return Exists(through.objects.filter(panel_id=OuterRef("panel_id"), user_id=user.pk))

    offered = TransferOffer.objects.filter(
        channel_case_id=OuterRef("pk"), outcome=TransferOffer.Outcome.PENDING, to_panel__chair_id=user.pk
    )
    flags = (
        ChannelCase.objects.filter(pk=channel_case.pk)
        .annotate(
            prevent_officer=named(Panel.prevent_team.through),
            administrator=named(Panel.administrators.through),
            receiving_chair=Exists(offered),
        )
        .values("prevent_officer", "administrator", "receiving_chair", "panel__chair_id", "panel__police_lead_id")
        .annotate(
            lead_id=F(
                "panel__adults_lead_id" if channel_case.age_group == AgeGroup.ADULT else "panel__children_lead_id"
            )
        )
        .first()
    ) or {}
    roles = set()
    if flags.get("panel__chair_id") == user.pk:
        roles.add("chair")
    if flags.get("panel__police_lead_id") == user.pk:
        roles.update({"police_lead", "police"})
    if flags.get("prevent_officer"):
        roles.add("police")
    if flags.get("administrator"):
        roles.add("panel_admin")
    if flags.get("lead_id") == user.pk:
        roles.add("la_lead")
    if flags.get("receiving_chair"):
        roles.add("receiving_chair")
    cache[user.pk] = roles
    return roles


def forget_roles(channel_case) -> None:
    channel_case.__dict__.pop("_workflow_roles", None)


def _holds(kind: str):
    return lambda user, subject: kind in roles_of(user, subject)


ACTORS = [
    Actor("police", "the police Prevent team", _holds("police")),
    Actor("police_lead", "the police Prevent lead", _holds("police_lead")),
    Actor("chair", "the Channel chair", _holds("chair")),
    Actor("panel_admin", "a panel administrator", _holds("panel_admin")),
    Actor("la_lead", "the local authority Prevent lead", _holds("la_lead")),
    Actor("receiving_chair", "the chair of the panel the case is offered to", _holds("receiving_chair")),
]


# --- Guards: each returns a plain-English problem, or None -----------------------------------
def _support_function(name: str):
    """A function of the consent and support plan app, or None while it is not installed."""
    if importlib.util.find_spec("roundtable.support") is None:
        return None
    try:
        module = importlib.import_module("roundtable.support.services")
    except ImportError:
        return None
    return getattr(module, name, None)


def consent_in_force(subject, actor) -> str | None:
    problem = _support_function("consent_problem")
    if problem is not None:
        return problem(subject.case)
    in_force = _support_function("consent_in_force")
    if in_force is not None:
        return None if in_force(subject.case) else "Support cannot start until the person's consent is recorded."
    return "Support cannot start until the person's consent is recorded, and consent cannot be recorded yet."


def screening_recorded(subject, actor) -> str | None:
    if not Screening.objects.filter(channel_case_id=subject.pk).exists():
        return "The police Prevent team has not recorded the screening yet."
    return None


def social_care_referral_if_significant_harm(subject, actor) -> str | None:
    if subject.significant_harm_recorded and not subject.social_care_referral_recorded:
        return (
            "A risk of significant harm is recorded, so a referral to children's or adult social care "
            "must be recorded before the person can exit Channel."
        )
    return None


def local_authority_lead_named(subject, actor) -> str | None:
    panel = subject.panel
    adult = subject.age_group == AgeGroup.ADULT
    if (panel.adults_lead_id if adult else panel.children_lead_id) is None:
        who = "adults" if adult else "children and families"
        return (
            f"The panel has no local authority Prevent lead for {who}: the chair must name one in the panel's settings."
        )
    return None


def exit_endorsed_by_both(subject, actor) -> str | None:
    missing = []
    if subject.exit_chair_endorsed_by_id is None:
        missing.append("the chair")
    if subject.exit_police_endorsed_by_id is None:
        missing.append("the police Prevent lead")
    if missing:
        return f"Exit still needs the endorsement of {' and '.join(missing)}."
    return None


def chair_has_not_endorsed(subject, actor) -> str | None:
    if subject.exit_chair_endorsed_by_id is not None:
        return "The chair has already endorsed this exit."
    if subject.exit_police_endorsed_by_id == getattr(actor, "pk", None):
        return "You endorsed this exit as the police Prevent lead: the chair's endorsement must come from someone else."
    return None


def police_lead_has_not_endorsed(subject, actor) -> str | None:
    if subject.exit_police_endorsed_by_id is not None:
        return "The police Prevent lead has already endorsed this exit."
    if subject.exit_chair_endorsed_by_id == getattr(actor, "pk", None):
        return "You endorsed this exit as the chair: the police endorsement must come from someone else."
    return None


def assessed_since_last_review(subject, actor) -> str | None:
    if reviews.assessment_since_last_review(subject) is None:
        return f"{reviews.no_assessment_problem(subject)} Every review re-assesses the person."
    return None


def not_assessed_since_last_review(subject, actor) -> str | None:
    if reviews.assessment_since_last_review(subject) is not None:
        return "A vulnerability assessment has been completed since the last review: record the review with it."
    return None


def transfer_pending(subject, actor) -> str | None:
    if not subject.transfers.filter(outcome=TransferOffer.Outcome.PENDING).exists():
        return "The case has not been offered to another panel."
    return None


def no_transfer_pending(subject, actor) -> str | None:
    if subject.transfers.filter(outcome=TransferOffer.Outcome.PENDING).exists():
        return "The case is already offered to another panel: wait for its chair's answer."
    return None


def other_channel_panel_exists(subject, actor) -> str | None:
    if not _transfer_panels(subject):
        return "There is no other active Channel panel to offer the case to."
    return None


GUARDS = [
    Guard("consent_in_force", consent_in_force),
    Guard("screening_recorded", screening_recorded),
    Guard("social_care_referral_recorded_if_significant_harm", social_care_referral_if_significant_harm),
    Guard("local_authority_lead_named", local_authority_lead_named),
    Guard("exit_endorsed_by_both", exit_endorsed_by_both),
    Guard("chair_has_not_endorsed", chair_has_not_endorsed),
    Guard("police_lead_has_not_endorsed", police_lead_has_not_endorsed),
    Guard("assessed_since_last_review", assessed_since_last_review),
    Guard("not_assessed_since_last_review", not_assessed_since_last_review),
    Guard("transfer_pending", transfer_pending),
    Guard("no_transfer_pending", no_transfer_pending),
    Guard("other_channel_panel_exists", other_channel_panel_exists),
]


# --- Effects: what a transition records beyond its history row ---------------------------------
def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def record_screening(ctx: Context) -> None:
    route = {
        "screen_no_further_action": Screening.Route.NO_FURTHER_ACTION,
        "screen_safeguarding": Screening.Route.SAFEGUARDING,
        "screen_pass_to_local_authority": Screening.Route.LOCAL_AUTHORITY,
    }[ctx.transition.name]
    Screening.objects.create(
        channel_case=ctx.subject,
        deconfliction_checked=ctx.data["deconfliction_checked"],
        deconfliction_date=_iso(ctx.data["deconfliction_date"]),
        result=ctx.data["deconfliction_result"],
        initial_risk=ctx.data["initial_risk"],
        route=route,
        recorded_by=ctx.actor,
    )


def _add_members(case, users, role, added_by) -> None:
    from roundtable.access.rules.cases import forget_memberships
    from roundtable.cases.models import CaseMembership

    users = [u for u in users if u is not None and u.is_active]
    have = set(CaseMembership.objects.filter(case=case).values_list("user_id", flat=True))
    CaseMembership.objects.bulk_create(
        [CaseMembership(case=case, user=u, role=role, added_by=added_by) for u in users if u.pk not in have]
    )
    forget_memberships(added_by, *users)


def _tell(users, ctx: Context, message: str) -> None:
    """A notice and an e-mail with a link to the case's Channel page: the reference, never a name."""
    from django.urls import reverse

    from roundtable.notifications.services import notify

    url = reverse("channel:case", args=[ctx.subject.case_id])
    seen = set()
    for user in users:
        if user is None or not user.is_active or user.pk == ctx.actor.pk or user.pk in seen:
            continue
        seen.add(user.pk)
        notify(user, f"{message} Case {ctx.subject.case.reference}.", url)


def bring_in_local_authority(ctx: Context) -> None:
    """The chair and the local authority lead (adults or children by age) join the case."""
    from roundtable.cases.models import CaseMembership

    panel = ctx.subject.panel
    lead = panel.adults_lead if ctx.subject.age_group == AgeGroup.ADULT else panel.children_lead
    _add_members(ctx.subject.case, [panel.chair, lead], CaseMembership.Role.CONTRIBUTOR, ctx.actor)
    _tell([lead, panel.chair], ctx, "A Prevent referral has been passed to the local authority after screening.")


def bring_in_panel_administrators(ctx: Context) -> None:
    from roundtable.cases.models import CaseMembership

    admins = list(ctx.subject.panel.administrators.all())
    _add_members(ctx.subject.case, admins, CaseMembership.Role.CONTRIBUTOR, ctx.actor)
    _tell(admins, ctx, "A Channel panel hearing needs arranging.")


def ask_for_endorsements(ctx: Context) -> None:
    panel = ctx.subject.panel
    _tell(
        [panel.chair, panel.police_lead],
        ctx,
        "The panel has recommended an exit from Channel: it needs your endorsement.",
    )


def record_next_step(ctx: Context) -> None:
    step = {
        "next_step_panel_hearing": NextStep.Step.PANEL_HEARING,
        "next_step_no_further_action": NextStep.Step.NO_FURTHER_ACTION,
        "next_step_other_assessment": NextStep.Step.OTHER_ASSESSMENT,
    }[ctx.transition.name]
    NextStep.objects.create(channel_case=ctx.subject, step=step, reasons=ctx.data["reasons"], recorded_by=ctx.actor)


def record_decision(ctx: Context) -> None:
    decision = {
        "decide_adopt": PanelDecision.Decision.ADOPT,
        "decide_signpost": PanelDecision.Decision.SIGNPOST,
        "decide_exit": PanelDecision.Decision.EXIT,
    }[ctx.transition.name]
    PanelDecision.objects.create(
        channel_case=ctx.subject,
        decision=decision,
        reasons=ctx.data["reasons"],
        signpost_service=ctx.data.get("service") or "",
        signpost_referral_made=ctx.data.get("referral_made"),
        confirmed_by=ctx.actor,
    )


def record_review(ctx: Context) -> None:
    """A panel review with the assessment it re-assessed with (or the reason there is none);
    a post-exit review with the scheduled review it is, whose task it marks done."""
    post_exit = ctx.transition.name == "post_exit_review"
    assessment = None if post_exit else reviews.assessment_since_last_review(ctx.subject)
    review = Review.objects.create(
        channel_case=ctx.subject,
        kind=Review.Kind.POST_EXIT if post_exit else Review.Kind.PANEL,
        summary=ctx.data["summary"],
        concerns_remain=ctx.data.get("concerns_remain"),
        assessment=assessment,
        no_assessment_reason=ctx.data.get("no_assessment_reason") or "",
        recorded_by=ctx.actor,
    )
    reviews.forget(ctx.subject)
    if assessment is not None:
        ctx.data.update(reviews.assessment_notes(assessment))
    if post_exit:
        ctx.data["scheduled"] = reviews.complete_scheduled_review(ctx.actor, ctx.subject, review, ctx.data["scheduled"])


def clear_endorsements(ctx: Context) -> None:
    subject = ctx.subject
    subject.exit_chair_endorsed_by = subject.exit_police_endorsed_by = None
    subject.exit_chair_endorsed_at = subject.exit_police_endorsed_at = None


def endorse_as_chair(ctx: Context) -> None:
    ctx.subject.exit_chair_endorsed_by = ctx.actor
    ctx.subject.exit_chair_endorsed_at = timezone.now()


def endorse_as_police_lead(ctx: Context) -> None:
    ctx.subject.exit_police_endorsed_by = ctx.actor
    ctx.subject.exit_police_endorsed_at = timezone.now()


def schedule_post_exit_reviews(ctx: Context) -> None:
    """On exit: a review task at each of the panel's intervals (e.g. 6 and 12 months), for the chair."""
    from dateutil.relativedelta import relativedelta

    from roundtable.cases.models import CaseMembership
    from roundtable.tasks.services import do_create_task

    subject = ctx.subject
    subject.exited_at = timezone.now()
    panel = subject.panel
    case = subject.case
    _add_members(case, [panel.chair], CaseMembership.Role.CONTRIBUTOR, ctx.actor)
    today = timezone.localdate()
    for months in panel.review_months:
        task = do_create_task(
            ctx.actor,
            case,
            title=f"Post-exit review: {months} months after exit",
            description="Review how the person is doing since they exited Channel, and record it on the case's "
            "Channel page (Post-exit reviews): that marks this task done.",
            assignee=panel.chair,
            due_date=today + relativedelta(months=months),
        )
        ScheduledReview.objects.create(channel_case=subject, months=months, task=task)


def set_escalated(ctx: Context) -> None:
    ctx.subject.escalated = True
    ctx.subject.escalation_reason = ctx.data["reason"]
    ctx.subject.escalated_at = timezone.now()
    from roundtable.cases.models import CaseMembership

    panel = ctx.subject.panel
    on_case = set(CaseMembership.objects.filter(case_id=ctx.subject.case_id).values_list("user_id", flat=True))
    told = [u for u in (panel.chair, panel.police_lead) if u is not None and u.pk in on_case]
    _tell(told, ctx, "The police have escalated a Channel case outside Channel.")


def set_significant_harm(ctx: Context) -> None:
    ctx.subject.significant_harm_recorded = True
    ctx.subject.significant_harm_recorded_at = timezone.now()
    ctx.subject.significant_harm_details = ctx.data["details"]


def set_social_care_referral(ctx: Context) -> None:
    ctx.subject.social_care_referral_recorded = True
    ctx.subject.social_care_referral_date = _iso(ctx.data["referral_date"])
    ctx.subject.social_care_referral_reason = ctx.data["reason"]


def _transfer_panels(subject) -> tuple[tuple[str, str], ...]:
    from roundtable.panels.models import Panel

    panels = (
        Panel.objects.filter(kind=Panel.Kind.CHANNEL, is_active=True, police_lead__isnull=False)
        .exclude(Q(pk=subject.panel_id) | Q(area_id=subject.panel.area_id))
        .select_related("area")
        .order_by("area__name", "name")
    )
    return tuple((str(p.pk), f"{p.name} ({p.area.name})") for p in panels)


def offer_transfer(ctx: Context) -> None:
    from roundtable.cases.models import CaseMembership
    from roundtable.panels.models import Panel

    to_panel = Panel.objects.get(pk=int(ctx.data["to_panel"]))
    TransferOffer.objects.create(
        channel_case=ctx.subject,
        from_panel=ctx.subject.panel,
        to_panel=to_panel,
        reason=ctx.data["reason"],
        offered_by=ctx.actor,
    )
    # The receiving chair needs to see the case to decide: a viewer, until they answer.
    _add_members(ctx.subject.case, [to_panel.chair], CaseMembership.Role.VIEWER, ctx.actor)
    _tell([to_panel.chair], ctx, "A Channel case has been offered to your panel: accept or decline it.")
    ctx.data["to_panel"] = f"{to_panel.name} ({to_panel.area.name})"


def _decide_transfer(ctx: Context, outcome: str) -> TransferOffer:
    offer = ctx.subject.transfers.select_for_update().get(outcome=TransferOffer.Outcome.PENDING)
    offer.outcome = outcome
    offer.decided_by = ctx.actor
    offer.decided_at = timezone.now()
    offer.decision_reason = ctx.data.get("reason") or ""
    offer.save()
    return offer


def accept_transfer(ctx: Context) -> None:
    """Ownership and access move to the receiving panel; the history goes with the case."""
    from roundtable.access.rules.cases import forget_memberships
    from roundtable.accounts.models import User
    from roundtable.cases.models import CaseMembership

    offer = _decide_transfer(ctx, TransferOffer.Outcome.ACCEPTED)
    subject, case, new = ctx.subject, ctx.subject.case, offer.to_panel
    old_people = set(CaseMembership.objects.filter(case=case).values_list("user_id", flat=True))
    CaseMembership.objects.filter(case=case).delete()
    subject.panel = new
    forget_roles(subject)
    case.owner = new.police_lead
    case.lead_organisation = new.police_lead.organisation
    case.area = new.area
    case.save(update_fields=["owner", "lead_organisation", "area", "updated_at"])
    CaseMembership.objects.create(case=case, user=new.police_lead, role=CaseMembership.Role.OWNER, added_by=ctx.actor)
    team = [new.chair, *new.prevent_team.all()]
    if subject.state not in (REFERRED,):
        team.append(new.adults_lead if subject.age_group == AgeGroup.ADULT else new.children_lead)
    if subject.state in (AWAITING_PANEL, ADOPTED, IN_SUPPORT, EXIT_RECOMMENDED):
        team += list(new.administrators.all())
    _add_members(case, team, CaseMembership.Role.CONTRIBUTOR, ctx.actor)
    forget_memberships(*User.objects.filter(pk__in=old_people))


def decline_transfer(ctx: Context) -> None:
    from roundtable.access.rules.cases import forget_memberships
    from roundtable.cases.models import CaseMembership

    offer = _decide_transfer(ctx, TransferOffer.Outcome.DECLINED)
    # The receiving chair only ever saw the case to decide; unless they are on it otherwise.
    if offer.to_panel.chair_id not in _home_people(ctx.subject):
        CaseMembership.objects.filter(case=ctx.subject.case, user_id=offer.to_panel.chair_id).delete()
        forget_memberships(ctx.actor)


def _home_people(subject) -> set[int]:
    panel = subject.panel
    ids = {panel.chair_id, panel.police_lead_id, panel.adults_lead_id, panel.children_lead_id}
    ids |= set(panel.prevent_team.values_list("pk", flat=True))
    ids |= set(panel.administrators.values_list("pk", flat=True))
    return ids


EFFECTS = {
    "record_screening": record_screening,
    "bring_in_local_authority": bring_in_local_authority,
    "bring_in_panel_administrators": bring_in_panel_administrators,
    "record_next_step": record_next_step,
    "record_decision": record_decision,
    "record_review": record_review,
    "clear_endorsements": clear_endorsements,
    "ask_for_endorsements": ask_for_endorsements,
    "endorse_as_chair": endorse_as_chair,
    "endorse_as_police_lead": endorse_as_police_lead,
    "schedule_post_exit_reviews": schedule_post_exit_reviews,
    "set_escalated": set_escalated,
    "set_significant_harm": set_significant_harm,
    "set_social_care_referral": set_social_care_referral,
    "offer_transfer": offer_transfer,
    "accept_transfer": accept_transfer,
    "decline_transfer": decline_transfer,
}

# --- What each step records -----------------------------------------------------------------
DECONFLICTION_CHECKED = RecordField(
    "deconfliction_checked",
    "Deconfliction has been checked",
    kind=CONFIRM,
    required_message="Confirm that deconfliction has been checked",
)
DECONFLICTION_DATE = RecordField(
    "deconfliction_date",
    "Date deconfliction was checked",
    kind=DATE,
    required_message="Enter the date deconfliction was checked",
)
RESULTS = tuple(Screening.Result.choices)


def _result_field(choices=RESULTS, invalid=""):
    return RecordField(
        "deconfliction_result",
        "Deconfliction result",
        kind=CHOICE,
        choices=choices,
        hint="Record the result only: no reason is recorded.",
        required_message="Select the deconfliction result",
        invalid_message=invalid,
    )


INITIAL_RISK = RecordField(
    "initial_risk",
    "Initial view of risk",
    hint="The risk the person faces and the risk they may pose, as far as you can tell now.",
    required_message="Enter your initial view of risk",
)
SCREENING = (DECONFLICTION_CHECKED, DECONFLICTION_DATE, _result_field(), INITIAL_RISK)
SCREENING_TO_LA = (
    DECONFLICTION_CHECKED,
    DECONFLICTION_DATE,
    _result_field(
        choices=((Screening.Result.CLEAR, "Clear"),),
        invalid="A referral can only pass to the local authority Prevent lead when deconfliction is clear",
    ),
    INITIAL_RISK,
)
REASONS = RecordField("reasons", "Reasons", required_message="Enter the reasons for this decision")
AGREED = RecordField(
    "agreed",
    "The chair and the police agreed this next step",
    kind=CONFIRM,
    required_message="Confirm that the Channel chair and the police agreed this next step",
)
NEXT_STEP = (REASONS, AGREED)
REVIEW_SUMMARY = RecordField("summary", "Summary of the review", required_message="Enter a summary of the review")
CONCERNS_REMAIN = RecordField(
    "concerns_remain",
    "Do concerns remain?",
    kind=YES_NO,
    required_message="Select yes if concerns remain",
)
REVIEW_ACTORS = ("chair", "panel_admin")
# What a panel review records about the assessment it was recorded with (found by the effect).
ASSESSMENT_NOTES = (
    ("assessment", "Vulnerability assessment"),
    ("assessment_scores", "Scores"),
    ("assessment_changes", "What changed since the previous assessment"),
)
REASON = RecordField("reason", "Reason", required_message="Enter the reason")
COMMENT = RecordField("comment", "Comment (optional)", required=False)

SCREENERS = ("police",)
NEXT_STEP_ACTORS = ("chair", "police")
EXIT_GUARD = "social_care_referral_recorded_if_significant_harm"
TRANSFERABLE = (WITH_LOCAL_AUTHORITY, AWAITING_PANEL, ADOPTED, IN_SUPPORT)

TRANSITIONS = [
    # Screening and deconfliction (police).
    Transition(
        "screen_no_further_action",
        "No further action",
        sources=(REFERRED,),
        target=CLOSED_NFA,
        actors=SCREENERS,
        records=SCREENING,
        effects=("record_screening",),
        step="screening",
        summary="Screening: no further action",
    ),
    Transition(
        "screen_safeguarding",
        "Ordinary safeguarding referral",
        sources=(REFERRED,),
        target=CLOSED_SAFEGUARDING,
        actors=SCREENERS,
        records=SCREENING,
        effects=("record_screening",),
        step="screening",
        summary="Screening: passed to ordinary safeguarding",
    ),
    Transition(
        "screen_pass_to_local_authority",
        "Pass to the local authority Prevent lead",
        sources=(REFERRED,),
        target=WITH_LOCAL_AUTHORITY,
        actors=SCREENERS,
        requires=("local_authority_lead_named",),
        records=SCREENING_TO_LA,
        effects=("record_screening", "bring_in_local_authority"),
        step="screening",
        summary="Screening: passed to the local authority Prevent lead",
        hint="The adults lead for people 18 or over at referral, the children and families lead otherwise.",
    ),
    # Next steps (the chair and the police agree).
    Transition(
        "next_step_panel_hearing",
        "Arrange a panel hearing",
        sources=(WITH_LOCAL_AUTHORITY,),
        target=AWAITING_PANEL,
        actors=NEXT_STEP_ACTORS,
        requires=("screening_recorded",),
        records=NEXT_STEP,
        effects=("record_next_step", "bring_in_panel_administrators"),
        step="next_step",
        summary="Next step: arrange a panel hearing",
    ),
    Transition(
        "next_step_no_further_action",
        "No further action",
        sources=(WITH_LOCAL_AUTHORITY,),
        target=CLOSED_NFA,
        actors=NEXT_STEP_ACTORS,
        requires=("screening_recorded",),
        records=NEXT_STEP,
        effects=("record_next_step",),
        step="next_step",
        summary="Next step: no further action",
    ),
    Transition(
        "next_step_other_assessment",
        "Safeguarding concern or other assessment",
        sources=(WITH_LOCAL_AUTHORITY,),
        target=CLOSED_OTHER_ASSESSMENT,
        actors=NEXT_STEP_ACTORS,
        requires=("screening_recorded",),
        records=NEXT_STEP,
        effects=("record_next_step",),
        step="next_step",
        summary="Next step: safeguarding concern or other assessment",
    ),
    # Panel decision (the chair confirms).
    Transition(
        "decide_adopt",
        "Adopt as a Channel case",
        sources=(AWAITING_PANEL,),
        target=ADOPTED,
        actors=("chair",),
        records=(REASONS,),
        effects=("record_decision",),
        step="panel_decision",
        summary="Panel decision: adopted as a Channel case",
    ),
    Transition(
        "decide_signpost",
        "Not adopted – signpost to another service",
        sources=(AWAITING_PANEL,),
        target=SIGNPOSTED,
        actors=("chair",),
        records=(
            RecordField(
                "service",
                "Service signposted to",
                kind=TEXT,
                max_length=200,
                required_message="Enter the service the person is signposted to",
            ),
            RecordField(
                "referral_made",
                "Has a referral to that service been made?",
                kind=YES_NO,
                required_message="Select yes if a referral to that service has been made",
            ),
            REASONS,
        ),
        effects=("record_decision",),
        step="panel_decision",
        summary="Panel decision: not adopted, signposted",
    ),
    Transition(
        "decide_exit",
        "Exit",
        sources=(AWAITING_PANEL,),
        target=EXITED,
        actors=("chair",),
        requires=(EXIT_GUARD,),
        records=(REASONS,),
        effects=("record_decision",),
        step="panel_decision",
        summary="Panel decision: exit",
    ),
    # Support (needs consent).
    Transition(
        "start_support",
        "Start support",
        sources=(ADOPTED,),
        target=IN_SUPPORT,
        actors=("chair", "panel_admin", "la_lead"),
        requires=("consent_in_force",),
        records=(
            RecordField(
                "start_date", "Date support started", kind=DATE, required_message="Enter the date support started"
            ),
            COMMENT,
        ),
        step="support",
        summary="Support started",
    ),
    # Reviews at every panel, each re-assessing the person: with the assessment completed
    # since the last review or, when there is none, only with a confirmation and the reason.
    Transition(
        "review",
        "Record a panel review",
        sources=(ADOPTED, IN_SUPPORT),
        target=None,
        actors=REVIEW_ACTORS,
        requires=("assessed_since_last_review",),
        records=(REVIEW_SUMMARY, CONCERNS_REMAIN),
        effects=("record_review",),
        step="review",
        summary="Panel review recorded",
        notes=ASSESSMENT_NOTES,
    ),
    Transition(
        "review_without_assessment",
        "Record a panel review without a new assessment",
        sources=(ADOPTED, IN_SUPPORT),
        target=None,
        actors=REVIEW_ACTORS,
        requires=("not_assessed_since_last_review",),
        records=(
            RecordField(
                "no_assessment_confirmed",
                "The panel is reviewing the case without re-assessing the person",
                kind=CONFIRM,
                required_message="Confirm that the panel is reviewing the case without a new vulnerability assessment",
            ),
            RecordField(
                "no_assessment_reason",
                "Why the person was not re-assessed",
                required_message="Enter why the person was not re-assessed at this review",
            ),
            REVIEW_SUMMARY,
            CONCERNS_REMAIN,
        ),
        effects=("record_review",),
        step="review",
        summary="Panel review recorded without a new assessment",
    ),
    # Exit: the panel recommends; the chair and the police Prevent lead both endorse.
    Transition(
        "recommend_exit",
        "Recommend exit",
        sources=(IN_SUPPORT,),
        target=EXIT_RECOMMENDED,
        actors=("chair", "panel_admin"),
        requires=(EXIT_GUARD,),
        records=(REASONS,),
        effects=("clear_endorsements", "ask_for_endorsements"),
        step="exit",
        summary="Exit recommended by the panel",
    ),
    Transition(
        "endorse_exit_as_chair",
        "Endorse the exit as chair",
        sources=(EXIT_RECOMMENDED,),
        target=EXITED,
        target_when="exit_endorsed_by_both",
        actors=("chair",),
        requires=("chair_has_not_endorsed", EXIT_GUARD),
        records=(COMMENT,),
        effects=("endorse_as_chair",),
        step="exit",
        summary="Exit endorsed by the chair",
    ),
    Transition(
        "endorse_exit_as_police_lead",
        "Endorse the exit as police Prevent lead",
        sources=(EXIT_RECOMMENDED,),
        target=EXITED,
        target_when="exit_endorsed_by_both",
        actors=("police_lead",),
        requires=("police_lead_has_not_endorsed", EXIT_GUARD),
        records=(COMMENT,),
        effects=("endorse_as_police_lead",),
        step="exit",
        summary="Exit endorsed by the police Prevent lead",
    ),
    Transition(
        "reject_exit",
        "Do not endorse: continue support",
        sources=(EXIT_RECOMMENDED,),
        target=IN_SUPPORT,
        actors=("chair", "police_lead"),
        records=(REASONS,),
        effects=("clear_endorsements",),
        step="exit",
        summary="Exit not endorsed: support continues",
    ),
    # After exit.
    Transition(
        "post_exit_review",
        "Record a post-exit review",
        sources=(EXITED,),
        target=None,
        actors=("chair", "panel_admin", "police"),
        records=(
            RecordField(
                "scheduled",
                "Which review is this?",
                kind=CHOICE,
                choices_from=reviews.scheduled_review_choices,
                hint="Recording one of the reviews set at exit marks its task done.",
                required_message="Select which review this is",
            ),
            REVIEW_SUMMARY,
            RecordField(
                "concerns_remain",
                "Have concerns returned?",
                kind=YES_NO,
                required_message="Select yes if concerns have returned",
            ),
        ),
        effects=("record_review",),
        step="post_exit",
        summary="Post-exit review recorded",
    ),
    # Flags, from any open state.
    Transition(
        "escalate",
        "Escalate outside Channel",
        sources=OPEN_STATES,
        target=None,
        actors=("police",),
        records=(REASON,),
        effects=("set_escalated",),
        summary="Escalated outside Channel by the police",
    ),
    Transition(
        "record_significant_harm",
        "Record a risk of significant harm",
        sources=OPEN_STATES,
        target=None,
        actors=("chair", "police", "la_lead"),
        records=(RecordField("details", "What the risk is", required_message="Enter what the risk is"),),
        effects=("set_significant_harm",),
        summary="Risk of significant harm recorded",
    ),
    Transition(
        "record_social_care_referral",
        "Record a referral to social care",
        sources=OPEN_STATES,
        target=None,
        actors=("chair", "police", "la_lead", "panel_admin"),
        records=(
            RecordField(
                "referral_date", "Date of the referral", kind=DATE, required_message="Enter the date of the referral"
            ),
            RecordField("reason", "Reason for the referral", required_message="Enter the reason for the referral"),
        ),
        effects=("set_social_care_referral",),
        summary="Referral to social care recorded",
    ),
    # Transfer to another area's panel.
    Transition(
        "offer_transfer",
        "Offer the case to another area's panel",
        sources=TRANSFERABLE,
        target=None,
        actors=("chair",),
        requires=("no_transfer_pending", "other_channel_panel_exists"),
        records=(
            RecordField(
                "to_panel",
                "Panel to offer the case to",
                kind=CHOICE,
                choices_from=_transfer_panels,
                required_message="Select the panel to offer the case to",
            ),
            RecordField("reason", "Why the case should move", required_message="Enter why the case should move"),
        ),
        effects=("offer_transfer",),
        summary="Case offered to another area's panel",
    ),
    Transition(
        "accept_transfer",
        "Accept the case",
        sources=TRANSFERABLE,
        target=None,
        actors=("receiving_chair",),
        requires=("transfer_pending",),
        records=(COMMENT,),
        effects=("accept_transfer",),
        summary="Transfer accepted: the case moved to another area's panel",
    ),
    Transition(
        "decline_transfer",
        "Decline the case",
        sources=TRANSFERABLE,
        target=None,
        actors=("receiving_chair",),
        requires=("transfer_pending",),
        records=(RecordField("reason", "Why you are declining", required_message="Enter why you are declining"),),
        effects=("decline_transfer",),
        summary="Transfer declined",
    ),
]

STEPS = [
    Step("screening", "Screening and deconfliction", "The police Prevent team checks and routes the referral."),
    Step("next_step", "Next steps", "The Channel chair and the police agree what happens next."),
    Step("panel_decision", "Panel decision", "The panel decides; the chair confirms."),
    Step("support", "Consent and support", "Support starts once consent is recorded."),
    Step("review", "Reviews", "Every open case is reviewed at every panel."),
    Step("exit", "Exit", "The panel recommends; the chair and the police Prevent lead endorse."),
    Step("post_exit", "Post-exit reviews", "Reviews after exit, at the panel's intervals."),
]

CHANNEL = Workflow(
    name="channel",
    label="Channel",
    states=STATES,
    initial=REFERRED,
    transitions=TRANSITIONS,
    actors=ACTORS,
    guards=GUARDS,
    effects=EFFECTS,
    steps=STEPS,
    on_enter={EXITED: ("schedule_post_exit_reviews",)},
    value_labels={
        "source": dict(Referral.Source.choices),
        "urgency": dict(Urgency.choices),
        "referrer_sector": dict(ReferrerSector.choices),
    },
)
