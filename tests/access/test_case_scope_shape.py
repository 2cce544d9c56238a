"""The case scope is one set of case ids (memberships UNION open agendas), not "member OR on
an agenda": with the OR, PostgreSQL tested every case, task and entry in the table against
both conditions (millions of rows a page at national scale, see bench/pages.py)."""

import pytest

from roundtable.access import policy
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.tasks.models import Task
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Case, ChronologyEntry, Task])
def test_case_scoped_queries_filter_by_one_set_of_readable_case_ids(organisation, model):
    user = UserFactory(organisation=organisation)
    sql = str(policy.visible(user, model.objects.all()).query).upper()
    assert "UNION" in sql
    assert " OR " not in sql.split("UNION")[0]  # no OR around the membership test


def test_the_set_holds_the_users_cases_and_no_others(organisation):
    user = UserFactory(organisation=organisation)
    mine = CaseFactory(owner=user)
    CaseFactory(owner=UserFactory(organisation=organisation))
    assert list(policy.visible(user, Case.objects.all())) == [mine]
