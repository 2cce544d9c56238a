"""A police Prevent officer of ANOTHER area sees nothing of ours: not our referrals in their
queue, not our cases, steps, panels or API records, and not the person in a search."""

import pytest
from django.urls import reverse

from roundtable.api.services import do_create_token
from tests.conftest import force_sign_in
from tests.security import matrix_channel

pytestmark = pytest.mark.django_db

# The routes that name one of our cases or our panel (the others are covered by the matrix),
# with the methods they answer.
OBJECT_ROUTES = {
    "channel:case": ("get",),
    "channel:referral": ("get",),
    "channel:step": ("get", "post"),
    "channel:transition": ("get", "post"),
    "panels:detail": ("get",),
    "panels:edit": ("get", "post"),
}
API_ROUTES = ["api:channel_case", "api:channel_transition"]


@pytest.fixture
def world(cast, organisation):
    world = {**cast, "organisation": organisation}
    matrix_channel.build(world)
    return world


def test_their_queue_and_panel_list_show_nothing_of_ours(client, world):
    force_sign_in(client, world["other_area_police"])
    queue = client.get(reverse("channel:queue")).content.decode()
    for channel_case in (world["channel_referred"], world["channel_passed"]):
        assert channel_case.case.reference not in queue
    assert "No referrals are waiting." in queue
    panels = client.get(reverse("panels:list")).content.decode()
    assert "Southshire Channel Panel" in panels and "Matrix Channel Panel" not in panels


def test_every_page_about_our_cases_and_panel_is_a_404_to_them(client, world):
    force_sign_in(client, world["other_area_police"])
    for name, methods in OBJECT_ROUTES.items():
        row = matrix_channel.ROWS[name]
        for method in methods:
            response = getattr(client, method)(reverse(name, kwargs=row.kwargs(world)))
            assert response.status_code == 404, f"{method} {name}: {response.status_code}"


def test_every_api_route_about_our_cases_is_a_404_to_them(client, world):
    _, raw = do_create_token(world["other_area_police"], name="t", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    for name in API_ROUTES:
        row = matrix_channel.ROWS[name]
        call = client.post if row.method == "POST" else client.get
        response = call(reverse(name, kwargs=row.kwargs(world)), data=row.data(world), headers=headers)
        assert response.status_code == 404, f"{name}: {response.status_code}"


def test_a_search_for_our_referred_person_shows_only_who_holds_them(client, world):
    force_sign_in(client, world["other_area_police"])
    person = world["channel_referred"].case.person
    page = client.get(
        reverse("people:search"), {"given_name": person.given_name, "family_name": person.family_name}
    ).content.decode()
    assert reverse("people:detail", args=[person.pk]) not in page
