"""Factories for people-app tests (profiles with their parts, searchable like real ones)."""

import factory

from roundtable.people.models import Address, AgencyInvolvement, PersonName, SafeguardingFlag
from roundtable.people.services import refresh_search_keys
from tests.factories import PersonFactory


class SearchablePersonFactory(PersonFactory):
    """A person with deconfliction keys, as the services leave every profile."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def keys(obj, create, extracted, **kwargs):
        if create:
            refresh_search_keys(obj)


class PersonNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonName

    person = factory.SubFactory(PersonFactory)
    kind = PersonName.Kind.ALIAS
    given_name = "Alias"
    family_name = factory.Sequence(lambda n: f"Othername{n}")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    person = factory.SubFactory(PersonFactory)
    line1 = factory.Sequence(lambda n: f"{n} Test Street")
    town = "Millford"
    postcode = "NS2 3QT"


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafeguardingFlag

    person = factory.SubFactory(PersonFactory)
    kind = SafeguardingFlag.Kind.CHILD_IN_NEED
    recorded_by = factory.LazyAttribute(lambda flag: flag.person.created_by)


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyInvolvement

    person = factory.SubFactory(PersonFactory)
    organisation = factory.LazyAttribute(lambda row: row.person.created_by.organisation)
    status = AgencyInvolvement.Status.OPEN_ACTIVE
    updated_by = factory.LazyAttribute(lambda row: row.person.created_by)
