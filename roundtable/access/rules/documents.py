"""Documents: visible with their case (need to know), except locked-down ones.

A document is *open* to a user who is a member of its case, unless it is restricted
(or sits on a restricted chronology entry) and the user is neither its uploader nor
named on it. Other members of the case see only that it exists — through the
``WithheldDocument`` proxy, whose scope is the exact complement on the same cases — and
never its title, name or content. Downloads of anything not open are a 404.
"""

from django.db.models import Exists, OuterRef, Q

from roundtable.access.policy import rule, scope
from roundtable.access.rules.cases import cases as case_scope
from roundtable.access.rules.cases import contribute


def _member_cases(user):
    from roundtable.cases.models import Case

    return case_scope(user, Case.objects.all()).values("pk")


def _open_to(user) -> Q:
    from roundtable.cases.models import ChronologyEntry
    from roundtable.documents.models import Document

    named_on_document = Exists(
        Document.restricted_to.through.objects.filter(document_id=OuterRef("pk"), user_id=user.pk)
    )
    named_on_entry = Exists(
        ChronologyEntry.restricted_to.through.objects.filter(chronologyentry_id=OuterRef("entry_id"), user_id=user.pk)
    )
    document_open = Q(is_restricted=False) | Q(uploaded_by_id=user.pk) | Q(named_on_document)
    entry_open = Q(entry__isnull=True) | Q(entry__is_restricted=False) | Q(entry__author_id=user.pk) | Q(named_on_entry)
    return document_open & entry_open


@scope("documents.document")
def documents(user, qs):
    return qs.filter(case_id__in=_member_cases(user)).filter(_open_to(user))


@scope("documents.withhelddocument")
def withheld_documents(user, qs):
    """Locked-down documents on the user's cases that they may know exist, but not open."""
    return qs.filter(case_id__in=_member_cases(user)).exclude(_open_to(user))


@rule("document.upload")
def upload(user, case):
    return contribute(user, case)


@rule("document.restrict")
def restrict(user, document):
    # The uploader decides who may see what they shared, while still contributing to the case.
    return document.uploaded_by_id == user.pk and contribute(user, document.case)
