"""Factories for panels (a Channel panel with its police lead, Prevent team and leads)."""

import factory

from roundtable.accounts.models import Role, Sector
from roundtable.panels.models import Panel
from tests.factories import AreaFactory, OrganisationFactory, UserFactory


class PanelFactory(factory.django.DjangoModelFactory):
    """A Channel panel: chair and leads from the council, police lead and Prevent officer from the police."""

    class Meta:
        model = Panel
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Channel Panel {n}")
    kind = Panel.Kind.CHANNEL
    area = factory.SubFactory(AreaFactory)
    chair = factory.LazyAttribute(
        lambda p: UserFactory(role=Role.PANEL_CHAIR, organisation=OrganisationFactory(area=p.area))
    )
    police_lead = factory.LazyAttribute(
        lambda p: UserFactory(organisation=OrganisationFactory(area=p.area, sector=Sector.POLICE))
    )
    adults_lead = factory.LazyAttribute(lambda p: UserFactory(organisation=p.chair.organisation))
    children_lead = factory.LazyAttribute(lambda p: UserFactory(organisation=p.chair.organisation))

    @factory.post_generation
    def prevent_team(obj, create, extracted, **kwargs):
        if create:
            team = extracted if extracted is not None else [UserFactory(organisation=obj.police_lead.organisation)]
            obj.prevent_team.set(team)

    @factory.post_generation
    def administrators(obj, create, extracted, **kwargs):
        if create:
            admins = (
                extracted
                if extracted is not None
                else [UserFactory(role=Role.PANEL_ADMIN, organisation=obj.chair.organisation)]
            )
            obj.administrators.set(admins)

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.set(extracted)
