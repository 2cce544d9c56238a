from datetime import date, timedelta

import pytest
from django.utils import timezone

from roundtable.accounts.models import Role
from roundtable.cases.models import CaseMembership
from tests.cases.factories import MembershipFactory
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory


def born_years_ago(years: int, days: int = 30) -> date:
    """A date of birth that makes someone ``years`` old today (and for the last ``days`` days)."""
    today = timezone.localdate() - timedelta(days=days)
    return today.replace(year=today.year - years, day=min(today.day, 28))


@pytest.fixture
def team(cast, area):
    """A case about Jaden Millbrook (17), owned by the practitioner, with a police
    contributor and a viewer; the panel chair and panel admin of the area are not on it."""
    owner = cast["practitioner"]
    police = UserFactory(
        organisation=OrganisationFactory(name="Northshire Police", area=area), full_name="Dev Constable"
    )
    viewer = UserFactory(organisation=owner.organisation, full_name="Vera Viewer", role=Role.PRACTITIONER)
    person = PersonFactory(
        given_name="Jaden", family_name="Millbrook", date_of_birth=born_years_ago(17), created_by=owner
    )
    case = CaseFactory(owner=owner, person=person, title="Channel support")
    MembershipFactory(case=case, user=police, role=CaseMembership.Role.CONTRIBUTOR)
    MembershipFactory(case=case, user=viewer, role=CaseMembership.Role.VIEWER)
    return {"case": case, "owner": owner, "police": police, "viewer": viewer, "person": person}
