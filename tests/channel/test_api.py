"""The Channel API: refer in, read status and history, make transitions, with the same rules as the pages."""

import pytest

from roundtable.api.services import do_create_token
from roundtable.channel.models import ChannelCase, Referral
from tests.channel.factories import SCREENING_CLEAR, referral_details, submit
from tests.factories import AreaFactory, UserFactory
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, path, body=None):
        _, raw = do_create_token(user, name="test", days=1)
        headers = {"Authorization": f"Bearer {raw}"}
        url = f"/api/v1/channel{path}"
        if method == "get":
            return client.get(url, headers=headers)
        return client.post(url, data=body or {}, content_type="application/json", headers=headers)

    return call


def test_an_api_client_refers_in_and_gets_the_reference_only(api, panel, cast):
    details = referral_details(date_of_birth="2010-04-02")
    response = api(cast["practitioner"], "post", "/referrals", details)
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert response.json() == {"reference": referral.reference}
    assert (referral.source, referral.submitted_by) == ("api", cast["practitioner"])


def test_a_bad_referral_gets_a_422_naming_each_field(api, panel, cast):
    details = referral_details(given_name="", urgency="whenever", indicators=["telepathy"])
    response = api(cast["practitioner"], "post", "/referrals", details)
    assert response.status_code == 422
    fields = {error["loc"][-1]: error["msg"] for error in response.json()["errors"]}
    assert fields == {
        "given_name": "Enter the person's first name",
        "urgency": "Select how urgent this is",
        "indicators": "Select the signs you have noticed from the list",
    }
    assert not Referral.objects.exists()


def test_with_two_panels_the_api_must_name_one(api, panel, cast):
    other = PanelFactory(area=AreaFactory(name="Southshire"))
    response = api(cast["practitioner"], "post", "/referrals", referral_details())
    assert response.status_code == 422
    assert f"{other.pk} ({other.name})" in response.json()["errors"][0]["msg"]
    assert api(cast["practitioner"], "post", "/referrals", referral_details(panel_id=other.pk)).status_code == 201
    assert ChannelCase.objects.get().panel == other


def test_the_case_shows_state_what_may_be_done_and_why_not_and_history(api, panel, prevent_officer):
    channel_case = submit(panel)
    body = api(prevent_officer, "get", f"/cases/{channel_case.case_id}").json()
    assert (body["state"], body["state_label"]) == ("referred", "Referred – waiting for screening")
    transitions = {t["name"]: t for t in body["transitions"]}
    assert transitions["screen_no_further_action"]["allowed"] is True
    assert transitions["escalate"]["allowed"] is True
    screening_fields = [f["name"] for f in transitions["screen_no_further_action"]["records"]]
    assert screening_fields == ["deconfliction_checked", "deconfliction_date", "deconfliction_result", "initial_risk"]
    assert [event["transition"] for event in body["history"]] == ["referral"]


def test_a_transition_through_the_api_moves_the_case(api, panel, prevent_officer):
    channel_case = submit(panel)
    response = api(
        prevent_officer, "post", f"/cases/{channel_case.case_id}/transitions/screen_safeguarding", SCREENING_CLEAR
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "closed_safeguarding" and body["is_open"] is False
    assert body["history"][0]["data"]["initial_risk"] == SCREENING_CLEAR["initial_risk"]


def test_refusals_are_403_409_and_422_with_clear_messages(api, panel, prevent_officer):
    channel_case = submit(panel)
    path = f"/cases/{channel_case.case_id}/transitions"
    # Visible case, but not theirs to decide: who may.
    response = api(prevent_officer, "post", f"{path}/start_support", {})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only the Channel chair")
    # Out of order.
    response = api(prevent_officer, "post", f"{path}/next_step_panel_hearing", {"reasons": "x", "agreed": True})
    assert response.status_code == 409
    assert "can only be done when it is" in response.json()["problems"][0]
    # Missing and unknown fields.
    response = api(prevent_officer, "post", f"{path}/screen_no_further_action", {"colour": "blue"})
    assert response.status_code == 422
    locations = {error["loc"][-1] for error in response.json()["errors"]}
    assert {"__all__", "deconfliction_checked", "initial_risk"} <= locations


def test_someone_who_cannot_see_the_case_gets_404_on_every_route(api, panel, other_organisation):
    channel_case = submit(panel)
    outsider = UserFactory(organisation=other_organisation)
    assert api(outsider, "get", f"/cases/{channel_case.case_id}").status_code == 404
    path = f"/cases/{channel_case.case_id}/transitions/screen_no_further_action"
    assert api(outsider, "post", path, SCREENING_CLEAR).status_code == 404
    assert api(outsider, "get", "/referrals/queue").status_code == 404


def test_the_queue_lists_the_teams_referrals_unscreened_first(api, panel, prevent_officer):
    first = submit(panel)
    urgent = submit(panel, urgency="urgent")
    body = api(prevent_officer, "get", "/referrals/queue").json()
    assert [row["case_id"] for row in body] == [urgent.case_id, first.case_id]
