"""A panel meeting to run live: the cast and the agenda the live meeting, minutes and audio
tests share (imported as fixtures by those tests only).

A Behaviour Support – secondary panel in Northshire: Chloe Chair chairs it, Adam Admin
administers it, Mina Member and Nico Newcomer are standing members. Two cases: the
"school" case (Adam Admin and Mina Member are contributors) and the "family" case (only
its owner and the chair). The meeting's agenda (published) has the school case, the family
case and an item of other business, in that order. Otto Outsider is not on the panel."""

import pytest

from roundtable.accounts.models import Role
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.meetings.factories import BehaviourPanelFactory, ItemFactory, MeetingFactory, publish


@pytest.fixture
def room(area, organisation, other_organisation):
    school = OrganisationFactory(name="Northshire Academy", area=area, sector="education")
    chair = UserFactory(organisation=organisation, full_name="Chloe Chair", role=Role.PANEL_CHAIR)
    admin = UserFactory(organisation=organisation, full_name="Adam Admin", role=Role.PANEL_ADMIN)
    member = UserFactory(organisation=school, full_name="Mina Member")
    newcomer = UserFactory(organisation=school, full_name="Nico Newcomer")
    owner = UserFactory(organisation=organisation, full_name="Olga Owner")
    panel = BehaviourPanelFactory(
        area=area, name="Northshire Behaviour Panel", chair=chair, administrators=[admin], members=[member, newcomer]
    )
    school_case = CaseFactory(owner=owner, members=[admin, member, chair], area=area, title="School case")
    family_case = CaseFactory(owner=owner, members=[chair], area=area, title="Family case")
    meeting = MeetingFactory(panel=panel)
    items = [
        ItemFactory(meeting=meeting, case=school_case, position=1, added_by=chair),
        ItemFactory(meeting=meeting, case=family_case, position=2, added_by=chair),
        ItemFactory(meeting=meeting, case=None, kind="other_business", title="Training dates", position=3,
                    added_by=chair),
    ]  # fmt: skip
    publish(meeting)
    return {
        "panel": panel,
        "meeting": meeting,
        "items": items,
        "school_case": school_case,
        "family_case": family_case,
        "chair": chair,
        "admin": admin,
        "member": member,
        "newcomer": newcomer,
        "owner": owner,
        "outsider": UserFactory(organisation=other_organisation, full_name="Otto Outsider"),
    }
