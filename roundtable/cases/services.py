"""What users can do to cases, their members and their chronology.

Each operation checks the access policy, changes data in one transaction, writes its
audit event there too, and announces chronology changes to open pages after commit."""

import re
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.access import policy
from roundtable.access.rules.cases import forget_memberships
from roundtable.accounts.models import Area, Organisation, User
from roundtable.accounts.services import do_invite_partner
from roundtable.audit.services import record
from roundtable.cases.live import publish_entry_changed
from roundtable.cases.models import Case, CaseMembership, CaseReferenceCounter, ChronologyEntry, EntryRevision
from roundtable.core.conflicts import save_if_unchanged
from roundtable.people.models import Person

# Entries may be stamped a little ahead of the server clock (a phone's clock drifts).
FUTURE_TOLERANCE = timedelta(minutes=5)
# Cases about a meeting or a plan need no person; every other kind is about someone.
KINDS_WITHOUT_PERSON = (Case.Kind.MEETING, Case.Kind.PLAN)
_SUFFIXES = ("shire", "ford", "borough", "bury", "field", "ham", "ton", "land", "wick", "mouth")


def _ids(case: Case) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id}


# --- References -----------------------------------------------------------------------------
def reference_prefix(area: Area) -> str:
    """Two or three capitals from the area's name: "North Wessex" → "NW", "Northshire" → "NS"."""
    words = re.findall(r"[A-Za-z0-9]+", area.name)
    if not words:
        return "RT"
    if len(words) > 1:
        return "".join(word[0] for word in words[:3]).upper()
    word = words[0].lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return (word[0] + suffix[0]).upper()
    return word[:2].upper()


def next_reference(area: Area, year: int | None = None) -> str:
    """ "NS-2026-000123": prefix, year, sequence. The counter row is locked while it is
    incremented, so two cases created at the same moment never share a number."""
    year = year or timezone.localdate().year
    prefix = reference_prefix(area)
    with transaction.atomic():
        CaseReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
        counter = CaseReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


# --- Cases ------------------------------------------------------------------------------------
@transaction.atomic
def do_create_case(
    actor: User,
    *,
    kind: str,
    title: str,
    person: Person | None = None,
    lead_organisation: Organisation | None = None,
    state: str = Case.State.OPEN,
) -> Case:
    policy.permit(actor, "case.create")
    errors = {}
    if kind not in Case.Kind.values:
        errors["kind"] = "Choose the type of case."
    if state not in Case.State.values:
        errors["state"] = "Choose the state of the case."
    if not title.strip():
        errors["title"] = "Enter a title for the case."
    if person is None and kind not in KINDS_WITHOUT_PERSON:
        errors["person"] = "Choose the person this case is about (only meeting and plan cases can be without one)."
    if person is not None and not policy.visible(actor, Person.objects.filter(pk=person.pk)).exists():
        errors["person"] = "Choose a person from the list."
    if errors:
        raise ValidationError(errors)
    area = actor.organisation.area
    case = Case.objects.create(
        reference=next_reference(area),
        person=person,
        kind=kind,
        state=state,
        title=title.strip(),
        owner=actor,
        lead_organisation=lead_organisation or actor.organisation,
        area=area,
    )
    CaseMembership.objects.create(case=case, user=actor, role=CaseMembership.Role.OWNER, added_by=actor)
    forget_memberships(actor)
    record(actor, "case.created", case, **_ids(case), kind=kind, state=state)
    return case


@transaction.atomic
def do_update_case(
    actor: User, case: Case, *, version: int, title: str, state: str, lead_organisation: Organisation
) -> Case:
    """Change a case's title, state (for example close it) or lead organisation.

    Saved only if nobody else saved the case since ``version`` was read: otherwise
    EditConflict says what they changed, and nothing is overwritten."""
    policy.permit(actor, "case.edit", case)
    errors = {}
    if state not in Case.State.values:
        errors["state"] = "Choose the state of the case."
    if not title.strip():
        errors["title"] = "Enter a title for the case."
    if errors:
        raise ValidationError(errors)
    before = {"title": case.title, "state": case.state, "lead_organisation": case.lead_organisation_id}
    changes = {"title": title.strip(), "state": state, "lead_organisation": lead_organisation}
    updated = save_if_unchanged(case, version, changes)
    _touch(updated)
    after = {"title": updated.title, "state": updated.state, "lead_organisation": updated.lead_organisation_id}
    record(actor, "case.updated", updated, **_ids(updated), before=before, after=after)
    return updated


# --- Members -----------------------------------------------------------------------------------
def _check_role(role: str) -> None:
    if role not in CaseMembership.Role.values:
        raise ValidationError({"role": "Choose owner, contributor or viewer."})


@transaction.atomic
def do_add_member(actor: User, case: Case, *, user: User, role: str) -> CaseMembership:
    policy.permit(actor, "case.manage_members", case)
    _check_role(role)
    if CaseMembership.objects.filter(case=case, user=user).exists():
        raise ValidationError({"email": f"{user.full_name} is already a member of this case."})
    membership = CaseMembership.objects.create(case=case, user=user, role=role, added_by=actor)
    forget_memberships(actor, user)
    record(actor, "case.member_added", case, **_ids(case), member=user.email, role=role)
    _tell_new_member(user, case)
    return membership


def _tell_new_member(user: User, case: Case) -> None:
    from django.urls import reverse

    from roundtable.notifications.services import notify

    # The reference only: notices and e-mails never carry names or case content.
    notify(user, f"You have been added to case {case.reference}.", reverse("cases:detail", args=[case.pk]))


@transaction.atomic
def do_invite_member(
    actor: User,
    case: Case,
    *,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    sector: str = "",
) -> CaseMembership:
    """Add someone who has no account yet: they get an invitation, and the case is waiting
    for them when they accept. Their organisation is created if it is not on the system."""
    policy.permit(actor, "case.manage_members", case)
    _check_role(role)
    if not full_name.strip():
        raise ValidationError({"full_name": "Enter their full name."})
    invitation, _raw = do_invite_partner(
        actor,
        email=email,
        full_name=full_name,
        organisation=organisation,
        organisation_name=organisation_name,
        sector=sector,
        area=case.area,
        reason=f"Invited to case {case.reference}",
    )
    membership = CaseMembership.objects.create(case=case, user=invitation.user, role=role, added_by=actor)
    record(actor, "case.member_invited", case, **_ids(case), member=invitation.email, role=role)
    return membership


def _other_owners(membership: CaseMembership):
    return CaseMembership.objects.filter(case_id=membership.case_id, role=CaseMembership.Role.OWNER).exclude(
        pk=membership.pk
    )


@transaction.atomic
def do_change_member_role(actor: User, membership: CaseMembership, role: str) -> CaseMembership:
    case = membership.case
    policy.permit(actor, "case.manage_members", case)
    _check_role(role)
    before = membership.role
    if before == role:
        return membership
    if before == CaseMembership.Role.OWNER and not _other_owners(membership).exists():
        raise ValidationError({"role": "A case needs at least one owner. Make someone else an owner first."})
    membership.role = role
    membership.save(update_fields=["role"])
    if case.owner_id == membership.user_id and role != CaseMembership.Role.OWNER:
        case.owner_id = _other_owners(membership).values_list("user_id", flat=True).first()
        case.save(update_fields=["owner", "updated_at"])
    forget_memberships(actor, membership.user)
    record(
        actor, "case.member_role_changed", case, **_ids(case), member=membership.user.email, before=before, after=role
    )
    return membership


@transaction.atomic
def do_remove_member(actor: User, membership: CaseMembership) -> None:
    case = membership.case
    policy.permit(actor, "case.manage_members", case)
    if membership.role == CaseMembership.Role.OWNER and not _other_owners(membership).exists():
        raise ValidationError("A case needs at least one owner. Make someone else an owner first.")
    if case.owner_id == membership.user_id:
        case.owner_id = _other_owners(membership).values_list("user_id", flat=True).first()
        case.save(update_fields=["owner", "updated_at"])
    email = membership.user.email
    membership.delete()
    forget_memberships(actor, membership.user)
    record(actor, "case.member_removed", case, **_ids(case), member=email)


# --- Chronology -----------------------------------------------------------------------------------
def _check_entry_fields(kind: str, summary: str, occurred_at: datetime | None) -> dict:
    errors = {}
    if kind not in ChronologyEntry.Kind.values:
        errors["kind"] = "Choose what kind of entry this is."
    if not summary.strip():
        errors["summary"] = "Enter a summary of what happened."
    elif len(summary.strip()) > 200:
        errors["summary"] = "The summary must be 200 characters or fewer. Put the detail in the full account."
    if occurred_at is None:
        errors["occurred_at"] = "Enter the date and time it happened."
    elif occurred_at > timezone.now() + FUTURE_TOLERANCE:
        errors["occurred_at"] = "The date and time it happened must be now or in the past."
    return errors


def _restricted_members(case: Case, users) -> list[User]:
    users = list(users or [])
    member_ids = set(CaseMembership.objects.filter(case=case).values_list("user_id", flat=True))
    outsiders = [user for user in users if user.pk not in member_ids]
    if outsiders:
        raise ValidationError({"restricted_to": "You can only name members of this case."})
    return users


def _touch(case: Case) -> None:
    # "My cases" and the case list sort by last activity.
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


@transaction.atomic
def do_record_entry(
    actor: User,
    case: Case,
    *,
    kind: str,
    summary: str,
    body: str = "",
    occurred_at: datetime | None,
    restricted: bool = False,
    restricted_to=(),
) -> ChronologyEntry:
    """Add an entry. ``restricted`` locks it down to the author and ``restricted_to`` (case members)."""
    policy.permit(actor, "entry.create", case)
    errors = _check_entry_fields(kind, summary, occurred_at)
    if errors:
        raise ValidationError(errors)
    named = [u for u in _restricted_members(case, restricted_to) if u.pk != actor.pk] if restricted else []
    entry = ChronologyEntry.objects.create(
        case=case,
        kind=kind,
        summary=summary.strip(),
        body=body.strip(),
        occurred_at=occurred_at,
        author=actor,
        organisation=actor.organisation,
        is_restricted=restricted,
    )
    if named:
        entry.restricted_to.set(named)
    _touch(case)
    # The audit label is the entry's kind and id, never its text (auditors do not see content).
    record(actor, "entry.recorded", case, **_ids(case), entry=entry.pk, kind=kind, restricted=restricted)
    publish_entry_changed(case.pk, entry.pk)
    return entry


@transaction.atomic
def do_amend_entry(
    actor: User,
    entry: ChronologyEntry,
    *,
    expected_version: int,
    summary: str,
    body: str,
    occurred_at: datetime | None,
    kind: str | None = None,
    reason: str = "",
) -> ChronologyEntry:
    """Amend an entry, keeping what it said before as a revision.

    Raises ``EditConflict`` (with the entry as it now is) when someone else saved it
    since ``expected_version``: nothing is overwritten and the caller keeps the text."""
    policy.permit(actor, "entry.amend", entry)
    kind = kind or entry.kind
    errors = _check_entry_fields(kind, summary, occurred_at)
    if errors:
        raise ValidationError(errors)
    current = ChronologyEntry.objects.select_for_update().get(pk=entry.pk)
    changes = {"kind": kind, "summary": summary.strip(), "body": body.strip(), "occurred_at": occurred_at}
    if current.version == expected_version and all(getattr(current, k) == v for k, v in changes.items()):
        raise ValidationError("You have not changed anything. Change the entry, or go back to the chronology.")
    if current.version == expected_version:
        EntryRevision.objects.create(
            entry=current,
            version=current.version,
            summary=current.summary,
            body=current.body,
            occurred_at=current.occurred_at,
            edited_by=actor,
            reason=reason.strip()[:500],
        )
    # Raises EditConflict when the version moved on; the revision above then rolls back too.
    amended = save_if_unchanged(current, expected_version, changes)
    _touch(amended.case)
    record(actor, "entry.amended", amended.case, **_ids(amended.case), entry=amended.pk, version=amended.version)
    publish_entry_changed(amended.case_id, amended.pk)
    return amended


@transaction.atomic
def do_retract_entry(actor: User, entry: ChronologyEntry, *, reason: str) -> ChronologyEntry:
    """Removal is a retraction: the text is hidden behind the reason, never deleted."""
    policy.permit(actor, "entry.retract", entry)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you are retracting this entry."})
    current = ChronologyEntry.objects.select_for_update().get(pk=entry.pk)
    if current.retracted_at is not None:
        raise ValidationError("This entry has already been retracted.")
    current = save_if_unchanged(
        current,
        current.version,
        {"retracted_at": timezone.now(), "retracted_by": actor, "retraction_reason": reason.strip()},
    )
    _touch(current.case)
    record(actor, "entry.retracted", current.case, **_ids(current.case), entry=current.pk, reason=reason.strip())
    publish_entry_changed(current.case_id, current.pk)
    return current


@transaction.atomic
def do_restrict_entry(actor: User, entry: ChronologyEntry, *, restricted: bool, restricted_to=()) -> ChronologyEntry:
    """Lock an entry down to named members (the author always keeps access), or open it
    to the whole case again with ``restricted=False``."""
    policy.permit(actor, "entry.restrict", entry)
    case = entry.case
    named = [u for u in _restricted_members(case, restricted_to) if u.pk != actor.pk] if restricted else []
    current = ChronologyEntry.objects.select_for_update().get(pk=entry.pk)
    current.restricted_to.set(named)
    current = save_if_unchanged(current, current.version, {"is_restricted": restricted})
    record(
        actor,
        "entry.restricted" if current.is_restricted else "entry.unrestricted",
        case,
        **_ids(case),
        entry=current.pk,
        named=[user.email for user in named],
    )
    publish_entry_changed(case.pk, current.pk)
    return current
