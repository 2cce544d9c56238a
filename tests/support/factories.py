"""Factories for consent and support (the shared ones live in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from roundtable.support.models import ConsentRecord, Intervention, InterventionProvider, ProgressUpdate, SupportType
from tests.factories import CaseFactory


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


class ProviderFactory(factory.django.DjangoModelFactory):
    """A provider with a DBS check that is current for another year."""

    class Meta:
        model = InterventionProvider

    name = factory.Sequence(lambda n: f"Mentor {n}")
    created_by = factory.SubFactory("tests.factories.UserFactory")
    area = factory.LazyAttribute(lambda provider: provider.created_by.organisation.area)
    contact = "01632 960 000"
    dbs_checked_on = factory.LazyFunction(lambda: days(-30))
    dbs_expires_on = factory.LazyFunction(lambda: days(335))


class ConsentFactory(factory.django.DjangoModelFactory):
    """Consent given in person by the case's person, a week ago, with a capacity note."""

    class Meta:
        model = ConsentRecord

    case = factory.SubFactory(CaseFactory)
    person = factory.LazyAttribute(lambda consent: consent.case.person)
    decision = ConsentRecord.Decision.GIVEN
    decided_by = ConsentRecord.DecidedBy.PERSON
    occurred_on = factory.LazyFunction(lambda: days(-7))
    how = ConsentRecord.How.IN_PERSON
    capacity_note = "Understood what support is offered and that they can stop at any time."
    recorded_by = factory.LazyAttribute(lambda consent: consent.case.owner)


class InterventionFactory(factory.django.DjangoModelFactory):
    """Planned mentoring by a partner organisation (the case owner's)."""

    class Meta:
        model = Intervention

    case = factory.SubFactory(CaseFactory)
    support_type = SupportType.MENTORING
    provider_organisation = factory.LazyAttribute(lambda item: None if item.provider else item.case.lead_organisation)
    provider = None
    starts_on = factory.LazyFunction(lambda: days(-1))
    ends_on = factory.LazyFunction(lambda: days(90))
    behaviours = "Spends long hours on extremist forums"
    risks = "Isolation from peers"
    provider_risks = "None identified"
    created_by = factory.LazyAttribute(lambda item: item.case.owner)


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    intervention = factory.SubFactory(InterventionFactory)
    occurred_on = factory.LazyFunction(lambda: days(-1))
    text = "Attended the session and engaged well."
    author = factory.LazyAttribute(lambda update: update.intervention.case.owner)
