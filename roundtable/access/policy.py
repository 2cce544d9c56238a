"""THE access policy: the one place that answers "may this user do this?" and
"which of these may this user see?".

Views, the API, exports and the real-time layer ask only here. Anything not granted
by a rule below is refused, and callers turn a refusal on a read into a 404.

Two kinds of entry:
- ``RULES[action](user, obj)`` -> bool, asked through ``can``;
- ``SCOPES[model label](user, queryset)`` -> queryset, applied through ``visible``.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from roundtable.accounts.models import Role

Rule = Callable[..., bool]
Scope = Callable[..., QuerySet]

RULES: dict[str, Rule] = {}
SCOPES: dict[str, Scope] = {}


def rule(action: str):
    def register(func: Rule) -> Rule:
        if action in RULES:
            raise ValueError(f"Two rules for {action}")
        RULES[action] = func
        return func

    return register


def scope(model_label: str):
    def register(func: Scope) -> Scope:
        SCOPES[model_label] = func
        return func

    return register


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can(user, action: str, obj: Model | None = None) -> bool:
    if not _signed_in(user):
        return False
    try:
        check = RULES[action]
    except KeyError:
        raise LookupError(f"No access rule for {action!r}: add one to roundtable/access") from None
    return bool(check(user, obj))


def visible(user, queryset: QuerySet) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see (nothing, for a model without a scope)."""
    if not _signed_in(user):
        return queryset.none()
    scope_for = SCOPES.get(queryset.model._meta.label_lower)
    if scope_for is None:
        raise LookupError(f"No access scope for {queryset.model._meta.label}: add one to roundtable/access")
    return scope_for(user, queryset)


def get_visible_or_404(user, queryset: QuerySet, **lookup):
    """Fetch one object the user may see. "No such thing" and "not yours" look the same."""
    try:
        return visible(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require(user, action: str, obj: Model | None = None) -> None:
    """For actions on things the user can already see: refusal is a 404 so nothing is confirmed."""
    if not can(user, action, obj):
        raise Http404


def permit(actor, action: str, obj: Model | None = None, *, doing: str = "") -> None:
    """For services: refuse an action the actor may not take, naming it: "You cannot " and
    ``doing`` ("choose this panel's forms"), or else the action's own name ("close case").
    An actor of None is a trusted operator at the command line (manage.py, data loading)."""
    if actor is not None and not can(actor, action, obj):
        raise PermissionDenied(f"You cannot {doing or action.replace('.', ' ').replace('_', ' ')}")


# Compiled scope subqueries, shared by the requests of one app process (see compiled_subquery).
_COMPILED: OrderedDict[tuple, RawSQL] = OrderedDict()
_COMPILED_LOCK = threading.Lock()
COMPILED_LIMIT = 20_000  # about 2 KB each: a few tens of MB at most per process


def compiled_subquery(user, name: str, build: Callable[[], QuerySet]) -> RawSQL:
    """The subquery ``build()`` makes for ``user``, compiled to SQL once and kept, for use
    as ``field__in=...``.

    Scopes put the same few subqueries into every query of every page; building and
    compiling Django's nested querysets each time cost more CPU than the database took to
    answer them. Only the SQL text is kept, never a result: the database evaluates the
    subquery afresh in every query, so nothing goes stale when access changes.

    ``build`` must depend only on the user's id, role and organisation (the key), never on
    values read from the database or the clock: the SQL is reused by every later request of
    that user in this process (a bounded, least-recently-used store). With the setting
    VERIFY_COMPILED_SUBQUERIES (on in the test suite) every reuse builds the subquery again
    and refuses SQL that differs, so a build that breaks this fails the tests that use it."""
    key = (name, user.pk, user.role, user.organisation_id, user.is_active)
    with _COMPILED_LOCK:
        compiled = _COMPILED.get(key)
        if compiled is not None:
            _COMPILED.move_to_end(key)
    if compiled is not None:
        if getattr(settings, "VERIFY_COMPILED_SUBQUERIES", False):
            _refuse_changed_sql(name, user, compiled, _compile(build))
        return compiled
    compiled = _compile(build)
    with _COMPILED_LOCK:
        _COMPILED[key] = compiled
        while len(_COMPILED) > COMPILED_LIMIT:
            _COMPILED.popitem(last=False)
    return compiled


def _compile(build: Callable[[], QuerySet]) -> RawSQL:
    queryset = build()
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return RawSQL(sql, params)  # noqa: S611 (Django compiled it; params stay bound)


def _refuse_changed_sql(name: str, user, kept: RawSQL, fresh: RawSQL) -> None:
    if (kept.sql, tuple(kept.params)) != (fresh.sql, tuple(fresh.params)):
        raise AssertionError(
            f"The {name!r} scope subquery for user {user.pk} compiled to different SQL on reuse: its build "
            "depends on more than the user's id, role and organisation, so the kept SQL would be stale."
        )


def has_role(user, *roles: Role) -> bool:
    return user.role in roles
