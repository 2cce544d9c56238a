from io import StringIO

import pytest
from django.core.management import call_command

from roundtable.people.models import Person, Relationship

pytestmark = pytest.mark.django_db


def test_the_demo_people_load_once_are_searchable_and_are_linked_as_a_family():
    call_command("load_demo", stdout=StringIO())
    count, links = Person.objects.count(), Relationship.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert Person.objects.count() == count >= 8
    assert Relationship.objects.count() == links >= 2
    jayden = Person.objects.get(given_name="Jayden", family_name="Millbrook")
    assert jayden.search_keys.exists()
    assert jayden.flags.exists() and jayden.involvements.exists() and jayden.addresses.exists()
