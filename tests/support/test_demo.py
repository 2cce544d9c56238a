"""The demo shows each consent and support state worth trying, and loads twice."""

import pytest
from django.core.management import call_command

from roundtable.cases.models import Case
from roundtable.support import services
from roundtable.support.models import ConsentRecord, Intervention, InterventionProvider

pytestmark = pytest.mark.django_db


def test_the_demo_has_consent_in_force_a_withdrawal_and_dbs_warnings_and_loads_twice(capsys):
    call_command("load_demo")
    counts = (ConsentRecord.objects.count(), Intervention.objects.count(), InterventionProvider.objects.count())
    channel = Case.objects.get(title__startswith="Channel support")
    referral = Case.objects.get(title__startswith="Referral from Millford Academy")
    assert services.consent_in_force(channel) is not None
    state = services.consent_state(referral)
    assert "withdrawn" in state.problem
    flagged = services.with_warnings(Intervention.objects.filter(case=referral), state)
    assert [item.consent_flag is not None for item in flagged] == [True]
    warnings = {services.dbs_warning(p) for p in InterventionProvider.objects.all()}
    assert len(warnings) == 3  # one current (None), one expired, one missing
    call_command("load_demo")
    assert (ConsentRecord.objects.count(), Intervention.objects.count(), InterventionProvider.objects.count()) == counts
