import pytest

from tests.panels.factories import PanelFactory


@pytest.fixture
def panel(area):
    return PanelFactory(area=area, name="Northshire Channel Panel")
