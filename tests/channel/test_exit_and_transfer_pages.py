"""Exit and transfer through the pages: two endorsements by two people, the refusals and
their reasons, and a transfer offered, accepted (everything moves) or declined (nothing
does). Also the flags on the case summary: escalation and social care, with their reasons."""

import pytest
from django.urls import reverse

from roundtable.cases.models import Case, CaseMembership
from roundtable.channel.models import ChannelCase, TransferOffer
from roundtable.channel.services import do_channel_transition
from roundtable.tasks.models import Task
from tests.channel.test_workflow import in_support
from tests.conftest import force_sign_in
from tests.factories import AreaFactory
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.django_db

HARM = "A risk of significant harm is recorded, so a referral to children"  # … must be recorded before exit


def _reload(channel_case) -> ChannelCase:
    return ChannelCase.objects.select_related("case", "panel").get(pk=channel_case.pk)


def _exit_url(channel_case) -> str:
    return reverse("channel:step", args=[channel_case.case_id, "exit"])


def _do_url(channel_case, name) -> str:
    return reverse("channel:transition", args=[channel_case.case_id, name])


def _case_url(channel_case) -> str:
    return reverse("channel:case", args=[channel_case.case_id])


@pytest.fixture
def supported(panel, prevent_officer, monkeypatch):
    return in_support(panel, prevent_officer, monkeypatch)


def _members(channel_case) -> set[int]:
    return set(CaseMembership.objects.filter(case_id=channel_case.case_id).values_list("user_id", flat=True))


# --- Exit ---------------------------------------------------------------------------------------
def test_exit_is_recommended_then_endorsed_by_the_chair_and_the_police_lead_on_their_pages(client, panel, supported):
    force_sign_in(client, panel.chair)
    assert client.post(_exit_url(supported), {"reasons": "Risk has fallen; support done."}).status_code == 302
    assert _reload(supported).state == "exit_recommended"

    page = client.get(_exit_url(supported)).content.decode()
    assert "Endorse the exit as chair" in page and "Do not endorse: continue support" in page
    assert "Endorse the exit as police Prevent lead" not in page  # not theirs to make
    response = client.post(_exit_url(supported), {"transition": "endorse_exit_as_chair", "comment": ""})
    assert response.status_code == 302
    assert _reload(supported).state == "exit_recommended"  # one endorsement is not enough
    page = client.get(_case_url(supported)).content.decode()
    assert "Exit recommended – waiting for endorsements" in page
    # The chair cannot endorse again, and the page says why.
    page = client.get(_exit_url(supported)).content.decode()
    assert "The chair has already endorsed this exit." in page
    response = client.post(_exit_url(supported), {"transition": "endorse_exit_as_chair"})
    assert response.status_code == 409 and "The chair has already endorsed this exit." in response.content.decode()

    force_sign_in(client, panel.police_lead)
    page = client.get(_case_url(supported)).content.decode()
    assert _exit_url(supported) in page  # the police lead's step is ready for them
    response = client.post(_exit_url(supported), {"transition": "endorse_exit_as_police_lead", "comment": "Agreed"})
    assert response.status_code == 302
    channel_case = _reload(supported)
    assert channel_case.state == "exited" and channel_case.case.state == Case.State.CLOSED
    assert channel_case.exit_chair_endorsed_by == panel.chair
    assert channel_case.exit_police_endorsed_by == panel.police_lead
    titles = set(Task.objects.filter(case_id=supported.case_id).values_list("title", flat=True))
    assert titles == {"Post-exit review: 6 months after exit", "Post-exit review: 12 months after exit"}


def test_the_same_person_cannot_endorse_as_chair_and_as_police_lead(client, panel, supported):
    panel.police_lead = panel.chair
    panel.save()
    force_sign_in(client, panel.chair)
    client.post(_exit_url(supported), {"reasons": "Risk has fallen."})
    assert client.post(_exit_url(supported), {"transition": "endorse_exit_as_chair"}).status_code == 302

    message = "You endorsed this exit as the chair: the police endorsement must come from someone else."
    page = client.get(_exit_url(supported)).content.decode()
    assert "Endorse the exit as police Prevent lead" in page and message in page
    response = client.post(_exit_url(supported), {"transition": "endorse_exit_as_police_lead", "comment": ""})
    assert response.status_code == 409
    assert message in response.content.decode()
    channel_case = _reload(supported)
    assert channel_case.state == "exit_recommended" and channel_case.exit_police_endorsed_by is None


def test_exit_is_refused_on_the_page_while_significant_harm_has_no_social_care_referral(
    client, panel, prevent_officer, supported
):
    force_sign_in(client, prevent_officer)
    response = client.post(_do_url(supported, "record_significant_harm"), {"details": "Threats from an older cousin"})
    assert response.status_code == 302

    force_sign_in(client, panel.chair)
    page = client.get(_case_url(supported)).content.decode()
    assert "Cannot do yet" in page and HARM in page
    page = client.get(_exit_url(supported)).content.decode()
    assert HARM in page and ">Recommend exit</button>" not in page
    client.post(_exit_url(supported), {"reasons": "Risk has fallen."})
    assert _reload(supported).state == "in_support"

    # Recorded after the recommendation, it blocks the endorsements too.
    response = client.post(
        _do_url(supported, "record_social_care_referral"),
        {"referral_date_day": "1", "referral_date_month": "1", "referral_date_year": "2026", "reason": "Cousin"},
    )
    assert response.status_code == 302
    assert client.post(_exit_url(supported), {"reasons": "Risk has fallen."}).status_code == 302
    assert _reload(supported).state == "exit_recommended"


def test_a_risk_recorded_after_the_recommendation_blocks_the_endorsements(client, panel, prevent_officer, supported):
    do_channel_transition(panel.chair, supported, "recommend_exit", {"reasons": "Risk has fallen."})
    do_channel_transition(prevent_officer, _reload(supported), "record_significant_harm", {"details": "New threats"})
    force_sign_in(client, panel.police_lead)
    page = client.get(_exit_url(supported)).content.decode()
    assert "Endorse the exit as police Prevent lead" in page and HARM in page
    response = client.post(_exit_url(supported), {"transition": "endorse_exit_as_police_lead"})
    assert response.status_code == 409 and HARM in response.content.decode()
    assert _reload(supported).exit_police_endorsed_by is None


# --- Flags on the case summary --------------------------------------------------------------------
def test_escalation_and_social_care_flag_the_case_summary_with_their_reasons(client, panel, prevent_officer, supported):
    summary = reverse("cases:detail", args=[supported.case_id])
    force_sign_in(client, panel.chair)
    page = client.get(summary).content.decode()
    assert 'id="channel-flags"' not in page and "Receiving support" in page

    force_sign_in(client, prevent_officer)
    client.post(_do_url(supported, "escalate"), {"reason": "Bought knives online after the last panel"})
    client.post(_do_url(supported, "record_significant_harm"), {"details": "Threats from an older cousin"})
    page = client.get(summary).content.decode()
    assert 'id="channel-flags"' in page
    assert "Escalated outside Channel" in page and "Bought knives online after the last panel" in page
    assert "Threats from an older cousin" in page and "no referral to social care is recorded yet" in page

    force_sign_in(client, panel.chair)
    assert client.get(_do_url(supported, "escalate")).status_code == 404  # the police escalate, not the chair
    client.post(
        _do_url(supported, "record_social_care_referral"),
        {"referral_date_day": "2", "referral_date_month": "3", "referral_date_year": "2026", "reason": "At risk"},
    )
    page = client.get(summary).content.decode()
    assert "Referred to social care" in page and "At risk" in page
    assert "no referral to social care is recorded yet" not in page
    # The chair was told of the escalation (a link and the reference, no name).
    from roundtable.notifications.models import Notice

    notice = Notice.objects.get(recipient=panel.chair, message__contains="escalated")
    assert supported.case.reference in notice.message and supported.case.person.family_name not in notice.message


# --- Transfer ---------------------------------------------------------------------------------------
@pytest.fixture
def southshire():
    return PanelFactory(area=AreaFactory(name="Southshire"), name="Southshire Channel Panel")


def _offer(client, panel, channel_case, southshire):
    force_sign_in(client, panel.chair)
    url = _do_url(channel_case, "offer_transfer")
    page = client.get(url).content.decode()
    assert "Southshire Channel Panel (Southshire)" in page
    response = client.post(url, {"to_panel": str(southshire.pk), "reason": "The family moved to Southtown."})
    assert response.status_code == 302
    page = client.get(_case_url(channel_case)).content.decode()
    assert "Offered to Southshire Channel Panel" in page


def test_a_transfer_accepted_moves_ownership_access_and_the_history_to_the_new_panel(
    client, panel, prevent_officer, supported, southshire
):
    before = _history_count(supported)
    _offer(client, panel, supported, southshire)

    force_sign_in(client, southshire.chair)
    page = client.get(_case_url(supported)).content.decode()
    assert _do_url(supported, "accept_transfer") in page and _do_url(supported, "decline_transfer") in page
    assert client.post(_do_url(supported, "accept_transfer"), {"comment": "We will take it."}).status_code == 302

    channel_case = _reload(supported)
    assert channel_case.panel == southshire and channel_case.case.area == southshire.area
    assert channel_case.case.owner == southshire.police_lead
    assert TransferOffer.objects.get(channel_case=supported).outcome == TransferOffer.Outcome.ACCEPTED
    members = _members(supported)
    new_people = {southshire.police_lead_id, southshire.chair_id, southshire.children_lead_id}
    new_people |= set(southshire.prevent_team.values_list("pk", flat=True))
    new_people |= set(southshire.administrators.values_list("pk", flat=True))
    assert members == new_people

    # The old panel's people no longer see it; the new police lead sees the whole history.
    for old in (prevent_officer, panel.chair, panel.police_lead, panel.children_lead):
        force_sign_in(client, old)
        assert client.get(_case_url(supported)).status_code == 404
        assert client.get(reverse("cases:detail", args=[supported.case_id])).status_code == 404
    force_sign_in(client, southshire.police_lead)
    page = client.get(_case_url(supported)).content.decode()
    assert "Referral received" in page and "Pass to the local authority Prevent lead" in page
    assert "Accept the case" in page and "The family moved to Southtown." in page
    assert _history_count(supported) == before + 2  # the offer and the acceptance, added to the rest
    assert "Southshire Channel Panel (Southshire)" in page


def test_a_transfer_declined_moves_nothing_and_the_receiving_chair_loses_sight_of_the_case(
    client, panel, supported, southshire
):
    members_before = _members(supported)
    _offer(client, panel, supported, southshire)
    assert southshire.chair_id in _members(supported)  # as a viewer, to decide

    force_sign_in(client, southshire.chair)
    response = client.post(_do_url(supported, "decline_transfer"), {"reason": ""})
    assert "Enter why you are declining" in response.content.decode()
    response = client.post(_do_url(supported, "decline_transfer"), {"reason": "They are staying in Northshire."})
    assert response.status_code == 302
    assert client.get(_case_url(supported)).status_code == 404  # they only saw it to decide

    channel_case = _reload(supported)
    assert channel_case.panel == panel and channel_case.case.owner == panel.police_lead
    assert _members(supported) == members_before
    offer = TransferOffer.objects.get(channel_case=supported)
    assert offer.outcome == TransferOffer.Outcome.DECLINED
    assert offer.decision_reason == "They are staying in Northshire."
    force_sign_in(client, panel.chair)
    page = client.get(_case_url(supported)).content.decode()
    assert "Decline the case" in page and "They are staying in Northshire." in page
    assert "waiting for its chair&#x27;s answer" not in page
    # It can be offered again.
    assert _do_url(supported, "offer_transfer") in page


def _history_count(channel_case) -> int:
    from roundtable.panels.models import WorkflowEvent

    return WorkflowEvent.objects.filter(case_id=channel_case.case_id).count()
