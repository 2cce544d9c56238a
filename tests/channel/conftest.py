import copy

import pytest

from roundtable.formbuilder.models import PanelFormChoice
from roundtable.formbuilder.standard import CHANNEL_REFERRAL
from tests.formbuilder.factories import published_definition
from tests.panels.factories import PanelFactory


@pytest.fixture
def panel(area):
    return PanelFactory(area=area, name="Northshire Channel Panel")


@pytest.fixture
def prevent_officer(panel):
    return panel.prevent_team.first()


@pytest.fixture
def panel_admin(panel):
    return panel.administrators.first()


def own_form(area, **changes):
    """The standard Channel referral with questions of the panel's own added: 'Did this happen
    online?' (required) and 'Which website or app' (required, asked only when it did)."""
    doc = copy.deepcopy(CHANNEL_REFERRAL)
    doc["name"] = "Northshire Channel referral"
    doc["sections"][1]["questions"].append(
        {"id": "q_online", "kind": "yes_no", "label": "Did this happen online?", "required": True}
    )
    doc["sections"][1]["questions"].append(
        {
            "id": "q_platform",
            "kind": "short_text",
            "label": "Which website or app",
            "required": True,
            "show_if": {"question": "q_online", "op": "equals", "value": "yes"},
        }
    )
    doc.update(changes)
    return published_definition(area, doc)


@pytest.fixture
def definition(panel):
    """The panel's own referral form (own_form), chosen for the panel."""
    definition = own_form(panel.area)
    PanelFormChoice.objects.create(panel=panel, purpose="referral", definition=definition)
    return definition
