"""Consent and the support plan. Each operation checks the access policy, changes data in
one transaction and records audit there too.

The guard the Channel workflow uses before support starts is ``consent_in_force(case)``
(the latest consent decision is "given") with ``consent_problem(case)`` saying, in plain
English, why not. Withdrawing consent never changes an intervention by itself: active
support is flagged on the page (``consent_flag``) for a person to stop or pause it.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import dateformat, timezone

from roundtable.access import policy
from roundtable.accounts.models import Area, Organisation
from roundtable.audit.services import record
from roundtable.cases.models import Case, CaseMembership
from roundtable.core.conflicts import save_if_unchanged
from roundtable.notifications.services import notify
from roundtable.people.models import Person
from roundtable.support.models import (
    ConsentRecord,
    Intervention,
    InterventionProvider,
    ProgressUpdate,
    SupportType,
)

Decision = ConsentRecord.Decision
DecidedBy = ConsentRecord.DecidedBy
How = ConsentRecord.How
Status = Intervention.Status
CAPACITY_AGE = 16
FINISHED_STATES = (Status.COMPLETED, Status.STOPPED)


def _audit_ids(case: Case) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id}


def long_date(day: date) -> str:
    """3 March 2026."""
    return dateformat.format(day, "j F Y")


def support_url(case: Case) -> str:
    return reverse("support:case_support", args=[case.pk])


def _fail_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Age and capacity --------------------------------------------------------------------------
@dataclass(frozen=True)
class AgeOn:
    years: int | None
    approximate: bool = False


def _whole_years(start: date, end: date) -> int:
    if end < start:
        return -_whole_years(end, start)
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_on(person: Person, day: date) -> AgeOn:
    """The person's age on ``day``: exact from the date of birth; otherwise estimated from
    the approximate age (which was their age when the profile was created); else unknown."""
    if person.date_of_birth:
        return AgeOn(_whole_years(person.date_of_birth, day))
    if person.approximate_age is not None:
        noted = timezone.localtime(person.created_at).date() if person.created_at else day
        return AgeOn(max(person.approximate_age + _whole_years(noted, day), 0), approximate=True)
    return AgeOn(None)


def capacity_reason(person: Person, day: date) -> str | None:
    """Why a capacity note is needed for a decision made on ``day``; None when it is not.

    From 16 capacity must be considered. An approximate age may be a year out, so "about
    15" needs a note too; an unknown age always does."""
    age = age_on(person, day)
    if age.years is None:
        return "their age is not recorded, so they may be 16 or over"
    if age.approximate and age.years >= CAPACITY_AGE - 1:
        return (
            f"they were about {age.years} on {long_date(day)} (no date of birth is recorded), so they may be 16 or over"
        )
    if not age.approximate and age.years >= CAPACITY_AGE:
        return f"they were {age.years} on {long_date(day)}, and capacity is considered from 16"
    return None


def capacity_hint(person: Person, today: date | None = None) -> str:
    """For the form, before a date is chosen: what the record says about the person's age."""
    today = today or timezone.localdate()
    age = age_on(person, today)
    name = person.full_name
    rule = "Required when the person is 16 or over on the date of the decision, or their age is not known."
    if age.years is None:
        return f"{rule} {name}'s age is not recorded, so a note is required."
    if age.approximate:
        return f"{rule} {name} is about {age.years} (no date of birth is recorded)."
    return f"{rule} {name} is {age.years} (born {long_date(person.date_of_birth)})."


# --- Consent: the guard ----------------------------------------------------------------------
@dataclass(frozen=True)
class ConsentState:
    """Where consent stands on a case: the latest decision, and why support cannot start."""

    latest: ConsentRecord | None
    problem: str | None

    @property
    def in_force(self) -> ConsentRecord | None:
        return self.latest if self.problem is None else None

    @property
    def flag(self) -> str | None:
        """What to say on active support when consent is not in force."""
        if self.problem is None:
            return None
        if self.latest is None:
            return "Consent has not been recorded: stop or pause this support."
        verb = "refused" if self.latest.decision == Decision.REFUSED else "withdrawn"
        return f"Consent was {verb} on {long_date(self.latest.occurred_on)}: stop or pause this support."


def latest_consent(case: Case) -> ConsentRecord | None:
    """The decision in force: the latest by the date it was made, then by when it was recorded."""
    return ConsentRecord.objects.filter(case=case).select_related("person").order_by("-occurred_on", "-id").first()


_UNREAD = object()


def consent_state(case: Case, history: list[ConsentRecord] | object = _UNREAD) -> ConsentState:
    """Pass ``history`` (all the case's records, latest first, as ``consent_history`` gives
    them) when it is already read, to save a query."""
    if case.person_id is None:
        problem = "Support cannot start: this case is not about a person, so there is no consent to record."
        return ConsentState(None, problem)
    latest = latest_consent(case) if history is _UNREAD else (history[0] if history else None)
    if latest is None:
        return ConsentState(None, f"Support cannot start: consent has not been recorded for {case.person.full_name}.")
    if latest.decision == Decision.REFUSED:
        return ConsentState(latest, f"Support cannot start: consent was refused on {long_date(latest.occurred_on)}.")
    if latest.decision == Decision.WITHDRAWN:
        return ConsentState(latest, f"Support cannot start: consent was withdrawn on {long_date(latest.occurred_on)}.")
    return ConsentState(latest, None)


def consent_in_force(case: Case) -> ConsentRecord | None:
    """The consent record that lets support start (the latest decision is "given"), or None.

    A system check, not a read: callers have already fetched the case through the policy."""
    return consent_state(case).in_force


def consent_problem(case: Case) -> str | None:
    """Why support cannot start on this case, in plain English; None when consent is in force."""
    return consent_state(case).problem


# --- Consent: reading and recording ----------------------------------------------------------
def consent_history(user, case: Case) -> QuerySet:
    qs = policy.visible(user, ConsentRecord.objects.filter(case=case))
    return qs.select_related("person", "recorded_by", "recorded_by__organisation").order_by("-occurred_on", "-id")


def _choice_error(value: str | None, choices, message: str) -> str | None:
    return None if value in choices.values else message


def consent_errors(
    person: Person,
    *,
    decision: str | None,
    decided_by: str | None,
    decided_by_name: str,
    decided_by_relationship: str,
    occurred_on: date | None,
    how: str | None,
    how_detail: str,
    capacity_note: str,
) -> dict[str, str]:
    """Everything wrong with a consent decision, by field (forms show them all at once)."""
    errors = {}
    for field, value, choices, message in (
        ("decision", decision, Decision, "Choose whether consent was given, refused or withdrawn"),
        ("decided_by", decided_by, DecidedBy, "Choose who made the decision"),
        ("how", how, How, "Choose how the decision was given"),
    ):
        if problem := _choice_error(value, choices, message):
            errors[field] = problem
    if decided_by == DecidedBy.PERSON:
        if decided_by_name or decided_by_relationship:
            errors["decided_by_name"] = (
                f"Leave the name and relationship empty when {person.full_name} decided for themselves"
            )
    elif decided_by in DecidedBy.values:
        who = {"parent": "the parent", "carer": "the carer"}.get(decided_by, "the person who decided")
        if not decided_by_name:
            errors["decided_by_name"] = f"Enter the name of {who}"
        if decided_by == DecidedBy.OTHER and not decided_by_relationship:
            errors["decided_by_relationship"] = (
                f"Enter their relationship to {person.full_name} or their role, for example foster carer"
            )
        elif decided_by != DecidedBy.OTHER and decided_by_relationship:
            errors["decided_by_relationship"] = "Leave the relationship empty unless someone else decided"
    if how == How.OTHER and not how_detail:
        errors["how_detail"] = "Enter how the decision was given"
    elif how in How.values and how != How.OTHER and how_detail:
        errors["how_detail"] = "Leave the detail of how empty unless it was given another way"
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the decision"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the decision must be today or in the past"
    elif not capacity_note and (reason := capacity_reason(person, occurred_on)):
        errors["capacity_note"] = f"Enter how {person.full_name}'s capacity to decide was considered: {reason}"
    return errors


@transaction.atomic
def do_record_consent(
    actor,
    case: Case,
    *,
    decision: str,
    decided_by: str,
    occurred_on: date | None,
    how: str,
    decided_by_name: str = "",
    decided_by_relationship: str = "",
    how_detail: str = "",
    capacity_note: str = "",
    notes: str = "",
) -> ConsentRecord:
    """Add a consent decision to the case's history (records are never edited)."""
    policy.permit(actor, "consent.record", case)
    if case.person_id is None:
        raise ValidationError("This case is not about a person, so there is no consent to record.")
    decided_by_name, decided_by_relationship = decided_by_name.strip(), decided_by_relationship.strip()
    how_detail, capacity_note, notes = how_detail.strip(), capacity_note.strip(), notes.strip()
    _fail_if(
        consent_errors(
            case.person,
            decision=decision,
            decided_by=decided_by,
            decided_by_name=decided_by_name,
            decided_by_relationship=decided_by_relationship,
            occurred_on=occurred_on,
            how=how,
            how_detail=how_detail,
            capacity_note=capacity_note,
        )
    )
    person = case.person
    consent = ConsentRecord.objects.create(
        case=case,
        person=person,
        decision=decision,
        decided_by=decided_by,
        decided_by_name=decided_by_name,
        decided_by_relationship=decided_by_relationship,
        occurred_on=occurred_on,
        how=how,
        how_detail=how_detail,
        capacity_note=capacity_note,
        notes=notes,
        recorded_by=actor,
    )
    record(actor, "consent.recorded", consent, **_audit_ids(case), decision=decision, occurred_on=str(occurred_on))
    if decision != Decision.GIVEN:
        _tell_owners_of_active_support(actor, case, decision)
    return consent


def _tell_owners_of_active_support(actor, case: Case, decision: str) -> None:
    """Consent ended while support is active: the owners decide what happens to it."""
    if not Intervention.objects.filter(case=case, status=Status.ACTIVE).exists():
        return
    owners = CaseMembership.objects.filter(case=case, role=CaseMembership.Role.OWNER, user__is_active=True)
    for membership in owners.exclude(user_id=actor.pk).select_related("user"):
        # The reference only: notices never carry names or case content.
        message = f"Consent was {decision} on case {case.reference}: review its active support"
        notify(membership.user, message, support_url(case), email=False)


# --- Providers ---------------------------------------------------------------------------------
def dbs_warning(provider: InterventionProvider | None, until: date | None = None, today: date | None = None):
    """A warning when a provider's DBS check is missing, expired, or runs out before ``until``."""
    if provider is None:
        return None
    today = today or timezone.localdate()
    if provider.dbs_checked_on is None or provider.dbs_expires_on is None:
        return f"No DBS check is recorded for {provider.name}."
    if provider.dbs_expires_on < today:
        return f"{provider.name}'s DBS check expired on {long_date(provider.dbs_expires_on)}."
    if until is not None and provider.dbs_expires_on < until:
        return (
            f"{provider.name}'s DBS check expires on {long_date(provider.dbs_expires_on)}, "
            f"before this support ends on {long_date(until)}."
        )
    return None


def dbs_status(provider: InterventionProvider, today: date | None = None) -> str:
    """A short phrase for lists and choices: "DBS check valid until 3 March 2027"."""
    today = today or timezone.localdate()
    if provider.dbs_checked_on is None or provider.dbs_expires_on is None:
        return "no DBS check recorded"
    if provider.dbs_expires_on < today:
        return f"DBS check expired on {long_date(provider.dbs_expires_on)}"
    return f"DBS check valid until {long_date(provider.dbs_expires_on)}"


def area_providers(user, area: Area, *, active_only: bool = False) -> QuerySet:
    qs = policy.visible(user, InterventionProvider.objects.filter(area=area))
    if active_only:
        qs = qs.filter(active=True)
    return qs.select_related("organisation").order_by("name", "id")


def area_organisations(area: Area) -> QuerySet:
    # Organisation names are not case data: anyone planning support may pick a partner of the area.
    return Organisation.objects.filter(area=area, is_active=True).order_by("name")


def _clean_provider(area: Area, *, name, organisation, dbs_checked_on, dbs_expires_on, current=None) -> dict:
    errors = {}
    if not name:
        errors["name"] = "Enter the provider's name"
    elif (
        InterventionProvider.objects.filter(area=area, name__iexact=name)
        .exclude(pk=getattr(current, "pk", None))
        .exists()
    ):
        errors["name"] = f"There is already a provider called {name} in the {area.name} register"
    if organisation is not None and organisation.area_id != area.pk:
        errors["organisation"] = f"Choose an organisation in {area.name}"
    if dbs_checked_on and not dbs_expires_on:
        errors["dbs_expires_on"] = "Enter when the DBS check expires or is due for renewal"
    elif dbs_expires_on and not dbs_checked_on:
        errors["dbs_checked_on"] = "Enter the date of the DBS check"
    elif dbs_checked_on:
        if dbs_checked_on > timezone.localdate():
            errors["dbs_checked_on"] = "The date of the DBS check must be today or in the past"
        elif dbs_expires_on <= dbs_checked_on:
            errors["dbs_expires_on"] = "The DBS expiry date must be after the date of the check"
    return errors


@transaction.atomic
def do_create_provider(
    actor,
    area: Area,
    *,
    name: str,
    organisation: Organisation | None = None,
    contact: str = "",
    dbs_checked_on: date | None = None,
    dbs_expires_on: date | None = None,
    notes: str = "",
) -> InterventionProvider:
    policy.permit(actor, "provider.manage", area)
    name = name.strip()
    _fail_if(
        _clean_provider(
            area, name=name, organisation=organisation, dbs_checked_on=dbs_checked_on, dbs_expires_on=dbs_expires_on
        )
    )
    provider = InterventionProvider.objects.create(
        area=area,
        name=name,
        organisation=organisation,
        contact=contact.strip(),
        dbs_checked_on=dbs_checked_on,
        dbs_expires_on=dbs_expires_on,
        notes=notes.strip(),
        created_by=actor,
    )
    record(actor, "provider.created", provider, area_id=area.pk, dbs_expires_on=str(dbs_expires_on or ""))
    return provider


@transaction.atomic
def do_update_provider(
    actor,
    provider: InterventionProvider,
    expected_version: int,
    *,
    name: str,
    organisation: Organisation | None,
    contact: str,
    dbs_checked_on: date | None,
    dbs_expires_on: date | None,
    notes: str,
    active: bool,
) -> InterventionProvider:
    """Raises EditConflict if someone saved the provider first."""
    policy.permit(actor, "provider.manage", provider)
    name = name.strip()
    _fail_if(
        _clean_provider(
            provider.area,
            name=name,
            organisation=organisation,
            dbs_checked_on=dbs_checked_on,
            dbs_expires_on=dbs_expires_on,
            current=provider,
        )
    )
    changes = {
        "name": name,
        "organisation": organisation,
        "contact": contact.strip(),
        "dbs_checked_on": dbs_checked_on,
        "dbs_expires_on": dbs_expires_on,
        "notes": notes.strip(),
        "active": active,
    }
    before = {field: getattr(provider, field) for field in changes}
    updated = save_if_unchanged(provider, expected_version, changes)
    changed = sorted(field for field in changes if before[field] != changes[field])
    record(actor, "provider.updated", updated, area_id=provider.area_id, fields=changed)
    return updated


# --- The support plan: reading ---------------------------------------------------------------
_OPEN_FIRST = ("active", "paused", "planned", "completed", "stopped")


def _open_first():
    whens = [When(status=status, then=Value(i)) for i, status in enumerate(_OPEN_FIRST)]
    return Choose(*whens, output_field=IntegerField())


def _with_providers(qs: QuerySet) -> QuerySet:
    return qs.select_related("provider", "provider__organisation", "provider_organisation")


def case_interventions(user, case: Case) -> QuerySet:
    """The case's support plan: active support first, then paused, planned and finished."""
    qs = policy.visible(user, Intervention.objects.filter(case=case))
    return (
        _with_providers(qs)
        .annotate(update_count=Count("updates"), open_first=_open_first())
        .order_by("open_first", "starts_on", "id")
    )


def intervention_updates(user, intervention: Intervention) -> QuerySet:
    qs = policy.visible(user, ProgressUpdate.objects.filter(intervention=intervention))
    return qs.select_related("author", "author__organisation").order_by("-occurred_on", "-id")


def with_warnings(interventions, state: ConsentState, today: date | None = None) -> list[Intervention]:
    """Each intervention with ``dbs_warning`` and ``consent_flag`` (None when all is well)."""
    today = today or timezone.localdate()
    items = list(interventions)
    for item in items:
        is_open = item.status in Intervention.OPEN_STATES
        item.dbs_warning = dbs_warning(item.provider, until=item.ends_on, today=today) if is_open else None
        item.consent_flag = state.flag if item.status == Status.ACTIVE else None
    return items


# --- The support plan: changing --------------------------------------------------------------
def intervention_errors(
    actor,
    case: Case,
    *,
    support_type: str,
    custom_type: str,
    provider_organisation: Organisation | None,
    provider: InterventionProvider | None,
    starts_on: date | None,
    ends_on: date | None,
    behaviours: str,
    risks: str,
    provider_risks: str,
    current: Intervention | None = None,
    status: str | None = None,
) -> dict[str, str]:
    """Everything wrong with support, by field (forms show them all at once). ``status`` is
    checked for new support only: planned, or active when consent is in force."""
    errors = {}
    if support_type not in SupportType.values:
        errors["support_type"] = "Choose the type of support"
    elif support_type == SupportType.OTHER and not custom_type:
        errors["custom_type"] = "Enter the type of support"
    elif support_type != SupportType.OTHER and custom_type:
        errors["custom_type"] = "Leave the other type of support empty unless the type is other"
    if provider is None and provider_organisation is None:
        errors["provider"] = "Choose who will provide the support"
    elif provider is not None and provider_organisation is not None:
        errors["provider"] = "Choose a partner organisation or a provider from the register, not both"
    elif problem := _provider_problem(actor, case, provider, provider_organisation, current):
        errors[problem[0]] = problem[1]
    if starts_on is None:
        errors["starts_on"] = "Enter the start date"
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    if not behaviours:
        errors["behaviours"] = "Enter the behaviours this support addresses"
    if not risks:
        errors["risks"] = "Enter the risks this support addresses"
    if not provider_risks:
        errors["provider_risks"] = "Enter the risks to the provider, or say that none were identified"
    if status is not None and current is None:
        if status not in (Status.PLANNED, Status.ACTIVE):
            errors["status"] = "New support is either planned or active"
        elif status == Status.ACTIVE and (problem := _start_problem(case)):
            errors["status"] = problem
    return errors


def _provider_problem(actor, case, provider, provider_organisation, current) -> tuple[str, str] | None:
    """A newly chosen provider must be active on the register, or a partner, of the case's area.
    (One kept from before may since have left the register: changing other fields keeps it.)"""
    new_organisation = provider_organisation is not None and provider_organisation.pk != getattr(
        current, "provider_organisation_id", None
    )
    if new_organisation and not area_organisations(case.area).filter(pk=provider_organisation.pk).exists():
        return "provider_organisation", f"Choose a partner organisation in {case.area.name}"
    new_provider = provider is not None and provider.pk != getattr(current, "provider_id", None)
    if new_provider and not area_providers(actor, case.area, active_only=True).filter(pk=provider.pk).exists():
        return "provider", f"Choose a provider from the {case.area.name} register"
    return None


def _start_problem(case: Case) -> str | None:
    return consent_problem(case)


@transaction.atomic
def do_create_intervention(
    actor,
    case: Case,
    *,
    support_type: str,
    starts_on: date | None,
    behaviours: str,
    risks: str,
    provider_risks: str,
    provider: InterventionProvider | None = None,
    provider_organisation: Organisation | None = None,
    custom_type: str = "",
    ends_on: date | None = None,
    status: str = Status.PLANNED,
) -> Intervention:
    """Add support to the plan, planned or (with consent in force) already active."""
    policy.permit(actor, "intervention.create", case)
    if case.person_id is None:
        raise ValidationError("This case is not about a person, so it has no support plan.")
    fields = {
        "support_type": support_type,
        "custom_type": custom_type.strip(),
        "provider": provider,
        "provider_organisation": provider_organisation,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "behaviours": behaviours.strip(),
        "risks": risks.strip(),
        "provider_risks": provider_risks.strip(),
    }
    _fail_if(intervention_errors(actor, case, **fields, status=status))
    intervention = Intervention.objects.create(case=case, status=status, created_by=actor, **fields)
    if status == Status.ACTIVE:
        ProgressUpdate.objects.create(
            intervention=intervention,
            occurred_on=timezone.localdate(),
            text="Support started.",
            status=Status.ACTIVE,
            author=actor,
        )
    record(
        actor,
        "intervention.created",
        intervention,
        **_audit_ids(case),
        status=status,
        provider_id=getattr(provider, "pk", None),
        provider_organisation_id=getattr(provider_organisation, "pk", None),
    )
    return intervention


@transaction.atomic
def do_update_intervention(
    actor,
    intervention: Intervention,
    expected_version: int,
    *,
    support_type: str,
    starts_on: date | None,
    behaviours: str,
    risks: str,
    provider_risks: str,
    provider: InterventionProvider | None = None,
    provider_organisation: Organisation | None = None,
    custom_type: str = "",
    ends_on: date | None = None,
) -> Intervention:
    """Change what the support is, who provides it and when. Raises EditConflict if someone saved first."""
    policy.permit(actor, "intervention.edit", intervention)
    changes = {
        "support_type": support_type,
        "custom_type": custom_type.strip(),
        "provider": provider,
        "provider_organisation": provider_organisation,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "behaviours": behaviours.strip(),
        "risks": risks.strip(),
        "provider_risks": provider_risks.strip(),
    }
    _fail_if(intervention_errors(actor, intervention.case, **changes, current=intervention))
    before = {field: getattr(intervention, field) for field in changes}
    updated = save_if_unchanged(intervention, expected_version, changes)
    changed = sorted(field for field in changes if before[field] != changes[field])
    record(actor, "intervention.updated", updated, **_audit_ids(intervention.case), fields=changed)
    return updated


# Which status each status may move to, and what a change records.
NEXT = {
    Status.PLANNED: (Status.ACTIVE, Status.STOPPED),
    Status.ACTIVE: (Status.PAUSED, Status.COMPLETED, Status.STOPPED),
    Status.PAUSED: (Status.ACTIVE, Status.COMPLETED, Status.STOPPED),
    Status.COMPLETED: (),
    Status.STOPPED: (),
}
REASON_REQUIRED = {
    Status.PAUSED: "Enter why the support is paused",
    Status.STOPPED: "Enter why the support was stopped",
}


def _status_text(previous: str, status: str, reason: str) -> str:
    if status == Status.ACTIVE:
        said = "Support resumed." if previous == Status.PAUSED else "Support started."
    else:
        said = {
            Status.PAUSED: "Support paused.",
            Status.COMPLETED: "Support completed.",
            Status.STOPPED: "Support stopped.",
        }[status]
    return f"{said} {reason}".strip()


def next_statuses(intervention: Intervention) -> tuple:
    return NEXT.get(intervention.status, ())


@transaction.atomic
def do_change_intervention_status(
    actor, intervention: Intervention, expected_version: int, *, status: str, reason: str = ""
) -> Intervention:
    """Start, pause, resume, complete or stop support. Starting or resuming needs consent in force."""
    policy.permit(actor, "intervention.change_status", intervention)
    reason = reason.strip()
    allowed = next_statuses(intervention)
    current_label = intervention.get_status_display().lower()
    if status not in Status.values:
        raise ValidationError({"status": "Choose a status: planned, active, paused, completed or stopped"})
    if not allowed:
        raise ValidationError({"status": f"This support is {current_label}: its status cannot change again"})
    if status not in allowed:
        choices = " or ".join(Status(s).label.lower() for s in allowed)
        raise ValidationError({"status": f"Support that is {current_label} can only become {choices}"})
    if status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": REASON_REQUIRED[status]})
    if status == Status.ACTIVE and (problem := _start_problem(intervention.case)):
        raise ValidationError({"status": problem})
    changes = {"status": status, "status_reason": reason if status in REASON_REQUIRED else ""}
    updated = save_if_unchanged(intervention, expected_version, changes)
    ProgressUpdate.objects.create(
        intervention=updated,
        occurred_on=timezone.localdate(),
        text=_status_text(intervention.status, status, reason),
        status=status,
        author=actor,
    )
    record(
        actor,
        "intervention.status_changed",
        updated,
        **_audit_ids(intervention.case),
        status=status,
        previous=intervention.status,
    )
    return updated


@transaction.atomic
def do_add_progress_update(actor, intervention: Intervention, *, occurred_on: date | None, text: str) -> ProgressUpdate:
    policy.permit(actor, "intervention.add_progress", intervention)
    text = text.strip()
    errors = {}
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the update"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the update must be today or in the past"
    if not text:
        errors["text"] = "Enter the update"
    _fail_if(errors)
    update = ProgressUpdate.objects.create(intervention=intervention, occurred_on=occurred_on, text=text, author=actor)
    record(
        actor,
        "intervention.progress_added",
        intervention,
        **_audit_ids(intervention.case),
        update_id=update.pk,
        occurred_on=str(occurred_on),
    )
    return update
