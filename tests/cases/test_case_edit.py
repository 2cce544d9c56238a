import pytest

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import Case, CaseMembership
from tests.conftest import force_sign_in
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(case, **overrides):
    data = {
        "title": case.title,
        "state": case.state,
        "lead_organisation": case.lead_organisation_id,
        "version": case.version,
    }
    data.update(overrides)
    return data


def test_the_owner_can_close_a_case_and_the_change_is_audited(client):
    case = CaseFactory()
    force_sign_in(client, case.owner)
    response = client.post(f"/cases/{case.pk}/edit/", _form(case, state="closed"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED
    event = AuditEvent.objects.get(action="case.updated", case_id=case.pk)
    assert event.details["before"]["state"] == "open" and event.details["after"]["state"] == "closed"


def test_a_contributor_cannot_change_the_case_details(client):
    contributor = UserFactory()
    case = CaseFactory(members=[contributor])
    force_sign_in(client, contributor)
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 404
    assert client.post(f"/cases/{case.pk}/edit/", _form(case, state="closed")).status_code == 404
    case.refresh_from_db()
    assert case.state == Case.State.OPEN


def test_a_stale_save_shows_the_conflict_and_keeps_the_users_text(client):
    case = CaseFactory(title="Referral from school")
    co_owner = UserFactory(organisation=case.owner.organisation)
    CaseMembership.objects.create(case=case, user=co_owner, role=CaseMembership.Role.OWNER)
    stale = _form(case)
    force_sign_in(client, co_owner)
    assert client.post(f"/cases/{case.pk}/edit/", {**stale, "title": "Their title"}).status_code == 302
    force_sign_in(client, case.owner)
    response = client.post(f"/cases/{case.pk}/edit/", {**stale, "title": "My title"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this case" in page
    assert "Their title" in page and 'value="My title"' in page
    case.refresh_from_db()
    assert case.title == "Their title"


def test_an_empty_title_gets_a_specific_message(client):
    case = CaseFactory()
    force_sign_in(client, case.owner)
    response = client.post(f"/cases/{case.pk}/edit/", _form(case, title=""))
    assert "Enter a title for the case" in response.content.decode()
