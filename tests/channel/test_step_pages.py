"""The Channel case page (task list, reasons, history) and the step pages built from the declaration."""

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.channel.models import ChannelCase, PanelDecision, Screening
from roundtable.channel.services import do_channel_transition
from tests.channel.factories import SCREENING_CLEAR, submit
from tests.conftest import force_sign_in
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _reload(channel_case):
    return ChannelCase.objects.select_related("case", "panel").get(pk=channel_case.pk)


def screening_form(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "transition": "screen_pass_to_local_authority",
        "deconfliction_checked": "on",
        "deconfliction_date_day": str(today.day),
        "deconfliction_date_month": str(today.month),
        "deconfliction_date_year": str(today.year),
        "deconfliction_result": "clear",
        "initial_risk": "Vulnerable to online grooming.",
    }
    data.update(overrides)
    return data


def test_the_case_page_shows_the_steps_as_a_task_list_for_the_screening_officer(client, panel, prevent_officer):
    channel_case = submit(panel)
    force_sign_in(client, prevent_officer)
    page = client.get(reverse("channel:case", args=[channel_case.case_id])).content.decode()
    assert 'class="govuk-task-list"' in page
    assert reverse("channel:step", args=[channel_case.case_id, "screening"]) in page
    assert "Ready to do" in page and "Cannot start yet" in page
    assert "Referral received" in page  # the history starts with the referral


def test_a_blocked_step_says_why_on_the_case_page(client, panel, prevent_officer, monkeypatch):
    from roundtable.channel import workflow

    monkeypatch.setattr(workflow, "_support_function", lambda name: lambda case: "No consent is recorded.")
    channel_case = submit(panel)
    do_channel_transition(prevent_officer, channel_case, "screen_pass_to_local_authority", SCREENING_CLEAR)
    do_channel_transition(panel.chair, channel_case, "next_step_panel_hearing", {"reasons": "Panel", "agreed": True})
    do_channel_transition(panel.chair, channel_case, "decide_adopt", {"reasons": "Vulnerable"})
    force_sign_in(client, panel.chair)
    page = client.get(reverse("channel:case", args=[channel_case.case_id])).content.decode()
    assert "You can't do this yet because: No consent is recorded." in page
    # The police see the same step as someone else's to take.
    force_sign_in(client, prevent_officer)
    page = client.get(reverse("channel:case", args=[channel_case.case_id])).content.decode()
    assert "Waiting for the Channel chair, a panel administrator or the local authority Prevent lead." in page


def test_screening_through_the_page_moves_the_case_and_shows_it_in_the_history(client, panel, prevent_officer):
    channel_case = submit(panel)
    force_sign_in(client, prevent_officer)
    url = reverse("channel:step", args=[channel_case.case_id, "screening"])
    page = client.get(url).content.decode()
    assert "Pass to the local authority Prevent lead" in page and "Record the result only" in page
    response = client.post(url, screening_form())
    assert response.status_code == 302
    assert _reload(channel_case).state == "with_local_authority"
    assert Screening.objects.get(channel_case=channel_case).deconfliction_date == timezone.localdate()
    page = client.get(response.url).content.decode()
    assert "Recorded: Pass to the local authority Prevent lead." in page
    assert "Referred – waiting for screening → With the local authority Prevent lead" in page
    assert "Vulnerable to online grooming." in page


def test_the_screening_page_names_each_problem_and_keeps_what_was_typed(client, panel, prevent_officer):
    channel_case = submit(panel)
    force_sign_in(client, prevent_officer)
    url = reverse("channel:step", args=[channel_case.case_id, "screening"])
    data = screening_form(
        transition="",
        deconfliction_checked="",
        deconfliction_date_month="13",
        initial_risk="Kept text",
    )
    page = client.post(url, data).content.decode()
    assert "Select a decision" in page
    assert "Confirm that deconfliction has been checked" in page
    assert "Date deconfliction was checked must be a real date" in page
    assert "Kept text" in page
    assert _reload(channel_case).state == "referred"


def test_the_route_chosen_decides_the_rules_applied(client, panel, prevent_officer):
    channel_case = submit(panel)
    force_sign_in(client, prevent_officer)
    url = reverse("channel:step", args=[channel_case.case_id, "screening"])
    page = client.post(url, screening_form(deconfliction_result="not_appropriate")).content.decode()
    assert "A referral can only pass to the local authority Prevent lead when deconfliction is clear" in page
    data = screening_form(transition="screen_no_further_action", deconfliction_result="not_appropriate")
    assert client.post(url, data).status_code == 302
    assert _reload(channel_case).state == "closed_nfa"


def test_a_member_who_may_not_make_a_step_gets_a_404_not_its_form(client, panel, prevent_officer):
    channel_case = submit(panel)
    do_channel_transition(prevent_officer, channel_case, "screen_pass_to_local_authority", SCREENING_CLEAR)
    do_channel_transition(panel.chair, channel_case, "next_step_panel_hearing", {"reasons": "Panel", "agreed": True})
    force_sign_in(client, prevent_officer)
    url = reverse("channel:step", args=[channel_case.case_id, "panel_decision"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"transition": "decide_adopt", "reasons": "Police say so"}).status_code == 404
    assert not PanelDecision.objects.exists()
    # A step not open in the case's state is not there either.
    force_sign_in(client, panel.chair)
    assert client.get(reverse("channel:step", args=[channel_case.case_id, "exit"])).status_code == 404


def test_the_panel_decision_page_reveals_the_signpost_questions_under_their_choice(client, panel, prevent_officer):
    channel_case = submit(panel)
    do_channel_transition(prevent_officer, channel_case, "screen_pass_to_local_authority", SCREENING_CLEAR)
    do_channel_transition(panel.chair, channel_case, "next_step_panel_hearing", {"reasons": "Panel", "agreed": True})
    force_sign_in(client, panel.chair)
    url = reverse("channel:step", args=[channel_case.case_id, "panel_decision"])
    page = client.get(url).content.decode()
    assert 'id="conditional-decide_signpost"' in page and "Service signposted to" in page
    data = {"transition": "decide_signpost", "reasons": "Mental health first", "service": "", "referral_made": ""}
    page = client.post(url, data).content.decode()
    assert "Enter the service the person is signposted to" in page
    assert "Select yes if a referral to that service has been made" in page
    data.update(service="Young people's counselling", referral_made="yes")
    assert client.post(url, data).status_code == 302
    assert _reload(channel_case).state == "signposted"


def test_a_flag_transition_has_its_own_page_for_the_police(client, panel, prevent_officer):
    channel_case = submit(panel)
    force_sign_in(client, prevent_officer)
    url = reverse("channel:transition", args=[channel_case.case_id, "escalate"])
    assert "Enter the reason" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Risk rose after a new post"}).status_code == 302
    assert _reload(channel_case).escalated
    page = client.get(reverse("channel:case", args=[channel_case.case_id])).content.decode()
    assert "Escalated outside Channel" in page and "Risk rose after a new post" in page


def test_a_channel_case_made_by_hand_says_it_has_no_steps(client, cast):
    case = CaseFactory(owner=cast["practitioner"], kind="channel")
    force_sign_in(client, cast["practitioner"])
    page = client.get(reverse("channel:case", args=[case.pk])).content.decode()
    assert "was not started from a Prevent referral" in page
    assert client.get(reverse("channel:referral", args=[case.pk])).status_code == 404


def test_the_channel_tab_shows_on_channel_cases_only(client, panel, cast):
    other = CaseFactory(owner=cast["practitioner"], kind="safeguarding")
    force_sign_in(client, cast["practitioner"])
    page = client.get(reverse("cases:detail", args=[other.pk])).content.decode()
    assert reverse("channel:case", args=[other.pk]) not in page
