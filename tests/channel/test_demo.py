"""The demo has a Channel panel, referrals waiting for screening and Channel cases at later steps; it loads twice."""

import pytest
from django.core.management import call_command

from roundtable.channel.models import ChannelCase
from roundtable.panels.models import Panel, WorkflowEvent

pytestmark = pytest.mark.django_db


def test_the_demo_channel_panel_and_referrals_load_and_load_again(capsys):
    call_command("load_demo")
    panel = Panel.objects.get(name="Northshire Channel Panel")
    assert (panel.chair.full_name, panel.police_lead.full_name) == ("Charlie Chair", "Dev Constable")
    assert panel.administrators.get().full_name == "Pat Panel"
    states = sorted(ChannelCase.objects.values_list("state", flat=True))
    assert states.count("referred") == 3
    assert {"with_local_authority", "awaiting_panel", "exited"} <= set(states)
    counts = (ChannelCase.objects.count(), WorkflowEvent.objects.count())
    call_command("load_demo")
    assert (ChannelCase.objects.count(), WorkflowEvent.objects.count()) == counts
