import pytest

from roundtable.accounts.models import Role
from tests.conftest import force_sign_in
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_organisation_admin_lists_only_their_own_organisations_users(client, cast):
    force_sign_in(client, cast["org_admin"])
    page = client.get("/admin/users/").content.decode()
    assert cast["practitioner"].email in page
    assert cast["other_org_practitioner"].email not in page


def test_a_user_of_another_organisation_gets_404_on_our_admin_pages(client, cast, organisation):
    force_sign_in(client, cast["other_org_admin"])
    assert client.get(f"/admin/users/{cast['practitioner'].pk}/").status_code == 404
    assert client.get(f"/admin/organisations/{organisation.pk}/").status_code == 404
    assert client.get("/admin/users/999999/").status_code == 404


def test_a_system_admin_can_add_an_organisation(client, cast, area):
    force_sign_in(client, cast["system_admin"])
    response = client.post("/admin/organisations/", {"name": "Harbour School", "area": area.pk, "sector": "education"})
    assert response.status_code == 302
    assert "Harbour School" in client.get(response.url).content.decode()


def test_adding_an_organisation_with_a_missing_sector_says_so(client, cast, area):
    force_sign_in(client, cast["system_admin"])
    response = client.post("/admin/organisations/", {"name": "Harbour School", "area": area.pk})
    assert "Select a sector" in response.content.decode()


@pytest.mark.parametrize("size", [10, 200])
def test_the_user_list_runs_a_fixed_number_of_queries(client, cast, organisation, size, django_assert_max_num_queries):
    UserFactory.create_batch(size, organisation=organisation, role=Role.PRACTITIONER, device=False)
    force_sign_in(client, cast["system_admin"])
    with django_assert_max_num_queries(12):
        assert client.get("/admin/users/").status_code == 200


@pytest.mark.parametrize("size", [10, 200])
def test_the_organisation_list_runs_a_fixed_number_of_queries(client, cast, area, size, django_assert_max_num_queries):
    OrganisationFactory.create_batch(size, area=area)
    force_sign_in(client, cast["system_admin"])
    with django_assert_max_num_queries(12):
        assert client.get("/admin/organisations/").status_code == 200
