"""Channel API: read a panel's referral form, refer in, read a Channel case's state and history,
make a workflow transition.

The same services as the pages. A case the caller cannot see is a 404; a transition
the caller may not make on a case they can see is a 403 naming who may; one out of
order or with an unmet guard is a 409 listing the problems; a recorded field that is
missing or wrong is a 422 naming the field."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, field_validator

from roundtable.access import policy
from roundtable.api.bodies import json_body, parse_body, unprocessable
from roundtable.api.schemas import ErrorOut
from roundtable.audit.services import record
from roundtable.channel import referral_api, services
from roundtable.channel.models import ChannelCase
from roundtable.core import workflow as engine

router = Router(tags=["channel"])


class ReferralIn(Schema):
    """A referral: ``answers`` to the panel's referral form by question id (GET referral-form lists
    them), the built-in fields below, or both. On a panel with its own form the built-in fields
    answer the questions with the same ids (``address`` and ``postcode`` the address question), so
    a form with required questions of its own needs them in ``answers``."""

    panel_id: int | None = Field(None, description="Needed when more than one Channel panel takes referrals")
    answers: dict[str, Any] | None = Field(
        None,
        description="Answers by question id, shaped as in docs/formbuilder.md (a date 'YYYY-MM-DD', an address "
        "{line1, line2, town, postcode}, a choice its value, several choices a list). Checked against the panel's "
        "current referral form exactly as the referral pages check them; every answer is kept with the form version.",
    )
    form_version: int | None = Field(
        None, description="The form version you read; if the panel has published a newer one since, a 422 says so"
    )
    given_name: str = ""
    family_name: str = ""
    other_names: str = ""
    date_of_birth: date | None = Field(None, description="Or approximate_age when it is not known")
    approximate_age: int | None = None
    sex: str = Field("not_known", description="female, male or not_known")
    address: str = ""
    postcode: str = ""
    school_or_employer: str = ""
    concern: str = ""
    indicators: list[str] = Field(default_factory=list, description="Keys of the common indicators")
    indicators_other: str = ""
    urgency: str = Field("", description="routine or urgent")
    referrer_name: str = ""
    referrer_organisation: str = ""
    referrer_role: str = ""
    referrer_email: str = ""
    referrer_phone: str = ""
    referrer_sector: str = Field(
        "",
        description="education, police, local_authority, health, community, family_friend, prisons, probation, other",
    )
    person_aware: str = Field("", description="yes, no or not_known")
    family_aware: str = Field("", description="yes, no or not_known")
    consent: str = Field("", description="given, refused, not_asked or not_known")

    @field_validator("answers", mode="before")
    @classmethod
    def answers_from_text(cls, value):
        # A form-encoded body carries the answers as a JSON string (as POST forms/submissions does).
        if isinstance(value, str):
            import json

            try:
                return json.loads(value or "{}")
            except ValueError:
                raise ValueError("answers must be a JSON object of question ids and answers") from None
        return value


class ReferralOut(Schema):
    reference: str = Field(description="The referral's reference: all a referrer is told")


class GroupQuestionOut(Schema):
    id: str
    label: str
    hint: str
    kind: str = Field(
        description="short_text, long_text, number, date, single_choice, multiple_choice, yes_no, address, group"
    )
    required: bool
    well_known: bool = Field(description="Its answer becomes the Channel referral's field of the same name")
    choices: list[list[str]] = Field(description="[value, label] pairs for choice questions: answer with the value")
    validation: dict[str, Any] = Field(description="The question's rules (max_length, min, max, when, …)")
    show_if: dict[str, Any] | None = Field(description="Asked only when this condition on an earlier answer holds")


class QuestionOut(GroupQuestionOut):
    questions: list[GroupQuestionOut] = Field(description="A repeating group's questions (answer with a list)")


class ReferralFormOut(Schema):
    panel_id: int
    panel: str
    area: str
    form_id: int | None = Field(description="The form definition; null for the built-in referral form")
    form_name: str
    version: int | None = Field(description="The current version's number (answers are kept with it)")
    questions: list[QuestionOut]


class FieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[list[str]]


class TransitionOut(Schema):
    name: str
    label: str
    step: str
    allowed: bool
    problems: list[str]
    records: list[FieldOut]


class EventOut(Schema):
    transition: str
    label: str
    from_state: str
    to_state: str
    actor: str
    organisation: str
    occurred_at: datetime
    data: dict[str, Any]


class ChannelCaseOut(Schema):
    case_id: int
    reference: str
    panel: str
    state: str
    state_label: str
    is_open: bool
    age_group: str
    urgency: str
    referred_at: datetime
    escalated: bool
    significant_harm_recorded: bool
    social_care_referral_recorded: bool


class ChannelCaseDetailOut(ChannelCaseOut):
    transitions: list[TransitionOut]
    history: list[EventOut]


class TransitionIn(BaseModel):
    """The fields the transition records, by name (see ``records`` of the case's transitions)."""

    model_config = ConfigDict(extra="allow")


class RefusedOut(Schema):
    detail: str
    problems: list[str]


def case_out(channel_case: ChannelCase) -> dict:
    return {
        "case_id": channel_case.case_id,
        "reference": channel_case.case.reference,
        "panel": channel_case.panel.name,
        "state": channel_case.state,
        "state_label": channel_case.state_label,
        "is_open": channel_case.is_open,
        "age_group": channel_case.age_group,
        "urgency": channel_case.urgency,
        "referred_at": channel_case.referred_at,
        "escalated": channel_case.escalated,
        "significant_harm_recorded": channel_case.significant_harm_recorded,
        "social_care_referral_recorded": channel_case.social_care_referral_recorded,
    }


def _detail(user, channel_case: ChannelCase) -> dict:
    workflow = channel_case.workflow
    transitions = [
        {
            "name": a.transition.name,
            "label": a.transition.label,
            "step": a.transition.step,
            "allowed": a.allowed,
            "problems": a.problems,
            "records": [
                {
                    "name": f.name,
                    "label": f.label,
                    "kind": f.kind,
                    "required": f.required,
                    "choices": [list(c) for c in f.choices_for(channel_case)],
                }
                for f in a.transition.records
            ],
        }
        for a in services.transitions_for(user, channel_case)
    ]
    history = [
        {
            "transition": event.transition,
            "label": workflow.transitions[event.transition].label
            if event.transition in workflow.transitions
            else "Referral received",
            "from_state": event.from_state,
            "to_state": event.to_state,
            "actor": event.actor.full_name if event.actor else "",
            "organisation": event.actor_organisation,
            "occurred_at": event.occurred_at,
            "data": event.data,
        }
        for event in engine.history(user, channel_case.case)
    ]
    return {**case_out(channel_case), "transitions": transitions, "history": history}


def _referral_panel(panel_id: int | None, panels: list):
    if panel_id is None and len(panels) == 1:
        return panels[0]
    return next((p for p in panels if p.pk == panel_id), None)


def _choose_a_panel(panels: list) -> DjangoValidationError:
    names = ", ".join(f"{p.pk} ({p.name})" for p in panels) or "none"
    return DjangoValidationError({"panel_id": f"Give the panel_id of a Channel panel that takes referrals: {names}"})


@router.get(
    "/referral-form",
    response={200: ReferralFormOut, 404: ErrorOut, 422: dict},
    url_name="channel_referral_form",
    summary="The questions a panel's referral form asks (its own form's current version, or the built-in fields)",
    description="Answer them by id in POST referrals' ``answers``. ``panel_id`` is needed when more than one "
    "Channel panel takes referrals; a panel that does not take referrals is a 404.",
)
def referral_form_questions(request, panel_id: int | None = None):
    policy.require(request.auth, "channel.refer")
    panels = list(services.referral_panels())
    panel = _referral_panel(panel_id, panels)
    if panel is None:
        if panel_id is None:
            raise unprocessable(_choose_a_panel(panels))
        raise Http404
    return referral_api.form_out(panel)


@router.post(
    "/referrals",
    response={201: ReferralOut, 404: ErrorOut, 422: dict},
    url_name="channel_submit_referral",
    summary="Make a Prevent referral",
    description="Send ``answers`` to the panel's referral form by question id (see GET referral-form), the "
    "built-in fields, or both. Checked exactly as the referral pages check them: a question the form does not "
    "have, a built-in field it does not ask, a missing required answer (the form's own questions too) or a wrong "
    "kind or choice is a 422 whose ``loc`` ends with the question id (``[body, answers, id]``, or ``[body, "
    "field]`` for a built-in field). Every answer is kept with the form version.",
    openapi_extra=json_body(ReferralIn),
)
def submit_referral(request):
    policy.require(request.auth, "channel.refer")
    payload = parse_body(request, ReferralIn)
    panels = list(services.referral_panels())
    panel = _referral_panel(payload.panel_id, panels)
    if panel is None:
        raise unprocessable(_choose_a_panel(panels))
    try:
        referral = referral_api.submit(request.auth, panel, payload)
    except referral_api.Refused as refused:
        raise refused.as_422() from None
    return Status(201, {"reference": referral.reference})


@router.get(
    "/referrals/queue",
    response={200: list[ChannelCaseOut], 404: ErrorOut},
    url_name="channel_queue",
    summary="The Prevent team's queue: unscreened first, urgent first, longest waiting first",
)
def queue(request):
    policy.require(request.auth, "channel.queue")
    rows = list(services.queue(request.auth)[:500])
    with transaction.atomic():
        record(request.auth, "channel.queue_viewed", None, case_ids=[r.case_id for r in rows], count=len(rows))
    return [case_out(row) for row in rows]


@router.get(
    "/cases/{case_id}",
    response={200: ChannelCaseDetailOut, 404: ErrorOut},
    url_name="channel_case",
    summary="A Channel case: its state, what you may do next (and why not), and its history",
)
def channel_case_detail(request, case_id: int):
    channel_case = services.channel_case_for(request.auth, case_id)
    with transaction.atomic():
        record(
            request.auth,
            "channel.case_viewed",
            channel_case.case,
            case_id=case_id,
            person_id=channel_case.case.person_id,
        )
    return _detail(request.auth, channel_case)


@router.post(
    "/cases/{case_id}/transitions/{name}",
    response={200: ChannelCaseDetailOut, 403: ErrorOut, 404: ErrorOut, 409: RefusedOut, 422: dict},
    url_name="channel_transition",
    summary="Make a workflow transition (screening, next step, panel decision, …) with what it records",
    openapi_extra=json_body(TransitionIn),
)
def make_transition(request, case_id: int, name: str):
    channel_case = services.channel_case_for(request.auth, case_id)
    try:
        engine.check_transition(request.auth, channel_case, name)
        payload = parse_body(request, TransitionIn)
        services.do_channel_transition(request.auth, channel_case, name, dict(payload.model_extra or {}))
    except PermissionDenied as denied:
        return Status(403, {"detail": str(denied)})
    except engine.TransitionRefused as refused:
        return Status(409, {"detail": "This transition cannot be made now.", "problems": refused.problems})
    except DjangoValidationError as error:
        raise unprocessable(error) from None
    return _detail(request.auth, services.channel_case_for(request.auth, case_id))
