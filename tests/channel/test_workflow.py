"""The workflow engine through the Channel declaration: each kind of refusal, each guard,
and what a transition leaves behind (history, chronology, audit, case state)."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.channel import workflow as channel_workflow
from roundtable.channel.models import ChannelCase, NextStep, PanelDecision, Screening
from roundtable.channel.services import do_channel_transition, transitions_for
from roundtable.core.workflow import (
    Actor,
    State,
    Transition,
    TransitionRefused,
    Workflow,
    WorkflowError,
)
from roundtable.notifications.models import Notice
from roundtable.panels.models import WorkflowEvent
from roundtable.tasks.models import Task
from tests.channel.factories import SCREENING_CLEAR, submit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEXT = {"reasons": "Vulnerable and appropriate for a panel.", "agreed": True}


def _reload(channel_case) -> ChannelCase:
    return ChannelCase.objects.select_related("case", "panel").get(pk=channel_case.pk)


def screened(panel, officer, **overrides):
    channel_case = submit(panel, **overrides)
    do_channel_transition(officer, channel_case, "screen_pass_to_local_authority", SCREENING_CLEAR)
    return _reload(channel_case)


def at_panel(panel, officer):
    channel_case = screened(panel, officer)
    do_channel_transition(panel.chair, channel_case, "next_step_panel_hearing", NEXT)
    return _reload(channel_case)


def in_support(panel, officer, monkeypatch):
    consent_given(monkeypatch)
    channel_case = at_panel(panel, officer)
    do_channel_transition(panel.chair, channel_case, "decide_adopt", {"reasons": "Vulnerable; support will help."})
    do_channel_transition(panel.chair, _reload(channel_case), "start_support", {"start_date": _today()})
    return _reload(channel_case)


def consent_given(monkeypatch, problem=None):
    functions = {"consent_problem": lambda case: problem}
    monkeypatch.setattr(channel_workflow, "_support_function", lambda name: functions.get(name))


def _today() -> str:
    return timezone.localdate().isoformat()


# --- The declaration ---------------------------------------------------------------------------
def test_a_declaration_naming_an_unknown_state_guard_or_actor_is_refused_at_import():
    with pytest.raises(WorkflowError) as error:
        Workflow(
            name="broken",
            label="Broken",
            states=[State("a", "A")],
            initial="a",
            transitions=[Transition("go", "Go", sources=("a",), target="b", actors=("nobody",), requires=("magic",))],
            actors=[Actor("somebody", "somebody", lambda user, subject: True)],
        )
    message = str(error.value)
    assert "target 'b' is not a state" in message
    assert "actor 'nobody' is not declared" in message
    assert "guard 'magic' is not declared" in message


def test_every_channel_transition_names_declared_states_actors_guards_and_effects():
    workflow = channel_workflow.CHANNEL
    assert workflow.initial == "referred"
    assert {"screen_pass_to_local_authority", "decide_adopt", "endorse_exit_as_police_lead"} <= set(
        workflow.transitions
    )
    assert workflow.is_terminal("exited") and not workflow.is_terminal("in_support")


# --- Refusals ---------------------------------------------------------------------------------------
def test_a_transition_out_of_order_is_refused_naming_the_state_it_needs(panel, prevent_officer):
    channel_case = submit(panel)
    with pytest.raises(TransitionRefused) as refused:
        do_channel_transition(prevent_officer, channel_case, "next_step_panel_hearing", NEXT)
    assert refused.value.problems == [
        "This case is “Referred – waiting for screening”. “Arrange a panel hearing” can only be done "
        "when it is “With the local authority Prevent lead”."
    ]
    assert _reload(channel_case).state == "referred"


def test_a_case_member_who_is_not_an_allowed_actor_is_refused_with_who_may(panel, prevent_officer):
    channel_case = screened(panel, prevent_officer)
    do_channel_transition(panel.chair, channel_case, "next_step_panel_hearing", NEXT)
    channel_case = _reload(channel_case)
    with pytest.raises(PermissionDenied, match="Only the Channel chair can do this."):
        do_channel_transition(prevent_officer, channel_case, "decide_adopt", {"reasons": "Police view"})


def test_someone_who_cannot_see_the_case_gets_a_404_not_a_reason(panel, other_organisation):
    channel_case = submit(panel)
    outsider = UserFactory(organisation=other_organisation)
    with pytest.raises(Http404):
        do_channel_transition(outsider, channel_case, "screen_no_further_action", SCREENING_CLEAR)


def test_an_unknown_transition_name_is_refused_clearly(panel, prevent_officer):
    with pytest.raises(TransitionRefused, match="There is no step called 'teleport'"):
        do_channel_transition(prevent_officer, submit(panel), "teleport", {})


def test_a_stale_copy_of_the_case_cannot_make_a_second_screening(panel, prevent_officer):
    channel_case = submit(panel)
    stale = _reload(channel_case)
    do_channel_transition(prevent_officer, channel_case, "screen_no_further_action", SCREENING_CLEAR)
    with pytest.raises(TransitionRefused, match="Closed – no further action"):
        do_channel_transition(prevent_officer, stale, "screen_safeguarding", SCREENING_CLEAR)
    assert Screening.objects.filter(channel_case=channel_case).count() == 1


# --- Recorded data ------------------------------------------------------------------------------
def test_missing_recorded_fields_are_named_one_by_one(panel, prevent_officer):
    with pytest.raises(ValidationError) as error:
        do_channel_transition(prevent_officer, submit(panel), "screen_no_further_action", {})
    assert error.value.message_dict == {
        "deconfliction_checked": ["Confirm that deconfliction has been checked"],
        "deconfliction_date": ["Enter the date deconfliction was checked"],
        "deconfliction_result": ["Select the deconfliction result"],
        "initial_risk": ["Enter your initial view of risk"],
    }


def test_a_field_the_transition_does_not_record_is_an_error_not_silently_dropped(panel, prevent_officer):
    data = {**SCREENING_CLEAR, "reason_for_result": "Known to counter-terrorism policing"}
    with pytest.raises(ValidationError) as error:
        do_channel_transition(prevent_officer, submit(panel), "screen_no_further_action", data)
    assert "does not record: reason_for_result" in error.value.message_dict["__all__"][0]


def test_a_referral_not_clear_on_deconfliction_cannot_pass_to_the_local_authority(panel, prevent_officer):
    data = {**SCREENING_CLEAR, "deconfliction_result": "not_appropriate"}
    with pytest.raises(ValidationError) as error:
        do_channel_transition(prevent_officer, submit(panel), "screen_pass_to_local_authority", data)
    assert error.value.message_dict["deconfliction_result"] == [
        "A referral can only pass to the local authority Prevent lead when deconfliction is clear"
    ]


def test_a_deconfliction_date_in_the_future_is_refused(panel, prevent_officer):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as error:
        do_channel_transition(
            prevent_officer,
            submit(panel),
            "screen_no_further_action",
            {**SCREENING_CLEAR, "deconfliction_date": tomorrow},
        )
    assert error.value.message_dict["deconfliction_date"] == [
        "Date deconfliction was checked must be today or in the past"
    ]


def test_a_signpost_needs_the_service_and_whether_a_referral_was_made(panel, prevent_officer):
    channel_case = at_panel(panel, prevent_officer)
    with pytest.raises(ValidationError) as error:
        do_channel_transition(panel.chair, channel_case, "decide_signpost", {"reasons": "Better elsewhere"})
    assert set(error.value.message_dict) == {"service", "referral_made"}


# --- What a transition leaves behind ---------------------------------------------------------------
def test_screening_records_history_chronology_audit_and_brings_in_the_chair_and_lead(panel, prevent_officer):
    channel_case = submit(panel)  # born 2010: a child
    event = do_channel_transition(prevent_officer, channel_case, "screen_pass_to_local_authority", SCREENING_CLEAR)
    assert (event.from_state, event.to_state, event.actor) == ("referred", "with_local_authority", prevent_officer)
    assert event.data["deconfliction_result"] == "clear"
    screening = Screening.objects.get(channel_case=channel_case)
    assert (screening.route, screening.recorded_by) == ("local_authority", prevent_officer)
    entry = ChronologyEntry.objects.get(case=channel_case.case, kind="decision")
    assert entry.summary == "Screening: passed to the local authority Prevent lead"
    assert "Initial view of risk: Low risk to others" in entry.body
    audit = AuditEvent.objects.get(action="workflow.transition")
    assert audit.details["transition"] == "screen_pass_to_local_authority"
    assert "Low risk" not in str(audit.details)  # the audit names fields, never their content
    members = set(channel_case.case.memberships.values_list("user_id", flat=True))
    assert {panel.chair_id, panel.children_lead_id} <= members
    assert panel.adults_lead_id not in members
    # They are told, with the reference and a link only.
    notice = Notice.objects.get(recipient=panel.children_lead)
    assert channel_case.case.reference in notice.message and "Jordan" not in notice.message
    assert notice.url == f"/channel/case/{channel_case.case_id}/"


def test_an_adult_at_referral_goes_to_the_adults_lead(panel, prevent_officer):
    channel_case = screened(panel, prevent_officer, date_of_birth="", approximate_age="18")
    assert channel_case.age_group == "adult"
    assert channel_case.case.memberships.filter(user=panel.adults_lead).exists()


def test_a_terminal_state_closes_the_case(panel, prevent_officer):
    channel_case = submit(panel)
    do_channel_transition(prevent_officer, channel_case, "screen_safeguarding", SCREENING_CLEAR)
    assert Case.objects.get(pk=channel_case.case_id).state == Case.State.CLOSED
    assert channel_case.state == "closed_safeguarding"  # the caller's object is refreshed


def test_next_step_and_panel_decision_record_their_rows(panel, prevent_officer):
    channel_case = at_panel(panel, prevent_officer)
    assert NextStep.objects.get(channel_case=channel_case).step == "panel_hearing"
    assert channel_case.case.memberships.filter(user__in=panel.administrators.all()).exists()
    do_channel_transition(
        panel.chair,
        channel_case,
        "decide_signpost",
        {"service": "Young people's mental health service", "referral_made": "yes", "reasons": "Not ideological"},
    )
    decision = PanelDecision.objects.get(channel_case=channel_case)
    assert (decision.decision, decision.signpost_referral_made, decision.confirmed_by) == (
        "signpost",
        True,
        panel.chair,
    )


# --- Guards -----------------------------------------------------------------------------------------
def test_the_screening_route_needs_a_local_authority_lead_named_for_the_age_group(panel, prevent_officer):
    panel.children_lead = None
    panel.save()
    channel_case = submit(panel)
    blocked = {a.transition.name: a for a in transitions_for(prevent_officer, channel_case)}
    assert not blocked["screen_pass_to_local_authority"].allowed
    assert (
        "no local authority Prevent lead for children and families" in blocked["screen_pass_to_local_authority"].reason
    )
    assert blocked["screen_no_further_action"].allowed


def test_next_steps_need_the_screening_recorded(panel, prevent_officer):
    channel_case = submit(panel)
    ChannelCase.objects.filter(pk=channel_case.pk).update(state="with_local_authority")
    with pytest.raises(TransitionRefused, match="has not recorded the screening yet"):
        do_channel_transition(panel.police_lead, _reload(channel_case), "next_step_no_further_action", NEXT)


def test_support_cannot_start_without_consent_and_the_page_says_why(panel, prevent_officer, monkeypatch):
    consent_given(monkeypatch, problem="Consent has not been recorded for this person.")
    channel_case = at_panel(panel, prevent_officer)
    do_channel_transition(panel.chair, channel_case, "decide_adopt", {"reasons": "Vulnerable"})
    channel_case = _reload(channel_case)
    start = next(a for a in transitions_for(panel.chair, channel_case) if a.transition.name == "start_support")
    assert start.reason == "Consent has not been recorded for this person."
    with pytest.raises(TransitionRefused, match="Consent has not been recorded"):
        do_channel_transition(panel.chair, channel_case, "start_support", {"start_date": _today()})
    consent_given(monkeypatch, problem=None)
    do_channel_transition(panel.chair, channel_case, "start_support", {"start_date": _today()})
    assert channel_case.state == "in_support"


def test_without_the_support_app_support_cannot_start_and_says_so(panel, prevent_officer, monkeypatch):
    monkeypatch.setattr(channel_workflow, "_support_function", lambda name: None)
    channel_case = at_panel(panel, prevent_officer)
    do_channel_transition(panel.chair, channel_case, "decide_adopt", {"reasons": "Vulnerable"})
    with pytest.raises(TransitionRefused, match="consent is recorded"):
        do_channel_transition(panel.chair, _reload(channel_case), "start_support", {"start_date": _today()})


def test_exit_is_refused_while_significant_harm_has_no_social_care_referral(panel, prevent_officer):
    channel_case = at_panel(panel, prevent_officer)
    do_channel_transition(prevent_officer, channel_case, "record_significant_harm", {"details": "Risk at home"})
    with pytest.raises(TransitionRefused, match="social care must be recorded before"):
        do_channel_transition(panel.chair, _reload(channel_case), "decide_exit", {"reasons": "Not vulnerable"})
    do_channel_transition(
        panel.chair,
        _reload(channel_case),
        "record_social_care_referral",
        {"referral_date": _today(), "reason": "Risk of significant harm at home"},
    )
    do_channel_transition(panel.chair, _reload(channel_case), "decide_exit", {"reasons": "Not vulnerable"})
    assert _reload(channel_case).state == "exited"


def test_exit_needs_both_endorsements_then_sets_review_tasks(panel, prevent_officer, monkeypatch):
    channel_case = in_support(panel, prevent_officer, monkeypatch)
    do_channel_transition(panel.chair, channel_case, "recommend_exit", {"reasons": "Risk has fallen"})
    do_channel_transition(panel.chair, channel_case, "endorse_exit_as_chair", {})
    assert _reload(channel_case).state == "exit_recommended"
    pending = [
        a for a in transitions_for(panel.chair, _reload(channel_case)) if a.transition.name.startswith("endorse")
    ]
    assert {a.transition.name: a.allowed for a in pending} == {
        "endorse_exit_as_chair": False,
        "endorse_exit_as_police_lead": False,
    }
    do_channel_transition(panel.police_lead, _reload(channel_case), "endorse_exit_as_police_lead", {})
    channel_case = _reload(channel_case)
    assert channel_case.state == "exited"
    assert channel_case.case.state == Case.State.CLOSED
    today = timezone.localdate()
    due = sorted(Task.objects.filter(case=channel_case.case).values_list("due_date", flat=True))
    assert due == [today + relativedelta(months=6), today + relativedelta(months=12)]


def test_one_person_cannot_endorse_an_exit_as_both_chair_and_police_lead(panel, prevent_officer, monkeypatch):
    panel.police_lead = panel.chair
    panel.save()
    channel_case = in_support(panel, prevent_officer, monkeypatch)
    do_channel_transition(panel.chair, channel_case, "recommend_exit", {"reasons": "Risk has fallen"})
    do_channel_transition(panel.chair, channel_case, "endorse_exit_as_chair", {})
    with pytest.raises(TransitionRefused, match="must come from someone else"):
        do_channel_transition(panel.chair, _reload(channel_case), "endorse_exit_as_police_lead", {})
    assert _reload(channel_case).state == "exit_recommended"


def test_escalation_by_the_police_flags_the_case_and_keeps_its_state(panel, prevent_officer):
    channel_case = screened(panel, prevent_officer)
    do_channel_transition(prevent_officer, channel_case, "escalate", {"reason": "Risk has risen sharply"})
    channel_case = _reload(channel_case)
    assert channel_case.escalated and channel_case.escalation_reason == "Risk has risen sharply"
    assert channel_case.state == "with_local_authority"
    with pytest.raises(PermissionDenied, match="Only the police Prevent team"):
        do_channel_transition(panel.chair, channel_case, "escalate", {"reason": "Chair's view"})


def test_a_transfer_accepted_moves_ownership_and_access_to_the_other_area(panel, prevent_officer):
    from tests.factories import AreaFactory
    from tests.panels.factories import PanelFactory

    other = PanelFactory(area=AreaFactory(name="Southshire"))
    channel_case = at_panel(panel, prevent_officer)
    do_channel_transition(panel.chair, channel_case, "offer_transfer", {"to_panel": str(other.pk), "reason": "Moved"})
    channel_case = _reload(channel_case)
    with pytest.raises(TransitionRefused, match="already offered"):
        do_channel_transition(panel.chair, channel_case, "offer_transfer", {"to_panel": str(other.pk), "reason": "x"})
    do_channel_transition(other.chair, channel_case, "accept_transfer", {})
    channel_case = _reload(channel_case)
    assert channel_case.panel == other and channel_case.case.area == other.area
    assert channel_case.case.owner == other.police_lead
    members = set(channel_case.case.memberships.values_list("user_id", flat=True))
    assert prevent_officer.pk not in members and panel.chair_id not in members
    assert {other.chair_id, other.police_lead_id} <= members
    # The history went with it.
    assert WorkflowEvent.objects.filter(case=channel_case.case).count() >= 4
