import factory
from django.core.files.base import ContentFile

from roundtable.documents.models import Document
from roundtable.documents.samples import tiny_pdf
from tests.factories import CaseFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored PDF on a case, uploaded by the case's owner."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    original_name = factory.Sequence(lambda n: f"document-{n}.pdf")
    file = factory.LazyFunction(lambda: ContentFile(tiny_pdf(), name="sample.pdf"))
    content_type = "application/pdf"
    size = factory.LazyFunction(lambda: len(tiny_pdf()))
    sha256 = "0" * 64
    uploaded_by = factory.LazyAttribute(lambda document: document.case.owner)

    @factory.post_generation
    def restricted_to(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.is_restricted = True
            obj.save(update_fields=["is_restricted"])
            obj.restricted_to.set(extracted)
