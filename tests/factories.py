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
