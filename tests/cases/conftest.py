import pytest

from roundtable.accounts.models import Role
from roundtable.cases.models import CaseMembership
from tests.cases.factories import MembershipFactory
from tests.factories import CaseFactory, EntryFactory, OrganisationFactory, UserFactory


@pytest.fixture
def police(area):
    return OrganisationFactory(name="Northshire Police", area=area)


@pytest.fixture
def team(organisation, police, other_organisation):
    """A case and the people around it: an owner, a contributor from another agency, a
    viewer, a colleague of the owner who is not a member, and an outsider elsewhere."""
    owner = UserFactory(organisation=organisation, full_name="Olga Owner", role=Role.PRACTITIONER)
    case = CaseFactory(owner=owner, title="Referral about a young person")
    contributor = UserFactory(organisation=police, full_name="Connor Contributor", role=Role.PRACTITIONER)
    viewer = UserFactory(organisation=organisation, full_name="Vera Viewer", role=Role.PRACTITIONER)
    MembershipFactory(case=case, user=contributor, role=CaseMembership.Role.CONTRIBUTOR)
    MembershipFactory(case=case, user=viewer, role=CaseMembership.Role.VIEWER)
    return {
        "case": case,
        "owner": owner,
        "contributor": contributor,
        "viewer": viewer,
        "colleague": UserFactory(organisation=organisation, full_name="Colin Colleague", role=Role.PRACTITIONER),
        "outsider": UserFactory(organisation=other_organisation, full_name="Otto Outsider", role=Role.PRACTITIONER),
    }


SECRET = "The child disclosed something only the chair may read"


@pytest.fixture
def restricted_entry(team):
    """An entry by the contributor, restricted to the owner: the viewer must not read it."""
    entry = EntryFactory(
        case=team["case"], author=team["contributor"], summary="Secret summary", body=SECRET, is_restricted=True
    )
    entry.restricted_to.set([team["owner"]])
    return entry
