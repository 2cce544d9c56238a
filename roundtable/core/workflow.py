"""Workflows as data: states, transitions, who may make each and what must be recorded.

A panel type's process is a ``Workflow`` declaration (see roundtable/channel/workflow.py
for Channel). The engine here is the same for every declaration:

- ``available_transitions(user, subject)`` lists the transitions out of the subject's
  state, each with the plain-English problems that block it for this user (an empty
  list: they may make it now);
- ``do_transition(actor, subject, name, data)`` makes one: it refuses a transition the
  actor may not make (PermissionDenied; a case they cannot see is a 404), one out of
  order (the subject is not in a source state) and one whose guards are unmet
  (``TransitionRefused``), checks the recorded fields (ValidationError, field by field),
  then in one transaction runs the declared effects, moves the state, saves a
  ``WorkflowEvent`` history row, writes a "decision" chronology entry on the case and
  an audit event.

A subject is a model instance with ``state``, ``case`` (cases.Case), ``version`` and a
``workflow`` attribute naming its declaration. Actors, guards and effects are named in
the declaration and resolved by the workflow's own functions, so the declaration reads
as data and the engine never knows what "chair" or "consent" means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date

TEXT, LONG_TEXT, CHOICE, MULTICHOICE, YES_NO, CONFIRM, DATE = (
    "text",
    "long_text",
    "choice",
    "multichoice",
    "yes_no",
    "confirm",
    "date",
)
FIELD_KINDS = (TEXT, LONG_TEXT, CHOICE, MULTICHOICE, YES_NO, CONFIRM, DATE)
# What an optional field left empty is recorded as.
EMPTY = {MULTICHOICE: [], CONFIRM: False, YES_NO: None, DATE: None}


@dataclass(frozen=True)
class State:
    key: str
    label: str
    # Terminal states close the case (Case.state "closed"); transitions may still leave
    # them (a post-exit review), but a terminal state is never "open work".
    terminal: bool = False


@dataclass(frozen=True)
class RecordField:
    """Something a transition records. The engine checks it; the pages render it."""

    name: str
    label: str
    kind: str = LONG_TEXT
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    required_message: str = ""
    invalid_message: str = ""
    # Required only when another field has this value: ("referral_made", True).
    required_if: tuple[str, Any] | None = None
    max_length: int = 5000
    past_only: bool = True  # dates: today or earlier
    # Choices that depend on the subject (another area's panels): (subject) -> choices.
    choices_from: Callable[[Any], tuple[tuple[str, str], ...]] | None = None

    def choices_for(self, subject) -> tuple[tuple[str, str], ...]:
        return tuple(self.choices_from(subject)) if self.choices_from else self.choices

    def choice_label(self, value) -> str:
        return dict(self.choices).get(value, str(value))

    def display(self, value) -> str:
        if value in (None, "", []):
            return "Not recorded"
        if self.kind == CHOICE:
            return self.choice_label(value)
        if self.kind == MULTICHOICE:
            return ", ".join(self.choice_label(v) for v in value)
        if self.kind in (YES_NO, CONFIRM):
            return "Yes" if value else "No"
        if self.kind == DATE:
            day = parse_date(value) if isinstance(value, str) else value
            return f"{day.day} {day:%B %Y}" if day else str(value)
        return str(value)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    # None: the subject stays in its state (a review, an endorsement, a flag).
    target: str | None
    actors: tuple[str, ...]
    requires: tuple[str, ...] = ()
    records: tuple[RecordField, ...] = ()
    effects: tuple[str, ...] = ()
    # The task-list step this transition belongs to (transitions of one step are the
    # choices on one page: the three screening routes, the three panel decisions).
    step: str = ""
    # A guard name: the target is reached only once it passes after this transition's
    # effects (the second of two endorsements); until then the subject stays.
    target_when: str = ""
    summary: str = ""  # the chronology entry's summary; defaults to "<workflow>: <label>"
    hint: str = ""
    # What the effects add to the record, as (name, label): shown in the history and the
    # chronology like a recorded field, but never accepted from the person (a review's
    # vulnerability assessment, found by the effect, not typed).
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Actor:
    name: str
    label: str  # "the Channel chair": completes "Only … can do this."
    check: Callable[[Any, Any], bool]  # (user, subject) -> bool


@dataclass(frozen=True)
class Guard:
    name: str
    check: Callable[[Any, Any], str | None]  # (subject, actor) -> a problem, or None


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    hint: str = ""


@dataclass
class Context:
    """What an effect is given: it may change ``subject`` (saved by the engine) and create rows."""

    actor: Any
    subject: Any
    transition: Transition
    data: dict
    from_state: str
    to_state: str = ""


Effect = Callable[[Context], None]


class WorkflowError(ValueError):
    """A declaration that does not hang together (raised at import, so it never ships)."""


class TransitionRefused(ValidationError):
    """Out of order or a guard unmet. ``problems`` are plain-English sentences."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(self.problems)


class Workflow:
    def __init__(
        self,
        *,
        name: str,
        label: str,
        states: list[State],
        initial: str,
        transitions: list[Transition],
        actors: list[Actor],
        guards: list[Guard] = (),
        effects: dict[str, Effect] | None = None,
        steps: list[Step] = (),
        on_enter: dict[str, tuple[str, ...]] | None = None,
        value_labels: dict[str, dict[str, str]] | None = None,
    ):
        self.name = name
        self.label = label
        self.states = {state.key: state for state in states}
        self.initial = initial
        self.transitions = {t.name: t for t in transitions}
        self.actors = {actor.name: actor for actor in actors}
        self.guards = {guard.name: guard for guard in guards}
        self.effects = dict(effects or {})
        self.steps = list(steps)
        # Effects run whenever the subject enters a state, by whichever transition.
        self.on_enter = dict(on_enter or {})
        # How to read stored codes in history rows no transition describes (the referral itself):
        # {"source": {"in_app": "Referral form in Roundtable"}, ...}.
        self.value_labels = dict(value_labels or {})
        self._check()
        WORKFLOWS[name] = self

    def _check(self) -> None:
        problems = []
        if self.initial not in self.states:
            problems.append(f"initial state {self.initial!r} is not declared")
        step_keys = {step.key for step in self.steps}
        for t in self.transitions.values():
            for source in t.sources:
                if source not in self.states:
                    problems.append(f"{t.name}: source {source!r} is not a state")
            if t.target is not None and t.target not in self.states:
                problems.append(f"{t.name}: target {t.target!r} is not a state")
            if not t.actors:
                problems.append(f"{t.name}: nobody may make it")
            problems += [f"{t.name}: actor {a!r} is not declared" for a in t.actors if a not in self.actors]
            needed = (*t.requires, t.target_when) if t.target_when else t.requires
            problems += [f"{t.name}: guard {g!r} is not declared" for g in needed if g not in self.guards]
            problems += [f"{t.name}: effect {e!r} is not declared" for e in t.effects if e not in self.effects]
            if t.step and t.step not in step_keys:
                problems.append(f"{t.name}: step {t.step!r} is not declared")
            names = [f.name for f in t.records] + [name for name, _label in t.notes]
            if len(set(names)) != len(names):
                problems.append(f"{t.name}: a recorded field or note is named twice")
            for f in t.records:
                if f.kind not in FIELD_KINDS:
                    problems.append(f"{t.name}.{f.name}: unknown kind {f.kind!r}")
                if f.kind in (CHOICE, MULTICHOICE) and not (f.choices or f.choices_from):
                    problems.append(f"{t.name}.{f.name}: a choice needs choices")
        for state, effects in self.on_enter.items():
            if state not in self.states:
                problems.append(f"on_enter: {state!r} is not a state")
            problems += [f"on_enter {state}: effect {e!r} is not declared" for e in effects if e not in self.effects]
        if problems:
            raise WorkflowError(f"Workflow {self.name}: " + "; ".join(problems))

    def __repr__(self) -> str:
        return f"<Workflow {self.name}>"

    # --- Reading the declaration ------------------------------------------------------------
    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise TransitionRefused([f"There is no step called {name!r} in the {self.label} workflow."]) from None

    def state_label(self, key: str) -> str:
        state = self.states.get(key)
        return state.label if state else key

    def is_terminal(self, key: str) -> bool:
        state = self.states.get(key)
        return bool(state and state.terminal)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def transitions_in_step(self, step: str) -> list[Transition]:
        return [t for t in self.transitions.values() if t.step == step]

    def actors_label(self, transition: Transition) -> str:
        labels = [self.actors[name].label for name in transition.actors]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]

    # --- Asking about one subject -------------------------------------------------------
    def may_act(self, user, subject, transition: Transition) -> bool:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return any(self.actors[name].check(user, subject) for name in transition.actors)

    def unmet(self, transition: Transition, subject, actor) -> list[str]:
        return [p for p in (self.guards[name].check(subject, actor) for name in transition.requires) if p]

    def out_of_order(self, transition: Transition, state: str) -> str:
        allowed = " or ".join(f"“{self.state_label(s)}”" for s in transition.sources)
        return f"This case is “{self.state_label(state)}”. “{transition.label}” can only be done when it is {allowed}."

    def not_allowed(self, transition: Transition) -> str:
        return f"Only {self.actors_label(transition)} can do this."

    # --- Checking recorded data -------------------------------------------------------------
    def clean(self, transition: Transition, data: dict | None, subject=None) -> dict:
        """The recorded fields, checked and normalised (dates as ISO strings, yes/no as
        booleans). Raises ValidationError naming each problem; unknown fields are an
        error too, so nothing anyone entered is silently dropped."""
        data = dict(data or {})
        errors: dict[str, str] = {}
        known = {f.name for f in transition.records}
        unknown = sorted(set(data) - known)
        if unknown:
            errors["__all__"] = f"“{transition.label}” does not record: {', '.join(unknown)}."
        cleaned: dict[str, Any] = {}
        for f in transition.records:
            try:
                cleaned[f.name] = _clean_value(f, data.get(f.name), f.choices_for(subject))
            except ValidationError as error:
                errors[f.name] = error.messages[0]
        for f in transition.records:
            if f.name in errors or not f.required_if:
                continue
            other, value = f.required_if
            if cleaned.get(other) == value and cleaned.get(f.name) in (None, "", []):
                errors[f.name] = f.required_message or _required_message(f)
        if errors:
            raise ValidationError(errors)
        return cleaned


WORKFLOWS: dict[str, Workflow] = {}


def _required_message(f: RecordField) -> str:
    if f.kind in (CHOICE, YES_NO, MULTICHOICE):
        return f"Select {f.label[0].lower()}{f.label[1:]}"
    return f"Enter {f.label[0].lower()}{f.label[1:]}"


def _from_list(f: RecordField) -> str:
    return f"Choose {f.label[0].lower()}{f.label[1:]} from the list"


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _clean_value(f: RecordField, value, choices):
    must = f.required and not f.required_if
    if _is_empty(value):
        if f.kind == CONFIRM and must:
            raise ValidationError(f.required_message or f"Confirm that {f.label[0].lower()}{f.label[1:]}")
        if must:
            raise ValidationError(f.required_message or _required_message(f))
        return EMPTY.get(f.kind, "")
    if f.kind in (TEXT, LONG_TEXT):
        if not isinstance(value, str):
            raise ValidationError(f.invalid_message or f"{f.label} must be text")
        value = value.strip()
        if len(value) > f.max_length:
            raise ValidationError(f"{f.label} must be {f.max_length} characters or fewer")
        return value
    if f.kind == CHOICE:
        if value not in dict(choices):
            raise ValidationError(f.invalid_message or _from_list(f))
        return value
    if f.kind == MULTICHOICE:
        values = [value] if isinstance(value, str) else list(value)
        wrong = [v for v in values if v not in dict(choices)]
        if wrong:
            raise ValidationError(f.invalid_message or _from_list(f))
        return [key for key, _label in choices if key in values]
    if f.kind in (YES_NO, CONFIRM):
        flag = _as_bool(value)
        if flag is None:
            raise ValidationError(f.invalid_message or f"Select yes or no for {f.label[0].lower()}{f.label[1:]}")
        if f.kind == CONFIRM and must and not flag:
            raise ValidationError(f.required_message or f"Confirm that {f.label[0].lower()}{f.label[1:]}")
        return flag
    if f.kind == DATE:
        day = value if isinstance(value, date) and not isinstance(value, datetime) else None
        if day is None and isinstance(value, str):
            try:
                day = parse_date(value.strip())
            except ValueError:
                day = None
        if day is None:
            raise ValidationError(f.invalid_message or f"{f.label} must be a real date")
        if f.past_only and day > timezone.localdate():
            raise ValidationError(f"{f.label} must be today or in the past")
        return day.isoformat()
    raise ValidationError(f"{f.label} cannot be recorded")  # pragma: no cover - declarations are checked


def _as_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "true", "on", "1"):
        return True
    if text in ("no", "false", "off", "0"):
        return False
    return None


# --- The engine -------------------------------------------------------------------------------
@dataclass
class Availability:
    transition: Transition
    problems: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        return " ".join(self.problems)


def available_transitions(user, subject) -> list[Availability]:
    """Every transition out of the subject's state, with what blocks each for this user.

    The caller has already fetched the subject through the access policy."""
    workflow = subject.workflow
    results = []
    for t in workflow.transitions_from(subject.state):
        problems = [] if workflow.may_act(user, subject, t) else [workflow.not_allowed(t)]
        problems += workflow.unmet(t, subject, user)
        results.append(Availability(t, problems))
    return results


def check_transition(actor, subject, name: str) -> Transition:
    """Everything ``do_transition`` refuses for, before any data is read."""
    from roundtable.access import policy

    workflow = subject.workflow
    if not policy.can(actor, "case.view", subject.case):
        raise Http404  # "no such case" and "not yours" look the same
    transition = workflow.transition(name)
    if not workflow.may_act(actor, subject, transition):
        raise PermissionDenied(workflow.not_allowed(transition))
    if subject.state not in transition.sources:
        raise TransitionRefused([workflow.out_of_order(transition, subject.state)])
    problems = workflow.unmet(transition, subject, actor)
    if problems:
        raise TransitionRefused(problems)
    return transition


@transaction.atomic
def do_transition(actor, subject, name: str, data: dict | None = None):
    """Make transition ``name`` on ``subject`` as ``actor``, recording ``data``.

    Returns the WorkflowEvent. ``subject`` is refreshed in place with its new state."""
    from roundtable.audit.services import record
    from roundtable.cases.live import publish_entry_changed
    from roundtable.cases.models import Case, ChronologyEntry
    from roundtable.panels.models import WorkflowEvent

    workflow = subject.workflow
    check_transition(actor, subject, name)
    # Lock the subject and ask again: two people pressing the button at once make one change.
    locked = type(subject).objects.select_for_update().get(pk=subject.pk)
    transition = check_transition(actor, locked, name)
    cleaned = workflow.clean(transition, data, locked)
    context = Context(actor=actor, subject=locked, transition=transition, data=cleaned, from_state=locked.state)
    for effect in transition.effects:
        workflow.effects[effect](context)
    target = transition.target
    if target and transition.target_when and workflow.guards[transition.target_when].check(locked, actor):
        target = None  # not yet: the other half of a two-person decision is still to come
    to_state = target or context.from_state
    context.to_state = to_state
    if to_state != context.from_state:
        for effect in workflow.on_enter.get(to_state, ()):
            workflow.effects[effect](context)
    locked.state = to_state
    locked.version += 1
    locked.save()
    case = locked.case
    case_changes = {"updated_at": timezone.now()}
    if to_state != context.from_state:
        case_changes["state"] = Case.State.CLOSED if workflow.is_terminal(to_state) else Case.State.OPEN
    Case.objects.filter(pk=case.pk).update(**case_changes)
    event = WorkflowEvent.objects.create(
        case=case,
        workflow=workflow.name,
        transition=transition.name,
        from_state=context.from_state,
        to_state=to_state,
        actor=actor,
        actor_organisation=actor.organisation.name,
        data=cleaned,
    )
    entry = ChronologyEntry.objects.create(
        case=case,
        kind=ChronologyEntry.Kind.DECISION,
        summary=(transition.summary or f"{workflow.label}: {transition.label}")[:200],
        body=describe(workflow, transition, cleaned, context.from_state, to_state),
        occurred_at=timezone.now(),
        author=actor,
        organisation=actor.organisation,
    )
    # Audit names what was recorded, never what it said (auditors do not read case content).
    record(
        actor,
        "workflow.transition",
        locked,
        case_id=case.pk,
        person_id=case.person_id,
        workflow=workflow.name,
        transition=transition.name,
        from_state=context.from_state,
        to_state=to_state,
        event=event.pk,
        entry=entry.pk,
        fields=sorted(k for k, v in cleaned.items() if v not in (None, "", [])),
    )
    publish_entry_changed(case.pk, entry.pk)
    subject.state, subject.version = locked.state, locked.version
    for name_ in _changed_fields(locked):
        setattr(subject, name_, getattr(locked, name_))
    return event


def _changed_fields(instance) -> list[str]:
    return [f.attname for f in instance._meta.concrete_fields if not f.primary_key]


def describe(workflow: Workflow, transition: Transition, data: dict, from_state: str, to_state: str) -> str:
    """The chronology text of a transition: what moved, and each recorded field."""
    lines = []
    if to_state != from_state:
        lines.append(f"{workflow.state_label(from_state)} → {workflow.state_label(to_state)}")
    for f in transition.records:
        value = data.get(f.name)
        if value in (None, "", []):
            continue
        lines.append(f"{f.label}: {f.display(value)}")
    for name, label in transition.notes:
        if data.get(name) not in (None, "", []):
            lines.append(f"{label}: {data[name]}")
    return "\n".join(lines)


def history(user, case) -> list:
    """A case's workflow events, newest first, through the access policy."""
    from roundtable.access import policy
    from roundtable.panels.models import WorkflowEvent

    qs = WorkflowEvent.objects.filter(case=case).select_related("actor")
    return list(policy.visible(user, qs))


def moved(workflow: Workflow, event) -> str:
    """ "Referred → With the local authority Prevent lead", or "" when the state stayed."""
    if event.from_state == event.to_state:
        return ""
    if not event.from_state:
        return workflow.state_label(event.to_state)
    return f"{workflow.state_label(event.from_state)} → {workflow.state_label(event.to_state)}"


def _plain(code: str) -> str:
    return code.replace("_", " ").capitalize()


def event_lines(event) -> list[tuple[str, str]]:
    """(label, value) for each recorded field of a history row, in declaration order."""
    workflow = WORKFLOWS.get(event.workflow)
    transition = workflow.transitions.get(event.transition) if workflow else None
    if transition is None:
        # An event the declaration does not describe (the referral itself): plain words, not keys.
        labels = workflow.value_labels if workflow else {}
        return [(_plain(key), labels.get(key, {}).get(str(v)) or _plain(str(v))) for key, v in event.data.items()]
    lines = [
        (f.label, f.display(event.data.get(f.name)))
        for f in transition.records
        if event.data.get(f.name) not in (None, "", [])
    ]
    lines += [
        (label, str(event.data[name])) for name, label in transition.notes if event.data.get(name) not in (None, "", [])
    ]
    return lines


# --- Progress through the steps (the task list on a case page) ------------------------------------
COMPLETED, READY, BLOCKED, WAITING, NOT_YET, NOT_NEEDED = (
    "completed",
    "ready",
    "blocked",
    "waiting",
    "not_yet",
    "not_needed",
)
STATUS_LABELS = {
    COMPLETED: "Completed",
    READY: "Ready to do",
    BLOCKED: "Cannot do yet",
    WAITING: "Waiting for someone else",
    NOT_YET: "Cannot start yet",
    NOT_NEEDED: "Not needed",
}


@dataclass
class StepStatus:
    step: Step
    status: str
    open: list[Availability] = field(default_factory=list)
    events: list = field(default_factory=list)
    waiting_for: str = ""  # who may act, when the user may not ("the Channel chair")

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def problems(self) -> list[str]:
        return [p for a in self.open for p in a.problems]


def step_statuses(user, subject, events, availabilities: list[Availability] | None = None) -> list[StepStatus]:
    """Each declared step with where the subject is in it, for this user.

    ``events`` are the subject's WorkflowEvents (any order). A step with a transition
    open now is ready (the user may make one), blocked (they may act but a guard is
    unmet) or waiting (someone else must act); otherwise it is completed (something in
    it was done), not needed (the subject has finished) or not yet possible."""
    workflow = subject.workflow
    if availabilities is None:
        availabilities = available_transitions(user, subject)
    results = []
    for step in workflow.steps:
        names = {t.name for t in workflow.transitions_in_step(step.key)}
        done = [e for e in events if e.transition in names]
        open_now = [a for a in availabilities if a.transition.step == step.key]
        if open_now:
            if any(a.allowed for a in open_now):
                status = READY
            elif any(workflow.may_act(user, subject, a.transition) for a in open_now):
                status = BLOCKED
            else:
                status = WAITING
        elif done:
            status = COMPLETED
        elif workflow.is_terminal(subject.state):
            status = NOT_NEEDED
        else:
            status = NOT_YET
        waiting_for = workflow.actors_label(open_now[0].transition) if status == WAITING else ""
        results.append(StepStatus(step, status, open_now, done, waiting_for))
    return results
