"""Demo documents: generated files on a couple of cases, added once."""

import pytest

from roundtable.documents import demo
from roundtable.documents.models import Document
from roundtable.documents.sniffing import sniff
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_documents_are_added_once_to_two_cases():
    owner = UserFactory()
    colleague = UserFactory(organisation=owner.organisation)
    cases = {f"case{i}": CaseFactory(owner=owner, members=[colleague]) for i in range(3)}
    demo.load({"cases": cases})
    demo.load({"cases": cases})
    assert Document.objects.count() == 6
    assert Document.objects.filter(is_restricted=True).count() == 2
    for document in Document.objects.all():
        with document.file.open("rb") as handle:
            assert sniff(handle).kind.mime == document.content_type


def test_without_cases_the_demo_adds_no_documents():
    demo.load({})
    assert not Document.objects.exists()
