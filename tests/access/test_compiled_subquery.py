"""Scopes keep the SQL of their subqueries between requests (policy.compiled_subquery), never
a result: access given or taken away after the SQL was compiled shows at once, and one
user's SQL never serves another."""

import pytest

from roundtable.access import policy
from roundtable.accounts.models import User
from roundtable.cases.models import Case, CaseMembership
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The same account as a later request loads it: a new user object."""
    return User.objects.get(pk=user.pk)


def test_a_membership_given_after_the_sql_was_compiled_is_seen_on_the_next_request(organisation):
    user = UserFactory(organisation=organisation)
    assert list(policy.visible(fresh(user), Case.objects.all())) == []  # compiles and keeps the SQL
    case = CaseFactory(owner=UserFactory(organisation=organisation), members=[user])
    assert list(policy.visible(fresh(user), Case.objects.all())) == [case]


def test_a_membership_taken_away_is_gone_on_the_next_request_and_in_the_same_one(organisation):
    user = UserFactory(organisation=organisation)
    case = CaseFactory(owner=UserFactory(organisation=organisation), members=[user])
    same_request = fresh(user)
    assert list(policy.visible(same_request, Case.objects.all())) == [case]
    CaseMembership.objects.filter(case=case, user=user).delete()
    assert list(policy.visible(same_request, Case.objects.all())) == []
    assert list(policy.visible(fresh(user), Case.objects.all())) == []


def test_each_user_is_answered_with_their_own_sql(organisation):
    first, second = UserFactory(organisation=organisation), UserFactory(organisation=organisation)
    firsts, seconds = CaseFactory(owner=first), CaseFactory(owner=second)
    assert list(policy.visible(fresh(first), Case.objects.all())) == [firsts]
    assert list(policy.visible(fresh(second), Case.objects.all())) == [seconds]
    assert list(policy.visible(fresh(first), Case.objects.all())) == [firsts]


def test_the_kept_sql_is_bounded(organisation, monkeypatch):
    monkeypatch.setattr(policy, "COMPILED_LIMIT", 2)
    monkeypatch.setattr(policy, "_COMPILED", type(policy._COMPILED)())
    for _ in range(4):
        list(policy.visible(UserFactory(organisation=organisation), Case.objects.all()))
    assert len(policy._COMPILED) == 2


def test_a_build_that_reads_the_database_is_refused_when_its_sql_is_reused(organisation, settings):
    """The contract (builds depend on the user's id, role and organisation only) is checked in
    the test suite: a build whose SQL would change fails on its first reuse."""
    settings.VERIFY_COMPILED_SUBQUERIES = True
    user = UserFactory(organisation=organisation)
    CaseFactory(owner=user)

    def build():  # wrongly inlines what the database holds now
        return Case.objects.filter(pk__in=list(Case.objects.values_list("pk", flat=True)))

    policy.compiled_subquery(user, "test.reads_the_database", build)
    CaseFactory(owner=user)
    with pytest.raises(AssertionError, match="test.reads_the_database"):
        policy.compiled_subquery(fresh(user), "test.reads_the_database", build)


def test_without_verification_the_kept_sql_is_reused_as_it_is(organisation, settings):
    settings.VERIFY_COMPILED_SUBQUERIES = False
    user = UserFactory(organisation=organisation)
    built = []

    def build():
        built.append(1)
        return Case.objects.filter(owner_id=user.pk)

    first = policy.compiled_subquery(user, "test.kept", build)
    assert policy.compiled_subquery(fresh(user), "test.kept", build) is first
    assert len(built) == 1
