"""Cases: need to know. A user sees a case because they are a member of it.

Chronology entries are visible with their case, but a restricted ("locked down") entry's
content is for its author and the members named on it only. Everyone else on the case
sees that it exists, when, and whom to ask. ``with_content_visibility`` is the one place
that decides this for a queryset; ``entry.read_content`` decides it for one entry.

Papers sent ahead: the people of a panel meeting whose agenda is published may READ the
cases on it (case, chronology, documents) until the meeting closes — see
roundtable/access/rules/meetings.py. That widens what is visible (``_readers``) and
``case.view`` / ``entry.read_content``, never what may be written, and restricted
content stays for the people named on it.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from roundtable.access.policy import compiled_subquery, rule, scope

OWNER, CONTRIBUTOR = "owner", "contributor"


def membership(user, case):
    """The user's role on the case (a Case or its id), or None.

    Remembered on the user object (one per request) because a chronology page asks
    several rules about the same case for every entry; services that change
    memberships call ``forget_memberships``."""
    from roundtable.cases.models import CaseMembership

    case_id = getattr(case, "pk", case)
    if case_id is None or user is None or not user.is_authenticated:
        return None
    cache = getattr(user, "_case_roles", None)
    if cache is None:
        cache = {}
        user._case_roles = cache
    if case_id not in cache:
        cache[case_id] = (
            CaseMembership.objects.filter(case_id=case_id, user_id=user.pk).values_list("role", flat=True).first()
        )
    return cache[case_id]


def forget_memberships(*users) -> None:
    """Drop remembered roles after memberships change."""
    for user in users:
        if user is not None and getattr(user, "_case_roles", None):
            user._case_roles = {}
        if user is not None:
            user.__dict__.pop("_agenda_cases", None)


def readable_case_ids(user):
    """A subquery of the ids of the cases ``user`` may read: their memberships, and (read-only)
    the cases on the open published agendas of their meetings.

    One set of ids, so "case IN (this)" lets PostgreSQL fetch the user's few cases by key.
    Written as "a member (EXISTS) OR on an agenda (IN)", the OR made it test every case, task
    or entry in the table against both, which at national scale is millions of rows a page."""
    from roundtable.access.rules.meetings import open_agenda_case_ids
    from roundtable.cases.models import CaseMembership

    def build():
        mine = CaseMembership.objects.filter(user_id=user.pk).order_by().values("case_id")
        return mine.union(open_agenda_case_ids(user).order_by())

    return compiled_subquery(user, "readable_case_ids", build)


def _readers(user, case_field: str) -> Q:
    """Members of the case at ``case_field``, and (read-only) readers of it on an open published agenda."""
    return Q(**{f"{case_field}__in": readable_case_ids(user)})


def can_read(user, case) -> bool:
    """Members, and the people of a meeting with the case on its open published agenda."""
    from roundtable.access.rules.meetings import on_open_agenda

    return membership(user, case) is not None or on_open_agenda(user, case)


@scope("cases.case")
def cases(user, qs):
    return qs.filter(_readers(user, "pk"))


@scope("cases.casemembership")
def memberships(user, qs):
    return qs.filter(_readers(user, "case_id"))


@scope("cases.chronologyentry")
def entries(user, qs):
    """Entries of cases the user may read (content visibility: see below)."""
    return qs.filter(_readers(user, "case_id"))


@scope("cases.entryrevision")
def revisions(user, qs):
    """Earlier text of entries: only where the user may read the entry's content."""
    from roundtable.cases.models import ChronologyEntry

    readable = content_visible_q(user, prefix="")
    return qs.filter(entry__in=ChronologyEntry.objects.filter(_readers(user, "case_id")).filter(readable).values("pk"))


def content_visible_q(user, prefix: str = "") -> Q:
    """Q for "this user may read the entry's summary and body" (membership checked separately)."""
    from roundtable.cases.models import ChronologyEntry

    named = Exists(
        ChronologyEntry.restricted_to.through.objects.filter(
            chronologyentry_id=OuterRef(f"{prefix}pk"), user_id=user.pk
        )
    )
    return Q(**{f"{prefix}is_restricted": False}) | Q(**{f"{prefix}author_id": user.pk}) | Q(named)


def with_content_visibility(user, qs):
    """Visible entries, each annotated ``content_visible`` (True when the user may read its text).

    Pages, the API, live fragments and filters all read entries through this."""
    from roundtable.access import policy

    flag = ExpressionWrapper(content_visible_q(user), output_field=BooleanField())
    return policy.visible(user, qs).annotate(content_visible=flag)


def _may_read(user, entry) -> bool:
    if getattr(entry, "content_visible", None) is not None:
        return bool(entry.content_visible)
    if not entry.is_restricted or entry.author_id == user.pk:
        return True
    return entry.restricted_to.filter(pk=user.pk).exists()


@rule("case.create")
def create_case(user, obj):
    from roundtable.access.rules.people import create_person

    return create_person(user, obj)


@rule("case.list")
def list_cases(user, obj):
    return create_case(user, obj)


@rule("case.view")
def view_case(user, case):
    return can_read(user, case)


@rule("case.contribute")
def contribute(user, case):
    return membership(user, case) in (OWNER, CONTRIBUTOR)


@rule("case.manage_members")
def manage_members(user, case):
    return membership(user, case) == OWNER


@rule("case.edit")
def edit_case(user, case):
    # Title, state and lead organisation are the owners' to change, like membership.
    return membership(user, case) == OWNER


@rule("entry.create")
def create_entry(user, case):
    return contribute(user, case)


@rule("entry.read_content")
def read_entry_content(user, entry):
    return can_read(user, entry.case_id) and _may_read(user, entry)


@rule("entry.history")
def read_entry_history(user, entry):
    # The earlier text (and a retracted entry's original) is content too.
    return read_entry_content(user, entry)


@rule("entry.amend")
def amend_entry(user, entry):
    return entry.retracted_at is None and entry.author_id == user.pk and contribute(user, entry.case_id)


@rule("entry.retract")
def retract_entry(user, entry):
    if entry.retracted_at is not None:
        return False
    role = membership(user, entry.case_id)
    return (entry.author_id == user.pk and role in (OWNER, CONTRIBUTOR)) or role == OWNER


@rule("entry.restrict")
def restrict_entry(user, entry):
    return entry.retracted_at is None and entry.author_id == user.pk and contribute(user, entry.case_id)
