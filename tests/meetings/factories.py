"""Meetings test data."""

from datetime import timedelta

import factory
from django.utils import timezone

from roundtable.accounts.models import Role
from roundtable.meetings.models import AgendaItem, Meeting
from roundtable.panels.models import Panel
from tests.factories import OrganisationFactory, UserFactory
from tests.panels.factories import PanelFactory


class BehaviourPanelFactory(PanelFactory):
    """A Behaviour Support – secondary panel (no Channel settings)."""

    name = factory.Sequence(lambda n: f"Behaviour Support Panel {n}")
    kind = Panel.Kind.BEHAVIOUR_SECONDARY
    police_lead = None
    adults_lead = None
    children_lead = None
    chair = factory.LazyAttribute(
        lambda p: UserFactory(role=Role.PANEL_CHAIR, organisation=OrganisationFactory(area=p.area))
    )

    @factory.post_generation
    def prevent_team(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.prevent_team.set(extracted)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    panel = factory.SubFactory(PanelFactory)
    # A morning two weeks ahead: a meeting that started at "now" ran past midnight when the
    # suite ran late in the evening, and times typed for its slots fell on the wrong day.
    starts_at = factory.LazyFunction(
        lambda: (timezone.localtime() + timedelta(days=14)).replace(hour=10, minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=2))
    place = "Committee Room 2, County Hall"
    created_by = factory.LazyAttribute(lambda m: m.panel.chair)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    kind = AgendaItem.Kind.REVIEW
    position = factory.Sequence(lambda n: n + 1)
    added_by = factory.LazyAttribute(lambda item: item.meeting.panel.chair)


def publish(meeting):
    """Mark the agenda published without e-mails (tests of access, not of publishing)."""
    Meeting.objects.filter(pk=meeting.pk).update(agenda_published_at=timezone.now(), invitation_sequence=1)
    meeting.refresh_from_db()
    return meeting
