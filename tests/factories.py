"""Factories for test data. Every test builds what it needs from these."""

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.accounts.models import Area, Organisation, Role, Sector, User

PASSWORD = "correct-horse-battery-staple"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Testshire {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Agency {n}")
    area = factory.SubFactory(AreaFactory)
    sector = Sector.LOCAL_AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.PRACTITIONER
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def device(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTPDevice.objects.create(user=obj, name="Test authenticator", confirmed=True)


# --- The shared case record --------------------------------------------------------------
from django.utils import timezone  # noqa: E402

from roundtable.cases.models import Case, CaseMembership, ChronologyEntry  # noqa: E402
from roundtable.people.models import Person  # noqa: E402


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Alex{n}")
    family_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=11, maximum_age=40)
    created_by = factory.SubFactory(UserFactory)
    area = factory.LazyAttribute(lambda person: person.created_by.organisation.area)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case whose owner is a member with the owner role."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"RT-TEST-{n:06d}")
    owner = factory.SubFactory(UserFactory)
    person = factory.SubFactory(PersonFactory, created_by=factory.SelfAttribute("..owner"))
    kind = Case.Kind.REFERRAL
    title = factory.Sequence(lambda n: f"Test case {n}")
    lead_organisation = factory.LazyAttribute(lambda case: case.owner.organisation)
    area = factory.LazyAttribute(lambda case: case.owner.organisation.area)

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if not create:
            return
        CaseMembership.objects.create(case=obj, user=obj.owner, role=CaseMembership.Role.OWNER)
        for user in extracted or []:
            CaseMembership.objects.create(case=obj, user=user, role=CaseMembership.Role.CONTRIBUTOR)


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChronologyEntry

    case = factory.SubFactory(CaseFactory)
    kind = ChronologyEntry.Kind.NOTE
    summary = factory.Sequence(lambda n: f"Entry {n}")
    body = "Spoke to the school about attendance."
    occurred_at = factory.LazyFunction(timezone.now)
    author = factory.LazyAttribute(lambda entry: entry.case.owner)
    organisation = factory.LazyAttribute(lambda entry: entry.author.organisation)
