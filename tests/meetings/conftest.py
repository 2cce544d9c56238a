import pytest

from tests.factories import CaseFactory, UserFactory
from tests.meetings.factories import MeetingFactory
from tests.panels.factories import PanelFactory


@pytest.fixture
def member(organisation):
    return UserFactory(organisation=organisation, full_name="Morgan Member")


@pytest.fixture
def panel(area, member):
    return PanelFactory(area=area, name="Northshire Channel Panel", members=[member])


@pytest.fixture
def chair(panel):
    return panel.chair


@pytest.fixture
def admin(panel):
    return panel.administrators.first()


@pytest.fixture
def meeting(panel):
    return MeetingFactory(panel=panel)


@pytest.fixture
def case(panel, chair):
    """A case the chair owns; the member is not on it."""
    owner = UserFactory(organisation=chair.organisation)
    return CaseFactory(owner=owner, members=[chair], area=panel.area)
