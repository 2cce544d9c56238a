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
