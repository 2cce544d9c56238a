"""The chronology's author and organisation filters are read from distinct pairs, not every entry."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roundtable.cases.queries import entry_filter_choices
from tests.factories import CaseFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_filter_choices_name_each_author_and_organisation_once(organisation, other_organisation):
    case = CaseFactory(owner=UserFactory(organisation=organisation, full_name="Bea Owner"))
    partner = UserFactory(organisation=other_organisation, full_name="Al Partner")
    for _ in range(3):
        EntryFactory(case=case)
        EntryFactory(case=case, author=partner, organisation=other_organisation)

    authors, organisations = entry_filter_choices(case)

    assert [name for _, name in authors] == ["Al Partner", "Bea Owner"]
    assert [name for _, name in organisations] == sorted([organisation.name, other_organisation.name], key=str.lower)


def test_filter_choices_fetch_one_row_per_author_and_organisation_not_per_entry(organisation):
    # A 20,000-entry case must not send 20,000 rows to Python for a two-name filter: the
    # model's default ordering would otherwise join the DISTINCT and keep every entry's date.
    # One row for the author and one for the organisation, however many entries.
    case = CaseFactory(owner=UserFactory(organisation=organisation))
    for _ in range(12):
        EntryFactory(case=case)

    with CaptureQueriesContext(connection) as queries:
        entry_filter_choices(case)

    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute(queries[0]["sql"].replace("%", "%%"))
        assert len(cursor.fetchall()) == 2
