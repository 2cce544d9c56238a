import pytest

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
