"""Referrals over the API with the panel's referral form: what the form asks, and a referral's
answers checked and kept exactly as the pages check and keep them (referral_pages.py).

``form_out(panel)`` describes the questions a panel's referral form asks: its own form
(form builder) with the current version, or the built-in referral's fields when it has none.

``submit(user, panel, body)`` takes the API body — ``answers`` keyed by question id, the
built-in fields, or both — and:

- on a panel with its own form, turns the built-in fields into answers to the questions with
  the same well-known ids (``address`` and ``postcode`` into the address question), then
  checks them with ``referral_pages.check_answers`` (the version's rules and the Channel
  checks, one code path with the pages) and keeps every answer with the version;
- on a panel with the built-in form, reads ``answers`` as the built-in fields by name.

Nothing sent is dropped: an answer to a question the form does not have, a built-in field the
form does not ask, the same question given twice, or an answer to a question its show-if
condition leaves out is a 422 naming the question, like a missing or wrong answer."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from roundtable.channel import referral_form, referral_pages, services
from roundtable.channel.forms import ReferralForm
from roundtable.channel.models import Referral
from roundtable.formbuilder.answers import is_shown, question_paths
from roundtable.formbuilder.schema import options_of

BUILT_IN_NAME = "Built-in referral form"
EXTRAS = {"panel_id", "answers", "form_version"}  # parts of the body that are not referral fields
READ_AGAIN = "Read the questions with GET /api/v1/channel/referral-form."


class Refused(Exception):
    """Problems with a body, each (location in the body, message)."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        self.problems = problems

    def as_422(self) -> NinjaValidationError:
        return NinjaValidationError([{"loc": ["body", *loc], "msg": msg} for loc, msg in self.problems])


# --- What the form asks --------------------------------------------------------------------------
def _question_out(question: dict) -> dict:
    return {
        "id": question["id"],
        "label": question["label"],
        "hint": question.get("hint", ""),
        "kind": question["kind"],
        "required": bool(question.get("required")),
        "well_known": question["id"] in referral_form.CORE,
        "choices": [[o["value"], o["label"]] for o in options_of(question)],
        "validation": question.get("validation", {}),
        "show_if": question.get("show_if"),
    }


def _builtin_kind(name: str, field) -> str:
    if name == "date_of_birth":
        return "date"  # three day/month/year boxes on the page, so not one of the form's fields
    if name == "approximate_age":
        return "number"
    if isinstance(field, forms.MultipleChoiceField):
        return "multiple_choice"
    if isinstance(field, forms.ChoiceField):
        return "single_choice"
    return "long_text" if isinstance(field.widget, forms.Textarea) else "short_text"


def builtin_questions() -> list[dict]:
    """The built-in referral's fields, described from the built-in page's own form."""
    fields = ReferralForm.base_fields
    out = []
    for name in services.REFERRAL_FIELDS:
        field = fields.get(name)
        label = field.label if field is not None else "Date of birth"
        hint = str(field.help_text) if field is not None else "Or give approximate_age when it is not known."
        core = referral_form.CORE.get(name)
        out.append(
            {
                "id": name,
                "label": label.removesuffix(" (optional)"),
                "hint": hint,
                "kind": _builtin_kind(name, field),
                "required": bool(core and core.needed and name != "date_of_birth"),
                "well_known": True,
                "choices": [[str(v), str(label)] for v, label in getattr(field, "choices", [])],
                "validation": {},
                "show_if": None,
                "questions": [],
            }
        )
    return out


def form_out(panel) -> dict:
    definition = referral_pages.referral_definition(panel)
    base = {"panel_id": panel.pk, "panel": panel.name, "area": panel.area.name}
    if definition is None:
        return {**base, "form_id": None, "form_name": BUILT_IN_NAME, "version": None, "questions": builtin_questions()}
    version = definition.latest_version
    questions = []
    for question in question_paths(version.schema).values():
        inner = [_question_out(q) for q in question.get("questions", [])]
        questions.append({**_question_out(question), "questions": inner})
    return {**base, "form_id": definition.pk, "form_name": definition.name, "version": version.number,
            "questions": questions}  # fmt: skip


# --- Taking a referral ---------------------------------------------------------------------------
def _has_content(value) -> bool:
    return value not in (None, "", [], {})


def submit(user, panel, body) -> Referral:
    """Check and record the referral; raises Refused naming every problem."""
    sent = {name: getattr(body, name) for name in body.model_fields_set - EXTRAS}
    definition = referral_pages.referral_definition(panel)
    if definition is None:
        return _submit_builtin(user, panel, body, sent)
    return _submit_own_form(user, panel, body, sent, definition)


def _submit_builtin(user, panel, body, sent: dict) -> Referral:
    problems: list[tuple[tuple, str]] = []
    if body.form_version is not None:
        problems.append((("form_version",), f"{panel.name} uses the built-in referral form, which has no versions."))
    merged = dict(sent)
    given = set()
    for qid, value in (body.answers or {}).items():
        if qid not in services.REFERRAL_FIELDS:
            problems.append((("answers", qid), f"The built-in referral form has no question '{qid}'. {READ_AGAIN}"))
        elif qid in sent and _has_content(sent[qid]):
            problems.append((("answers", qid), f"Give '{qid}' once: in answers or as a field of the body, not both."))
        else:
            merged[qid] = value
            given.add(qid)

    def where(name: str) -> tuple:
        return ("answers", name) if name in given else (name,)

    try:
        # The built-in fields' types, whichever part of the body they came in.
        fields = type(body).model_validate(merged)
    except PydanticValidationError as error:
        problems += [(where(str(e["loc"][0])), e["msg"]) for e in error.errors()]
        raise Refused(problems) from None
    if problems:
        raise Refused(problems)
    details = fields.model_dump(exclude=EXTRAS)
    details["date_of_birth"] = fields.date_of_birth.isoformat() if fields.date_of_birth else ""
    try:
        return services.do_submit_referral(user, panel, details, source=Referral.Source.API)
    except ValidationError as error:
        raise Refused(
            [(where(name), message) for name, messages in error.message_dict.items() for message in messages]
        ) from None


def _as_raw(name: str, value):
    """A built-in field's value as the raw answer to the question with its id."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _address(text: str, postcode: str) -> dict:
    """The built-in free-text address and postcode as an address answer (details() joins it back)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    first, middle, last = (lines[:1], lines[1:-1], lines[-1:]) if len(lines) > 1 else (lines, [], [])
    return {"line1": " ".join(first), "line2": ", ".join(middle), "town": " ".join(last), "postcode": postcode or ""}


def _condition(question: dict) -> str:
    condition = question["show_if"]
    target = condition["question"]
    if condition["op"] == "answered":
        return f"only when '{target}' is answered"
    if condition["op"] == "equals":
        return f"only when '{target}' is '{condition['value']}'"
    return f"only when '{target}' is one of: {', '.join(condition.get('values', []))}"


def _submit_own_form(user, panel, body, sent: dict, definition) -> Referral:
    version = definition.latest_version
    schema = version.schema
    questions = question_paths(schema)
    problems: list[tuple[tuple, str]] = []
    if body.form_version is not None and body.form_version != version.number:
        problems.append(
            (
                ("form_version",),
                f"{panel.name}'s referral form is now version {version.number}, not {body.form_version}. {READ_AGAIN}",
            )
        )
    answers_sent = body.answers or {}
    raw: dict = {}
    came_from: dict[str, str] = {}  # question id → the built-in field it was given as
    for qid, value in answers_sent.items():
        if qid not in questions:
            message = f"{panel.name}'s referral form has no question '{qid}'."
            if qid == "postcode" and "address" in questions:
                message += " The postcode is part of the 'address' answer: {line1, line2, town, postcode}."
            problems.append((("answers", qid), f"{message} {READ_AGAIN}"))
        else:
            raw[qid] = value
    for name, value in sent.items():
        if not _has_content(value):
            continue
        target = "address" if name == "postcode" else name
        if target not in questions:
            message = f"{panel.name}'s referral form has no question '{target}', so it cannot take it."
            problems.append(((name,), f"{message} {READ_AGAIN}"))
        elif target in answers_sent:
            problems.append(((name,), f"Give '{target}' once: in answers or as a field of the body, not both."))
        elif target == "address":
            raw["address"] = _address(sent.get("address", ""), sent.get("postcode", ""))
            came_from["address"] = "address" if _has_content(sent.get("address")) else "postcode"
        else:
            raw[target] = _as_raw(name, value)
            came_from[target] = name

    def where(path: str) -> tuple:
        return (came_from[path],) if path in came_from else ("answers", path)

    # The pages' own check: the version's rules, then the Channel referral's.
    answers, errors = referral_pages.check_answers(schema, raw, public=False)
    for path, message in errors.items():
        problems.append((where(path), message))
    for qid, value in raw.items():
        question = questions[qid]
        if qid in answers or qid in errors or not _has_content(value) or is_shown(question, answers):
            continue
        if question["show_if"]["question"] in errors:
            continue  # the answer it depends on is wrong: that is the problem to fix first
        asked = _condition(question)
        message = f"'{qid}' ({question['label']}) is not asked with these answers: it is asked {asked}."
        problems.append((where(qid), message))
    if problems:
        raise Refused(problems)
    try:
        return services.do_submit_referral(
            user, panel, referral_form.details(answers), source=Referral.Source.API, form=(version, answers)
        )
    except ValidationError as error:
        placed = referral_form.error_paths(error.message_dict, schema)
        raise Refused([(where(path), message) for path, message in placed.items()]) from None
