"""What users can do to person profiles. Each operation checks the access policy, changes
data in one transaction and writes its audit event (with person_id) in that transaction."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.core.conflicts import save_if_unchanged
from roundtable.notifications.services import notify
from roundtable.people.matching import Criteria, find_matches, keys_for_parts, name_parts, normalise_postcode
from roundtable.people.models import (
    Address,
    AgencyInvolvement,
    Person,
    PersonName,
    Relationship,
    SafeguardingFlag,
    SearchKey,
)

# Fields of the identity form, in the order the edit page shows them.
IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "approximate_age",
    "sex",
    "gender",
    "ethnicity",
    "languages",
    "nationality",
    "immigration_status",
    "school_or_employer",
    "phone",
    "email",
)


def refresh_search_keys(person: Person) -> None:
    """Rebuild the deconfliction keys from every name the person is known by."""
    names = [person.given_name, person.family_name]
    # Read the names afresh: the caller's person may carry a stale prefetched list.
    for given, family in PersonName.objects.filter(person=person).values_list("given_name", "family_name"):
        names += [given, family]
    keys = keys_for_parts(name_parts(*names))
    SearchKey.objects.filter(person=person).exclude(key__in=keys).delete()
    existing = set(SearchKey.objects.filter(person=person).values_list("key", flat=True))
    SearchKey.objects.bulk_create([SearchKey(person=person, key=key) for key in sorted(keys - existing)])


def record_profile_view(actor, person: Person, section: str) -> None:
    """Every read of a profile is an audit event ("who has seen this")."""
    record(actor, "person.viewed", person, person_id=person.pk, section=section)


# --- Deconfliction -------------------------------------------------------------------------


@dataclass
class SearchResult:
    criteria: Criteria
    visible: list[Person] = field(default_factory=list)
    # Names of the organisations holding matches this user may not see: nothing else.
    held_by: list[str] = field(default_factory=list)


def _holders(person_ids: list[int]) -> dict[int, set[str]]:
    """Organisation names holding each person: lead organisations of its cases, else the creator's."""
    from roundtable.cases.models import Case

    holders: dict[int, set[str]] = {pk: set() for pk in person_ids}
    for person_id, name in Case.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "lead_organisation__name"
    ):
        holders[person_id].add(name)
    for person_id, name in Person.objects.filter(pk__in=person_ids).values_list("pk", "created_by__organisation__name"):
        if not holders[person_id]:
            holders[person_id].add(name)
    return holders


def _split(actor, criteria: Criteria) -> tuple[list[int], list[int], dict[int, set[str]]]:
    matches = find_matches(criteria)
    ids = [match.person_id for match in matches]
    visible_ids = set(policy.visible(actor, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    # Holders are looked up for every match, seen or not, so the work done does not vary
    # with whether something is hidden.
    holders = _holders(ids)
    hidden = [pk for pk in ids if pk not in visible_ids]
    return [pk for pk in ids if pk in visible_ids], hidden, holders


@transaction.atomic
def do_search_people(actor, criteria: Criteria) -> SearchResult:
    policy.permit(actor, "person.search")
    visible_ids, hidden_ids, holders = _split(actor, criteria)
    by_pk = Person.objects.in_bulk(visible_ids)
    result = SearchResult(criteria, visible=[by_pk[pk] for pk in visible_ids if pk in by_pk])
    result.held_by = sorted({name for pk in hidden_ids for name in holders[pk]})
    # The audit records what was asked and what was shown, never which hidden profiles matched.
    record(actor, "person.searched", None, criteria=criteria.as_audit(), shown=len(result.visible))
    return result


def _holder_users(person: Person) -> list:
    from roundtable.accounts.models import User
    from roundtable.cases.models import CaseMembership

    owners = list(
        User.objects.filter(
            case_memberships__case__person=person,
            case_memberships__role=CaseMembership.Role.OWNER,
            is_active=True,
        ).distinct()
    )
    if owners:
        return owners
    creator = person.created_by
    return [creator] if creator.is_active else []


@transaction.atomic
def do_request_access(actor, criteria: Criteria) -> int:
    """Tell the holders of matches this user may not see that they asked. Returns notices sent.

    The request carries the search again, never profile ids, so the page never holds an
    identifier of a hidden profile."""
    policy.permit(actor, "person.request_access")
    _visible, hidden_ids, _holders_by_person = _split(actor, criteria)
    sent = 0
    requester = f"{actor.full_name} ({actor.organisation.name})"
    for person in Person.objects.filter(pk__in=hidden_ids).select_related("created_by"):
        url = reverse("people:detail", args=[person.pk])
        for holder in _holder_users(person):
            # No personal data about the subject: the holder follows the link to see whom it is about.
            notify(
                holder,
                f"{requester} asked for access to a profile you hold, after a deconfliction search. "
                "Share it only if it is necessary and proportionate.",
                url,
            )
            sent += 1
        record(actor, "person.access_requested", person, person_id=person.pk, criteria=criteria.as_audit())
    if not hidden_ids:
        record(actor, "person.access_requested", None, criteria=criteria.as_audit(), matched=0)
    return sent


# --- Profiles ------------------------------------------------------------------------------


def _check_identity(data: dict) -> None:
    errors = {}
    dob = data.get("date_of_birth")
    if dob and dob > date.today():
        errors["date_of_birth"] = "Date of birth must be in the past."
    if dob and data.get("approximate_age") not in (None, ""):
        errors["approximate_age"] = "Give a date of birth or an approximate age, not both."
    if not (data.get("given_name") or "").strip():
        errors["given_name"] = "Enter a given name."
    if not (data.get("family_name") or "").strip():
        errors["family_name"] = "Enter a family name."
    if errors:
        raise ValidationError(errors)


def _clean_address(data: dict) -> dict:
    data = dict(data)
    data["postcode"] = normalise_postcode(data.get("postcode", ""))
    if data.get("moved_in") and data.get("moved_out") and data["moved_out"] < data["moved_in"]:
        raise ValidationError({"moved_out": "The moved out date must be the same as or after the moved in date."})
    return data


@transaction.atomic
def do_create_person(actor, *, identity: dict, address: dict | None = None) -> Person:
    policy.permit(actor, "person.create")
    _check_identity(identity)
    unknown = set(identity) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    person = Person.objects.create(**identity, created_by=actor, area=actor.organisation.area)
    if address and address.get("line1"):
        Address.objects.create(person=person, **_clean_address(address))
    refresh_search_keys(person)
    record(actor, "person.created", person, person_id=person.pk)
    return person


@transaction.atomic
def do_update_person(actor, person: Person, *, expected_version: int, changes: dict) -> Person:
    """Raises EditConflict when someone else saved since ``expected_version``."""
    policy.permit(actor, "person.edit", person)
    unknown = set(changes) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    merged = {name: getattr(person, name) for name in IDENTITY_FIELDS} | changes
    _check_identity(merged)
    before = {name: getattr(person, name) for name in changes}
    updated = save_if_unchanged(person, expected_version, changes)
    changed = {name: [str(before[name]), str(value)] for name, value in changes.items() if before[name] != value}
    if {"given_name", "family_name"} & set(changed):
        refresh_search_keys(updated)
    record(actor, "person.updated", updated, person_id=updated.pk, changed=changed, version=updated.version)
    return updated


@transaction.atomic
def do_add_name(actor, person: Person, *, kind: str, given_name: str = "", family_name: str = "") -> PersonName:
    policy.permit(actor, "person.edit", person)
    if kind not in PersonName.Kind.values:
        raise ValidationError({"kind": "Choose what kind of name this is."})
    if not (given_name.strip() or family_name.strip()):
        raise ValidationError({"given_name": "Enter a given name, a family name or both."})
    name = PersonName.objects.create(
        person=person, kind=kind, given_name=given_name.strip(), family_name=family_name.strip()
    )
    refresh_search_keys(person)
    record(actor, "person.name_added", name, person_id=person.pk, kind=kind)
    return name


@transaction.atomic
def do_remove_name(actor, name: PersonName) -> None:
    person = name.person
    policy.permit(actor, "person.edit", person)
    record(actor, "person.name_removed", name, person_id=person.pk, name=str(name), kind=name.kind)
    name.delete()
    refresh_search_keys(person)


@transaction.atomic
def do_add_address(actor, person: Person, **fields) -> Address:
    policy.permit(actor, "person.edit", person)
    address = Address.objects.create(person=person, **_clean_address(fields))
    record(actor, "person.address_added", address, person_id=person.pk)
    return address


@transaction.atomic
def do_update_address(actor, address: Address, **fields) -> Address:
    policy.permit(actor, "person.edit", address.person)
    fields = _clean_address(fields)
    before = {name: str(getattr(address, name)) for name in fields}
    for name, value in fields.items():
        setattr(address, name, value)
    address.save()
    changed = {name: [before[name], str(value)] for name, value in fields.items() if before[name] != str(value)}
    record(actor, "person.address_updated", address, person_id=address.person_id, changed=changed)
    return address


@transaction.atomic
def do_add_relationship(
    actor, person: Person, *, related_person: Person, kind: str, lives_with: bool = False
) -> Relationship:
    policy.permit(actor, "person.edit", person)
    # Only profiles the user may see can be linked: linking must never confirm a hidden one.
    if not policy.visible(actor, Person.objects.filter(pk=related_person.pk, merged_into__isnull=True)).exists():
        raise ValidationError({"related_person": "Choose a profile you have access to."})
    if related_person.pk == person.pk:
        raise ValidationError({"related_person": "A person cannot be linked to themselves."})
    if not kind.strip():
        raise ValidationError({"kind": "Enter the relationship, for example mother or brother."})
    link = Relationship.objects.create(
        person=person, related_person=related_person, kind=kind.strip(), lives_with=lives_with
    )
    record(actor, "person.relationship_added", link, person_id=person.pk, related_person_id=related_person.pk)
    record(actor, "person.relationship_added", link, person_id=related_person.pk, related_person_id=person.pk)
    return link


@transaction.atomic
def do_remove_relationship(actor, person: Person, link: Relationship) -> None:
    policy.permit(actor, "person.edit", person)
    if person.pk not in (link.person_id, link.related_person_id):
        raise PermissionDenied("That link is not on this profile.")
    for side in {link.person_id, link.related_person_id}:
        record(actor, "person.relationship_removed", link, person_id=side, kind=link.kind)
    link.delete()


@transaction.atomic
def do_add_flag(actor, person: Person, **fields) -> SafeguardingFlag:
    policy.permit(actor, "person.edit", person)
    if fields.get("kind") not in SafeguardingFlag.Kind.values:
        raise ValidationError({"kind": "Choose a flag."})
    if fields.get("started") and fields.get("ended") and fields["ended"] < fields["started"]:
        raise ValidationError({"ended": "The end date must be the same as or after the start date."})
    if fields.get("kind") == SafeguardingFlag.Kind.OTHER and not (fields.get("detail") or "").strip():
        raise ValidationError({"detail": "Describe the flag when you choose 'Other'."})
    flag = SafeguardingFlag.objects.create(person=person, recorded_by=actor, **fields)
    record(actor, "person.flag_added", flag, person_id=person.pk, kind=flag.kind)
    return flag


@transaction.atomic
def do_end_flag(actor, flag: SafeguardingFlag, *, ended: date) -> SafeguardingFlag:
    policy.permit(actor, "person.edit", flag.person)
    if flag.started and ended < flag.started:
        raise ValidationError({"ended": "The end date must be the same as or after the start date."})
    flag.ended = ended
    flag.save(update_fields=["ended"])
    record(actor, "person.flag_ended", flag, person_id=flag.person_id, ended=ended.isoformat())
    return flag


@transaction.atomic
def do_add_involvement(actor, person: Person, **fields) -> AgencyInvolvement:
    """A row for the actor's own organisation: each agency speaks for itself."""
    policy.permit(actor, "person.add_involvement", person)
    _check_status(fields)
    service = (fields.get("service") or "").strip()
    if AgencyInvolvement.objects.filter(
        person=person, organisation=actor.organisation, service__iexact=service
    ).exists():
        raise ValidationError(
            {"service": "Your organisation already has a row for this service. Update that row instead."}
        )
    involvement = AgencyInvolvement.objects.create(
        person=person, organisation=actor.organisation, updated_by=actor, **{**fields, "service": service}
    )
    record(actor, "person.involvement_added", involvement, person_id=person.pk, status=involvement.status)
    return involvement


def _check_status(fields: dict) -> None:
    if fields.get("status") not in AgencyInvolvement.Status.values:
        raise ValidationError({"status": "Choose the status of your agency's involvement."})


@transaction.atomic
def do_update_involvement(actor, involvement: AgencyInvolvement, **fields) -> AgencyInvolvement:
    policy.permit(actor, "involvement.edit", involvement)
    _check_status(fields)
    before = {name: str(getattr(involvement, name)) for name in fields}
    for name, value in fields.items():
        setattr(involvement, name, value)
    involvement.updated_by = actor
    involvement.save()
    changed = {name: [before[name], str(value)] for name, value in fields.items() if before[name] != str(value)}
    record(actor, "person.involvement_updated", involvement, person_id=involvement.person_id, changed=changed)
    return involvement


# --- Merging duplicates ----------------------------------------------------------------------


@transaction.atomic
def do_merge_people(actor, *, survivor: Person, duplicate: Person) -> Person:
    """Move everything from ``duplicate`` to ``survivor``; the duplicate stays, pointing at it."""
    from roundtable.cases.models import Case

    if survivor.pk == duplicate.pk:
        raise ValidationError("Choose two different profiles to merge.")
    # Lock both rows so two administrators cannot merge them in opposite directions at once.
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    policy.permit(actor, "person.merge", survivor)
    policy.permit(actor, "person.merge", duplicate)
    moved = {
        "names": PersonName.objects.filter(person=duplicate).update(person=survivor),
        "addresses": Address.objects.filter(person=duplicate).update(person=survivor),
        "flags": SafeguardingFlag.objects.filter(person=duplicate).update(person=survivor),
        "involvements": AgencyInvolvement.objects.filter(person=duplicate).update(person=survivor),
        "cases": Case.objects.filter(person=duplicate).update(person=survivor),
    }
    # A link between the two would become a link to oneself: drop it.
    Relationship.objects.filter(person=duplicate, related_person=survivor).delete()
    Relationship.objects.filter(person=survivor, related_person=duplicate).delete()
    moved["relationships"] = Relationship.objects.filter(person=duplicate).update(person=survivor)
    moved["relationships"] += Relationship.objects.filter(related_person=duplicate).update(related_person=survivor)
    # The duplicate's own name stays searchable on the survivor.
    if name_parts(duplicate.given_name, duplicate.family_name) != name_parts(survivor.given_name, survivor.family_name):
        PersonName.objects.create(
            person=survivor,
            kind=PersonName.Kind.OTHER_SPELLING,
            given_name=duplicate.given_name,
            family_name=duplicate.family_name,
        )
    Person.objects.filter(pk=duplicate.pk).update(merged_into=survivor, version=duplicate.version + 1)
    SearchKey.objects.filter(person=duplicate).delete()
    refresh_search_keys(survivor)
    details = {"survivor_id": survivor.pk, "duplicate_id": duplicate.pk, "moved": moved}
    record(actor, "person.merged", survivor, person_id=survivor.pk, **details)
    record(actor, "person.merged", duplicate, person_id=duplicate.pk, **details)
    duplicate.refresh_from_db()
    return survivor
