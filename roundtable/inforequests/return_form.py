"""A panel's (or area's) information return form, built in the form builder.

When the case a request is about belongs to a panel (or, without one, an area) that has
chosen a published form of purpose "information return", the people asked answer on that
form instead of the fixed one. Whatever the form asks, the request still needs the same two
facts from every answer, so the form must carry them as questions with these
**well-known ids** (the names of the answer's fields):

- ``outcome``: choose one option, always asked, whose option values are exactly the answer
  outcomes (``not_known``, ``nothing_relevant``, ``information_provided``; reword them freely);
- ``answer``: long text, the information given (needed when information is provided). It may
  be shown only when ``outcome`` is ``information_provided`` (among others).

Everything else is the panel's own: asked, checked against the version's rules and kept as a
form submission linked to the answer, readable exactly where the answer is.

The people answering are often not members of the case, and may work in another area, so the
form cannot ask them to choose a person, an organisation or a case document from Roundtable's
records; files are attached below the form, as on the fixed form.

``problems(schema)`` says what stops a form from serving (checked when it is chosen and when a
new version of a chosen form is published), ``details`` reads the two facts from its answers.
"""

from roundtable.inforequests.models import RequestRecipient

OUTCOME, ANSWER = "outcome", "answer"
OUTCOMES = frozenset(RequestRecipient.Outcome.values)
PROVIDED = RequestRecipient.Outcome.INFORMATION_PROVIDED
NOT_ASKABLE = {"person": "a person", "organisation": "an organisation", "file": "a file upload"}
# What each well-known id holds, for messages and the builder's hint.
LABELS = {
    OUTCOME: "whether the organisation knows the person, and has information to share",
    ANSWER: "the information given",
}


def _questions(schema: dict):
    for section in schema.get("sections", []):
        yield from section.get("questions", [])


def _outcome_problems(question: dict | None, inner: set) -> list[str]:
    label = LABELS[OUTCOME]
    if question is None:
        if OUTCOME in inner:
            return [f"The question '{OUTCOME}' ({label}) cannot be inside a repeating group."]
        return [f"It has no question with the id '{OUTCOME}' ({label}, choose one option)."]
    if question["kind"] != "single_choice":
        return [f"The question '{OUTCOME}' ({label}) must be choose one option, not {question['kind']}."]
    found = []
    values = {o["value"] for o in question.get("options", [])}
    if values != OUTCOMES:
        unknown, missing = sorted(values - OUTCOMES), sorted(OUTCOMES - values)
        parts = []
        if unknown:
            parts.append(f"it has options information requests do not know: {', '.join(unknown)}")
        if missing:
            parts.append(f"it lacks the options {', '.join(missing)}")
        found.append(
            f"The question '{OUTCOME}' ({label}) must offer exactly the options "
            f"{', '.join(sorted(OUTCOMES))} (reword them as you like): {'; '.join(parts)}."
        )
    if not question.get("required"):
        found.append(f"The question '{OUTCOME}' ({label}) must be required.")
    if question.get("show_if"):
        found.append(f"The question '{OUTCOME}' ({label}) is always needed, so it cannot have a show-if condition.")
    return found


def _answer_problems(question: dict | None, inner: set) -> list[str]:
    label = LABELS[ANSWER]
    if question is None:
        if ANSWER in inner:
            return [f"The question '{ANSWER}' ({label}) cannot be inside a repeating group."]
        return [f"It has no question with the id '{ANSWER}' ({label}, long text)."]
    if question["kind"] != "long_text":
        return [f"The question '{ANSWER}' ({label}) must be long text, not {question['kind']}."]
    condition = question.get("show_if")
    if condition:
        wanted = {condition.get("value")} if condition.get("op") == "equals" else set(condition.get("values", []))
        if condition.get("question") != OUTCOME or condition.get("op") == "answered" or PROVIDED not in wanted:
            return [
                f"The question '{ANSWER}' ({label}) must be asked whenever information is provided: "
                f"its show-if condition can only be on '{OUTCOME}', including '{PROVIDED}'."
            ]
    return []


CHECKS = {OUTCOME: _outcome_problems, ANSWER: _answer_problems}


def well_known() -> dict[str, str]:
    """The well-known ids, each with what an information request reads from it (for the builder's hint)."""
    return {
        OUTCOME: f"{LABELS[OUTCOME]}: choose one option, required, with exactly the options "
        f"{', '.join(sorted(OUTCOMES))}",
        ANSWER: f"{LABELS[ANSWER]}: long text",
    }


def question_problems(question: dict, *, in_group: bool = False) -> list[str]:
    """The checks ``problems`` makes of one question, if its id is well known (the builder
    refuses a question that would fail them)."""
    check = CHECKS.get(question.get("id"))
    if check is None:
        return []
    return check(None, {question["id"]}) if in_group else check(question, set())


def problems(schema: dict) -> list[str]:
    """Why this form cannot be an information return form (empty: it can), one sentence each."""
    top = {q["id"]: q for q in _questions(schema)}
    inner = {i["id"] for q in top.values() for i in q.get("questions", [])}
    found = _outcome_problems(top.get(OUTCOME), inner) + _answer_problems(top.get(ANSWER), inner)
    for question in top.values():
        for asked in [question, *question.get("questions", [])]:
            if asked["kind"] in NOT_ASKABLE:
                found.append(
                    f"The question '{asked['label']}' is {NOT_ASKABLE[asked['kind']]}, which the people asked "
                    "cannot answer (they may not be on the case); they attach files below the form."
                )
    return found


def details(answers: dict) -> tuple[str, str]:
    """(outcome, answer text) from a submission's (already checked) answers."""
    return str(answers.get(OUTCOME) or ""), str(answers.get(ANSWER) or "")


def definition_for(case):
    """The information return form the case's panel (or area) uses, or None: the fixed form."""
    from roundtable.formbuilder.choices import for_case
    from roundtable.formbuilder.models import Purpose

    return for_case(case, Purpose.INFORMATION_RETURN)
