"""Demo information requests: added once, in every state a demo visitor should see."""

import pytest

from roundtable.accounts.models import Role
from roundtable.cases.models import CaseMembership, ChronologyEntry
from roundtable.inforequests import demo
from roundtable.inforequests.models import InformationRequest, RequestRecipient
from tests.factories import CaseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_requests_are_added_once_with_waiting_overdue_answered_and_shared_rows(area, organisation):
    school = OrganisationFactory(name="Millford Academy", area=area)
    users = {
        "police": UserFactory(organisation=OrganisationFactory(name="Northshire Police", area=area)),
        "practitioner": UserFactory(organisation=OrganisationFactory(name="Northshire Health", area=area)),
        "orgadmin": UserFactory(organisation=organisation, role=Role.ORG_ADMIN),
        "teacher": UserFactory(organisation=school),
    }
    cases = {
        title: CaseFactory(owner=users["police"], members=[users["practitioner"]])
        for title in ("Channel support", "Referral from Millford Academy")
    }
    context = {
        "cases": cases, "users": users,
        "organisations": {"Millford Academy": school, "Northshire County Council": organisation},
    }  # fmt: skip
    demo.load(context)
    demo.load(context)
    assert InformationRequest.objects.count() == 2
    rows = RequestRecipient.objects.filter(request__case=cases["Channel support"])
    assert sorted(rows.values_list("status", flat=True)) == ["answered", "answered", "pending"]
    assert rows.filter(shared_entry__isnull=False).count() == 1
    assert ChronologyEntry.objects.filter(kind="information_received", case=cases["Channel support"]).count() == 1
    overdue = InformationRequest.objects.get(case=cases["Channel support"])
    from django.utils import timezone

    assert overdue.due_date < timezone.localdate()
    assert not CaseMembership.objects.filter(user=users["teacher"]).exists()  # she sees only the request
