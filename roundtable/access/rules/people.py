"""Person profiles are visible through a visible case (or to whoever created them, until
the profile has a case). That includes, read-only, a case on an open published agenda of a
meeting the user is part of (papers sent ahead, see roundtable/access/rules/meetings.py):
the panel reads who the case is about. A merged duplicate is visible to whoever may see its survivor,
so old links still lead somewhere."""

from django.db.models import Exists, OuterRef, Q

from roundtable.access.policy import compiled_subquery, rule, scope
from roundtable.accounts.models import Role

CASE_WORKERS = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)
EDITING_ROLES = ("owner", "contributor")


def _member_of_case_of(user, outer: str = "pk", roles=None):
    from roundtable.cases.models import CaseMembership

    memberships = CaseMembership.objects.filter(case__person=OuterRef(outer), user_id=user.pk)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Exists(memberships)


def _has_no_case(outer: str = "pk"):
    from roundtable.cases.models import Case

    return ~Exists(Case.objects.filter(person=OuterRef(outer)))


def _on_open_agenda_of(user, outer: str = "pk"):
    from roundtable.access.rules.meetings import open_agenda_case_ids
    from roundtable.cases.models import Case

    agenda_cases = compiled_subquery(user, "open_agenda_case_ids", lambda: open_agenda_case_ids(user))
    return Exists(Case.objects.filter(person=OuterRef(outer), pk__in=agenda_cases))


def _visible_condition(user) -> Q:
    own_caseless = Q(created_by_id=user.pk) & Q(_has_no_case())
    survivor_visible = Q(merged_into__isnull=False) & Q(_member_of_case_of(user, "merged_into"))
    return Q(_member_of_case_of(user)) | Q(_on_open_agenda_of(user)) | own_caseless | survivor_visible


@scope("people.person")
def people(user, qs):
    # Exists() subqueries rather than joins: no duplicates, no DISTINCT, and the planner
    # can use the membership (user, case) index.
    return qs.filter(_visible_condition(user))


def _visible_people_ids(user):
    from roundtable.people.models import Person

    return compiled_subquery(user, "visible_person_ids", lambda: people(user, Person.objects.all()).values("pk"))


# Parts of a profile are visible exactly when the profile is.
@scope("people.personname")
@scope("people.address")
@scope("people.safeguardingflag")
@scope("people.agencyinvolvement")
def person_parts(user, qs):
    return qs.filter(person_id__in=_visible_people_ids(user))


@scope("people.relationship")
def relationships(user, qs):
    # Both ends must be visible: a link never reveals a profile the user may not see.
    visible = _visible_people_ids(user)
    return qs.filter(person_id__in=visible, related_person_id__in=visible)


def _sees(user, person) -> bool:
    from roundtable.people.models import Person

    return people(user, Person.objects.filter(pk=person.pk)).exists()


@rule("person.create")
def create_person(user, obj):
    # Case content is for practitioners and panel staff, not system administrators or auditors.
    return user.role in CASE_WORKERS


@rule("person.search")
def search_people(user, obj):
    return create_person(user, obj)


@rule("person.request_access")
def request_access(user, obj):
    return create_person(user, obj)


@rule("person.edit")
def edit_person(user, person):
    """Owners and contributors of one of the person's cases; the creator while it has no case."""
    from roundtable.cases.models import Case, CaseMembership

    if person is None or person.merged_into_id is not None or user.role not in CASE_WORKERS:
        return False
    if CaseMembership.objects.filter(case__person=person, user_id=user.pk, role__in=EDITING_ROLES).exists():
        return True
    return person.created_by_id == user.pk and not Case.objects.filter(person=person).exists()


@rule("person.add_involvement")
def add_involvement(user, person):
    """Any partner who can see the profile may say whether their own agency works with the person."""
    if person is None or person.merged_into_id is not None or user.role not in CASE_WORKERS:
        return False
    return _sees(user, person)


@rule("involvement.edit")
def edit_involvement(user, involvement):
    """Each agency keeps its own row up to date; everyone else reads it."""
    if involvement is None or involvement.organisation_id != user.organisation_id:
        return False
    return add_involvement(user, involvement.person)


@rule("person.merge")
def merge_person(user, person):
    """Organisation and panel administrators who can see the profile (asked of both profiles)."""
    if person is None or person.merged_into_id is not None:
        return False
    return user.role in (Role.ORG_ADMIN, Role.PANEL_ADMIN) and _sees(user, person)
