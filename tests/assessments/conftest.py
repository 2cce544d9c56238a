import pytest

from roundtable.accounts.models import Role
from roundtable.cases.models import CaseMembership
from tests.cases.factories import MembershipFactory
from tests.factories import CaseFactory, OrganisationFactory, UserFactory


@pytest.fixture
def team(organisation, area, other_organisation):
    """A case about a person and the people around it: an owner, a contributor from the
    police, a viewer, a colleague of the owner who is not a member, and an outsider."""
    police = OrganisationFactory(name="Northshire Police", area=area)
    owner = UserFactory(organisation=organisation, full_name="Olga Owner", role=Role.PANEL_CHAIR)
    case = CaseFactory(owner=owner, title="Channel referral")
    contributor = UserFactory(organisation=police, full_name="Connor Contributor")
    viewer = UserFactory(organisation=organisation, full_name="Vera Viewer")
    MembershipFactory(case=case, user=contributor, role=CaseMembership.Role.CONTRIBUTOR)
    MembershipFactory(case=case, user=viewer, role=CaseMembership.Role.VIEWER)
    return {
        "case": case,
        "owner": owner,
        "contributor": contributor,
        "viewer": viewer,
        "colleague": UserFactory(organisation=organisation, full_name="Colin Colleague"),
        "outsider": UserFactory(organisation=other_organisation, full_name="Otto Outsider"),
    }
