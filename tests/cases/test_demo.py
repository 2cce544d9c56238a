"""The demo loader gives a lived-in chronology and can be run twice."""

import pytest
from django.core.management import call_command

from roundtable.cases.models import Case, ChronologyEntry, EntryRevision

pytestmark = pytest.mark.django_db


def test_the_demo_has_cases_of_several_kinds_with_restricted_and_amended_entries_and_loads_twice(capsys):
    call_command("load_demo")
    counts = (Case.objects.count(), ChronologyEntry.objects.count(), EntryRevision.objects.count())
    # roundtable/channel/demo.py adds referrals of its own ("Prevent referral"): not the cases demo's.
    referrals = Case.objects.filter(title="Prevent referral").count()
    assert counts[0] - referrals == 8
    assert Case.objects.values("kind").distinct().count() >= 5
    assert ChronologyEntry.objects.filter(is_restricted=True).count() == 8
    assert ChronologyEntry.objects.filter(retracted_at__isnull=False).exists()
    for case in Case.objects.exclude(title="Prevent referral"):
        assert 10 < case.entries.count() <= 41
        assert case.memberships.values("user__organisation").distinct().count() >= 2
    call_command("load_demo")
    assert (Case.objects.count(), ChronologyEntry.objects.count(), EntryRevision.objects.count()) == counts
