"""THE access policy: the one place that answers "may this user do this?" and
"which of these may this user see?".

Views, the API, exports and the real-time layer ask only here. Anything not granted
by a rule below is refused, and callers turn a refusal on a read into a 404.

Two kinds of entry:
- ``RULES[action](user, obj)`` -> bool, asked through ``can``;
- ``SCOPES[model label](user, queryset)`` -> queryset, applied through ``visible``.
"""

from collections.abc import Callable

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


def permit(actor, action: str, obj: Model | None = None) -> None:
    """For services: refuse an action the actor may not take, naming it ("You cannot close case").
    An actor of None is a trusted operator at the command line (manage.py, data loading)."""
    if actor is not None and not can(actor, action, obj):
        raise PermissionDenied(f"You cannot {action.replace('.', ' ').replace('_', ' ')}")


def compiled_subquery(user, name: str, build: Callable[[], QuerySet]) -> RawSQL:
    """The subquery ``build()`` makes for ``user``, compiled to SQL once per user object (one
    per request) and kept on it under ``name``, for use as ``field__in=...``.

    Scopes put the same subquery into many queries of a page; building and compiling
    Django's nested querysets each time cost more CPU than the database took to answer.
    Only the SQL text is kept, never its result: the database evaluates the subquery afresh
    in every query, so nothing goes stale when access changes. ``build`` must depend on
    nothing but the user's id (no values read from the database)."""
    key = f"_compiled_{name}"
    compiled = user.__dict__.get(key)
    if compiled is None:
        queryset = build()
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        compiled = user.__dict__[key] = RawSQL(sql, params)  # noqa: S611 (Django compiled it; params stay bound)
    return compiled


def has_role(user, *roles: Role) -> bool:
    return user.role in roles
