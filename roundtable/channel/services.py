"""What people can do in the Channel process.

A referral (from the public page, the in-app form or the API) creates the person's
profile, a Channel case owned by the panel's police Prevent lead with the Prevent team
as members, and lands in the team's queue. Every later step is a workflow transition
(see workflow.py and roundtable/core/workflow.py), made here through ``do_transition``
so pages and the API share one path."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from roundtable.access import policy
from roundtable.access.rules.cases import forget_memberships
from roundtable.audit.services import record
from roundtable.cases.models import Case, CaseMembership
from roundtable.cases.services import next_reference
from roundtable.channel.models import (
    ADULT_AGE,
    INDICATORS,
    AgeGroup,
    ChannelCase,
    Knows,
    Referral,
    ReferralConsent,
    ReferrerSector,
    Urgency,
)
from roundtable.channel.workflow import CHANNEL, REFERRED
from roundtable.core import workflow as engine
from roundtable.notifications.services import notify
from roundtable.panels.models import Panel, WorkflowEvent
from roundtable.people.matching import Criteria, is_postcode, normalise_postcode
from roundtable.people.models import Address, Person, Sex
from roundtable.people.services import refresh_search_keys

MAX_AGE = 120
TEXT_LIMITS = {
    "given_name": 100,
    "family_name": 100,
    "other_names": 200,
    "address": 500,
    "school_or_employer": 200,
    "concern": 10000,
    "indicators_other": 2000,
    "referrer_name": 150,
    "referrer_organisation": 200,
    "referrer_role": 150,
    "referrer_phone": 50,
}
FIELD_LABELS = {
    "given_name": "The person's first name",
    "family_name": "The person's last name",
    "other_names": "Other names they are known by",
    "address": "Their address",
    "school_or_employer": "Their school, college or employer",
    "concern": "Your concern",
    "indicators_other": "Anything else you have noticed",
    "referrer_name": "Your name",
    "referrer_organisation": "Your organisation",
    "referrer_role": "Your role",
    "referrer_phone": "Your phone number",
}
REFERRAL_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "approximate_age",
    "sex",
    "address",
    "postcode",
    "school_or_employer",
    "concern",
    "indicators",
    "indicators_other",
    "urgency",
    "referrer_name",
    "referrer_organisation",
    "referrer_role",
    "referrer_email",
    "referrer_phone",
    "referrer_sector",
    "person_aware",
    "family_aware",
    "consent",
)


# --- Panels that take referrals ------------------------------------------------------------
def referral_panels() -> QuerySet:
    """Active Channel panels with a police Prevent lead: where a referral can go."""
    return (
        Panel.objects.filter(kind=Panel.Kind.CHANNEL, is_active=True, police_lead__isnull=False)
        .select_related("area")
        .order_by("area__name", "name")
    )


# --- Referral -----------------------------------------------------------------------------------
def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def clean_referral(details: dict, *, public: bool) -> dict:
    """The referral's fields checked and normalised; ValidationError names every problem.

    Fields not on the form are an error too: nothing anyone sends is silently dropped."""
    errors: dict[str, str] = {}
    unknown = sorted(set(details) - set(REFERRAL_FIELDS))
    if unknown:
        errors["__all__"] = f"These are not part of a referral: {', '.join(unknown)}."
    data: dict = {}
    for name, limit in TEXT_LIMITS.items():
        value = details.get(name)
        value = "" if value is None else value
        if not isinstance(value, str):
            errors[name] = f"{FIELD_LABELS[name]} must be text"
            continue
        value = value.strip()
        if len(value) > limit:
            errors[name] = f"{FIELD_LABELS[name]} must be {limit} characters or fewer"
        data[name] = value
    if not data.get("given_name") and "given_name" not in errors:
        errors["given_name"] = "Enter the person's first name"
    if not data.get("family_name") and "family_name" not in errors:
        errors["family_name"] = "Enter the person's last name"
    if not data.get("concern") and "concern" not in errors:
        errors["concern"] = "Describe your concern"
    if not data.get("referrer_name") and "referrer_name" not in errors:
        errors["referrer_name"] = "Enter your name"

    # Age: a date of birth, or an approximate age when it is not known (18 is the line).
    born = details.get("date_of_birth")
    if isinstance(born, str) and born.strip():
        try:
            born = date.fromisoformat(born.strip())
        except ValueError:
            errors["date_of_birth"] = "Date of birth must be a real date"
            born = None
    elif not isinstance(born, date):
        born = None
    approximate = details.get("approximate_age")
    if approximate in ("", None):
        approximate = None
    else:
        try:
            approximate = int(str(approximate).strip())
        except ValueError:
            errors["approximate_age"] = "Approximate age must be a whole number, like 15"
            approximate = None
    today = timezone.localdate()
    if born and born > today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif born and age_on(born, today) > MAX_AGE:
        errors["date_of_birth"] = f"Date of birth must be less than {MAX_AGE} years ago"
    if approximate is not None and not 0 <= approximate <= MAX_AGE:
        errors["approximate_age"] = f"Approximate age must be between 0 and {MAX_AGE}"
    if born and approximate is not None:
        errors["approximate_age"] = "Give a date of birth or an approximate age, not both"
    if born is None and approximate is None and not {"date_of_birth", "approximate_age"} & set(errors):
        errors["date_of_birth"] = "Enter the person's date of birth, or their approximate age if you do not know it"
    data["date_of_birth"], data["approximate_age"] = born, approximate

    data["sex"] = details.get("sex") or Sex.NOT_KNOWN
    if data["sex"] not in Sex.values:
        errors["sex"] = "Select the person's sex, or 'Not known'"
    postcode = (details.get("postcode") or "").strip()
    if postcode and not is_postcode(postcode):
        errors["postcode"] = "Enter a real postcode, like NS1 4AB"
    data["postcode"] = normalise_postcode(postcode) if postcode else ""

    indicators = details.get("indicators") or []
    indicators = [indicators] if isinstance(indicators, str) else list(indicators)
    known = dict(INDICATORS)
    if any(key not in known for key in indicators):
        errors["indicators"] = "Select the signs you have noticed from the list"
    data["indicators"] = [key for key, _label in INDICATORS if key in indicators]

    choices = {
        "urgency": (Urgency, "Select how urgent this is"),
        "referrer_sector": (ReferrerSector, "Select which best describes you"),
        "person_aware": (Knows, "Select whether the person knows about this referral"),
        "family_aware": (Knows, "Select whether their family or carers know about this referral"),
        "consent": (ReferralConsent, "Select whether the person agreed to this referral"),
    }
    for name, (options, message) in choices.items():
        value = details.get(name) or ""
        if value not in options.values:
            errors[name] = message
        data[name] = value

    email = (details.get("referrer_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["referrer_email"] = "Enter an e-mail address in the correct format, like name@example.com"
    data["referrer_email"] = email.lower()
    phone = data.get("referrer_phone", "")
    if phone and not re.fullmatch(r"[0-9+()\-\s]{6,50}", phone):
        errors["referrer_phone"] = "Enter a phone number, like 01632 960 001 or +44 808 157 0192"
    if public and not email and not phone and "referrer_email" not in errors:
        errors["referrer_email"] = "Enter an e-mail address or a phone number so the Prevent team can contact you"
    if errors:
        raise ValidationError(errors)
    return data


def age_group(data: dict, today: date | None = None) -> tuple[str, int]:
    today = today or timezone.localdate()
    age = age_on(data["date_of_birth"], today) if data["date_of_birth"] else data["approximate_age"]
    return (AgeGroup.ADULT if age >= ADULT_AGE else AgeGroup.CHILD), age


def _new_reference() -> str:
    while True:
        reference = Referral.new_reference()
        if not Referral.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def do_submit_referral(submitter, panel: Panel, details: dict, *, source: str, form=None) -> Referral:
    """Record a referral to ``panel``. ``submitter`` is None for the public page.

    Creates the person's profile (created by the police lead, so it is seen only through
    the case), the Channel case and its members, tells the Prevent team (a link, no
    names), and returns the referral, whose reference is all the referrer is shown.
    ``form``: (version, answers) when sent on the panel's own referral form; every answer
    is kept on the case as a submission of that version."""
    public = submitter is None
    if not public:
        policy.permit(submitter, "channel.refer")
    if panel is None or not panel.takes_referrals:
        raise ValidationError({"panel": "Select where the person lives from the list"})
    data = clean_referral(details, public=public)
    group, age = age_group(data)
    lead = panel.police_lead
    person = Person.objects.create(
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        approximate_age=None if data["date_of_birth"] else data["approximate_age"],
        sex=data["sex"],
        school_or_employer=data["school_or_employer"],
        created_by=lead,
        area=panel.area,
    )
    first_line = data["address"].splitlines()[0].strip() if data["address"] else ""
    if first_line or data["postcode"]:
        Address.objects.create(person=person, line1=(first_line or "Not given")[:200], postcode=data["postcode"])
    refresh_search_keys(person)
    case = Case.objects.create(
        reference=next_reference(panel.area),
        person=person,
        kind=Case.Kind.CHANNEL,
        title="Prevent referral",
        owner=lead,
        lead_organisation=lead.organisation,
        area=panel.area,
    )
    team = [u for u in panel.prevent_team.filter(is_active=True) if u.pk != lead.pk]
    CaseMembership.objects.bulk_create(
        [CaseMembership(case=case, user=lead, role=CaseMembership.Role.OWNER, added_by=submitter)]
        + [CaseMembership(case=case, user=u, role=CaseMembership.Role.CONTRIBUTOR, added_by=submitter) for u in team]
    )
    forget_memberships(lead, *team)
    channel_case = ChannelCase.objects.create(
        case=case, panel=panel, state=CHANNEL.initial, age_group=group, age_at_referral=age, urgency=data["urgency"]
    )
    referral = Referral.objects.create(
        channel_case=channel_case,
        reference=_new_reference(),
        source=source,
        submitted_by=submitter,
        **{name: data[name] for name in REFERRAL_FIELDS},
    )
    if form is not None:
        _keep_form_answers(submitter, referral, case, *form)
    WorkflowEvent.objects.create(
        case=case,
        workflow=CHANNEL.name,
        transition="referral",
        from_state="",
        to_state=REFERRED,
        actor=submitter,
        actor_organisation=submitter.organisation.name if submitter else "Public referral page",
        data={"source": source, "urgency": data["urgency"], "referrer_sector": data["referrer_sector"]},
    )
    label = "public referral page" if public else ""
    ids = {"case_id": case.pk, "person_id": person.pk}
    record(submitter, "person.created", person, person_id=person.pk, actor_label=label, via="channel referral")
    record(submitter, "channel.referral_submitted", referral, **ids, actor_label=label, source=source, panel=panel.pk)
    url = reverse("channel:queue")
    for user in {lead.pk: lead, **{u.pk: u for u in team}}.values():
        # No names: the officer signs in and follows the link.
        notify(user, f"A new {data['urgency']} Prevent referral is waiting for screening.", url)
    return referral


def _keep_form_answers(submitter, referral: Referral, case: Case, version, answers: dict) -> None:
    from roundtable.formbuilder import services as formbuilder_services

    now = timezone.now()
    submission = formbuilder_services.create_submitted(version, case, answers, submitter, now)
    Referral.objects.filter(pk=referral.pk).update(form_submission=submission)
    referral.form_submission = submission
    label = "public referral page" if submitter is None else ""
    record(
        submitter,
        "submission.submitted",
        submission,
        case_id=case.pk,
        person_id=case.person_id,
        actor_label=label,
        version=version.number,
        via="channel referral",
    )


# --- Reading --------------------------------------------------------------------------------------
def queue(user) -> QuerySet:
    """Referrals in the user's Prevent queue: their panels' Channel cases they can see,
    waiting for screening first, then urgent before routine, then the longest waiting."""
    from roundtable.channel.workflow import OPEN_STATES

    panels = Panel.objects.filter(kind=Panel.Kind.CHANNEL, pk__in=_prevent_panel_ids(user)).values("pk")
    visible = policy.visible(user, Case.objects.filter(kind=Case.Kind.CHANNEL)).values("pk")
    unscreened = Choose(When(state=REFERRED, then=Value(0)), default=Value(1), output_field=IntegerField())
    urgent = Choose(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        ChannelCase.objects.filter(panel__in=panels, case__in=visible, state__in=OPEN_STATES)
        .select_related("case", "case__person", "panel", "referral")
        .annotate(unscreened=unscreened, urgent=urgent)
        .order_by("unscreened", "urgent", "referred_at", "pk")
    )


def _prevent_panel_ids(user) -> QuerySet:
    from django.db.models import Q

    return Panel.objects.filter(Q(police_lead_id=user.pk) | Q(prevent_team__id=user.pk)).values("pk")


def is_prevent_officer(user) -> bool:
    # Asked by the navigation on every page: the sign-in backend loads it with the user
    # (accounts/backends.py), otherwise it is remembered on this request's user object.
    # getattr, not __dict__: request.user is a lazy wrapper around the loaded user.
    cached = getattr(user, "_is_prevent_officer", None)
    if cached is None:
        cached = _prevent_panel_ids(user).exists()
        user._is_prevent_officer = cached
    return cached


def channel_case_for(user, case_pk: int) -> ChannelCase:
    """The Channel side of a case the user can see (404 otherwise)."""
    case = policy.get_visible_or_404(user, Case.objects.filter(kind=Case.Kind.CHANNEL), pk=case_pk)
    try:
        channel_case = ChannelCase.objects.select_related(
            "case", "case__person", "case__area", "panel", "panel__area", "referral"
        ).get(case=case)
    except ChannelCase.DoesNotExist:
        from django.http import Http404

        raise Http404 from None
    return channel_case


@dataclass
class Deconfliction:
    """What the deconfliction search found for a referral: profiles the user may see
    (other than the referral's own) and the organisations holding ones they may not."""

    visible: list = field(default_factory=list)
    held_by: list[str] = field(default_factory=list)


def deconfliction_for(user, channel_case: ChannelCase) -> Deconfliction:
    """Screen the referral against existing profiles with the people search (audited there)."""
    from roundtable.people.services import do_search_people

    referral = channel_case.referral
    postcode = referral.postcode
    criteria = Criteria(
        given_name=referral.given_name,
        family_name=referral.family_name,
        date_of_birth=referral.date_of_birth,
        postcode=postcode,
    )
    result = do_search_people(user, criteria)
    own = channel_case.case.person_id
    return Deconfliction(visible=[p for p in result.visible if p.pk != own], held_by=result.held_by)


# --- Transitions ------------------------------------------------------------------------------
def do_channel_transition(actor, channel_case: ChannelCase, name: str, data: dict | None = None) -> WorkflowEvent:
    """One step of the Channel workflow (screening, next step, decision, …) by its name."""
    return engine.do_transition(actor, channel_case, name, data)


def transitions_for(user, channel_case: ChannelCase) -> list[engine.Availability]:
    return engine.available_transitions(user, channel_case)


def review_context(channel_case: ChannelCase) -> dict:
    """What the review step's page shows first: the assessment the review will be recorded
    with (its scores beside the previous assessment's and what changed), or plainly that
    there is none since the last review. The case's assessments are seen with the case."""
    from roundtable.assessments.models import Assessment
    from roundtable.channel import reviews

    assessment = reviews.assessment_since_last_review(channel_case)
    _when, since = reviews.review_baseline(channel_case)
    review = {"assessment": assessment, "since": since}
    if assessment is not None:
        review["scores"] = reviews.score_lines(assessment)
        review["changes"] = reviews.factor_change_sentences(assessment)
    else:
        review["draft"] = (
            Assessment.objects.filter(case_id=channel_case.case_id, status=Assessment.Status.DRAFT)
            .values_list("pk", flat=True)
            .first()
        )
    return {"review": review}
