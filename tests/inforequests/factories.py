"""Factories for information requests (the shared ones live in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from roundtable.inforequests.models import STANDARD_QUESTIONS, InformationRequest, RequestRecipient
from tests.factories import CaseFactory


class InformationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationRequest

    case = factory.SubFactory(CaseFactory)
    requested_by = factory.LazyAttribute(lambda r: r.case.owner)
    requester_organisation = factory.LazyAttribute(lambda r: r.requested_by.organisation)
    questions = factory.LazyFunction(lambda: [text for _key, text in STANDARD_QUESTIONS[:2]])
    lawful_basis = InformationRequest.LawfulBasis.CHANNEL_DUTY
    consent_position = InformationRequest.Consent.NOT_SOUGHT
    consent_detail = "Asking would prejudice the assessment."
    response_days = 5
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestRecipient

    request = factory.SubFactory(InformationRequestFactory)
    organisation = factory.LazyAttribute(lambda r: r.user.organisation if r.user else None)
    user = None


def answered(recipient: RequestRecipient, by, outcome=RequestRecipient.Outcome.INFORMATION_PROVIDED, text="Known."):
    recipient.status = RequestRecipient.Status.ANSWERED
    recipient.outcome = outcome
    recipient.answer = text
    recipient.answered_by = by
    recipient.answered_at = timezone.now()
    recipient.save()
    return recipient
