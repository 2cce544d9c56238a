"""Agencies involved: each agency keeps its own row; everyone else who sees the profile reads it."""

import json

import pytest

from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.people.models import AgencyInvolvement
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.people.factories import InvolvementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(organisation):
    """A case with members from the council and from a health trust; the trust has a row."""
    council_worker = UserFactory(organisation=organisation)
    trust = OrganisationFactory(name="Northshire Health and Care Trust", area=organisation.area)
    nurse = UserFactory(organisation=trust)
    case = CaseFactory(owner=council_worker, members=[nurse])
    row = InvolvementFactory(
        person=case.person, organisation=trust, service="CAMHS", status="open_waiting_list", updated_by=nurse
    )
    return {"council_worker": council_worker, "nurse": nurse, "person": case.person, "row": row}


def test_another_agency_sees_the_row_but_cannot_update_it(client, setting):
    person, row = setting["person"], setting["row"]
    force_sign_in(client, setting["council_worker"])
    page = client.get(f"/people/{person.pk}/agencies/").content.decode()
    assert "CAMHS" in page and "Open – waiting list" in page
    assert f"/people/{person.pk}/agencies/{row.pk}/" not in page
    assert client.get(f"/people/{person.pk}/agencies/{row.pk}/").status_code == 404
    response = client.post(f"/people/{person.pk}/agencies/{row.pk}/", {"status": "known_closed"})
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == "open_waiting_list"


def test_another_agency_cannot_update_the_row_through_the_api(client, setting):
    person, row = setting["person"], setting["row"]
    _, raw = do_create_token(setting["council_worker"], name="t", days=1)
    response = client.post(
        f"/api/v1/people/{person.pk}/involvements/{row.pk}",
        data=json.dumps({"status": "known_closed"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == "open_waiting_list"


def test_the_agency_updates_its_own_row_and_the_change_is_audited(client, setting):
    person, row = setting["person"], setting["row"]
    force_sign_in(client, setting["nurse"])
    response = client.post(
        f"/people/{person.pk}/agencies/{row.pk}/",
        {"service": "CAMHS", "status": "open_active", "stage": "First appointment booked", "contact": "Duty desk"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "open_active" and row.stage == "First appointment booked"
    event = AuditEvent.objects.get(action="person.involvement_updated")
    assert event.person_id == person.pk
    assert event.details["changed"]["status"] == ["open_waiting_list", "open_active"]


def test_a_partner_records_its_own_agencys_involvement(client, setting):
    person = setting["person"]
    worker = setting["council_worker"]
    force_sign_in(client, worker)
    response = client.post(f"/people/{person.pk}/agencies/", {"service": "Early Help", "status": "open_assessment"})
    assert response.status_code == 302
    row = AgencyInvolvement.objects.get(person=person, service="Early Help")
    assert row.organisation == worker.organisation
    assert row.updated_by == worker


def test_a_second_row_for_the_same_service_is_refused_with_a_clear_message(client, setting):
    person = setting["person"]
    force_sign_in(client, setting["nurse"])
    page = client.post(f"/people/{person.pk}/agencies/", {"service": "camhs", "status": "not_known"}).content.decode()
    assert "Your organisation already has a row for this service. Update that row instead." in page


def test_an_involvement_without_a_status_gets_a_clear_error(client, setting):
    force_sign_in(client, setting["nurse"])
    page = client.post(f"/people/{setting['person'].pk}/agencies/", {"service": "School nursing"}).content.decode()
    assert "There is a problem" in page
    assert "This field is required" in page or "Choose" in page
