"""Every route, every role, proved over HTTP. An unauthorised read is a 404, never a leak."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from roundtable.api.services import do_create_token
from tests.conftest import force_sign_in
from tests.security.matrix import DOMAIN_OF, MATRIX
from tests.security.rows import ROLES

IGNORED_PREFIXES = ("static/",)


def route_names(patterns=None, namespace=""):
    """Every named URL pattern the project serves, as 'namespace:name'."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            if str(entry.pattern).startswith(IGNORED_PREFIXES):
                continue
            assert entry.name, f"URL pattern {entry.pattern} has no name, so the matrix cannot cover it"
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_route_is_in_the_matrix():
    served = set(route_names())
    missing = served - set(MATRIX)
    stale = set(MATRIX) - served
    assert not missing, f"Routes with no row in tests/security/matrix.py: {sorted(missing)}"
    assert not stale, f"Matrix rows for routes that no longer exist: {sorted(stale)}"


def _request(client, row, url, role, world):
    headers = {}
    if role != "anonymous":
        user = world[role]
        if row.api:
            _, raw = do_create_token(user, name="matrix", days=1)
            headers["Authorization"] = f"Bearer {raw}"
        else:
            force_sign_in(client, user)
    call = client.post if row.method == "POST" else client.get
    return call(url, data=row.data(world), headers=headers)


class _RolledBack(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(cast, organisation, route):
    """Builds the route's objects once, then asks as each role in turn. Each request runs
    in a savepoint that is rolled back, so one role's change (a deactivation, a removal)
    cannot change what the next role gets."""
    row = MATRIX[route]
    world = {**cast, "organisation": organisation}
    DOMAIN_OF[route].build(world)
    url = reverse(route, kwargs=row.kwargs(world))
    wrong = []
    for role in ROLES:
        try:
            with transaction.atomic():
                response = _request(Client(), row, url, role, world)
                raise _RolledBack
        except _RolledBack:
            pass
        if response.status_code != row.expected(role):
            wrong.append(f"{row.method} {url} as {role}: got {response.status_code}, matrix says {row.expected(role)}")
    assert not wrong, "\n".join(wrong)
