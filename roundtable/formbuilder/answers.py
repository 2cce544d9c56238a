"""Checking answers against a published version's rules, on the server.

``validate_answers(schema, raw, lookups)`` takes what was typed (from a page, already
turned into the raw shape below, or a JSON body from the API) and returns
``(answers, errors)``: the stored answers, and messages keyed by question path
(``"q3"``, or ``"q7-2-q8"`` for question q8 of item 2 of group q7). It never raises,
whatever shape ``raw`` has — the property tests in tests/formbuilder prove it.

Raw shape, per kind: text, number, choice ids as strings; multiple choice a list of
strings; a date ``{"day", "month", "year"}`` (or "YYYY-MM-DD"); an address
``{"line1", "line2", "town", "postcode"}``; a person, organisation or file an id; a
group a list of objects of its own questions' raw values.

Questions hidden by a show-if condition are not answered: anything sent for them is
dropped, never stored.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from roundtable.formbuilder.saferegex import MAX_SUBJECT, matches
from roundtable.formbuilder.schema import LONG_TEXT_LIMIT, MAX_GROUP_ITEMS, SHORT_TEXT_LIMIT, options_of

POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
NUMBER_RE = re.compile(r"^-?\d{1,15}(?:\.\d{1,6})?$")
ADDRESS_PARTS = ("line1", "line2", "town", "postcode")
DATE_PARTS = ("day", "month", "year")
ID_LIMIT = 2**63 - 1


def _nothing(_id: int) -> str | None:
    return None


@dataclass
class Lookups:
    """How to turn an id into a label the user may see (None: not one they may choose)."""

    person: Callable[[int], str | None] = _nothing
    organisation: Callable[[int], str | None] = _nothing
    document: Callable[[int], str | None] = _nothing
    today: date = field(default_factory=date.today)


class _Invalid(Exception):
    def __init__(self, message: str):
        self.message = message


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:] if label[:2] != label[:2].upper() else label


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _Invalid("must be text")
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise _Invalid("must be text")
    return value.strip()


def _as_id(value) -> int | None:
    if isinstance(value, dict):
        value = value.get("id", value.get("document_id"))
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Invalid("choose")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        number = int(value.strip())
    else:
        raise _Invalid("choose")
    if not 0 < number <= ID_LIMIT:
        raise _Invalid("choose")
    return number


def normalise_postcode(text: str) -> str:
    compact = re.sub(r"\s+", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


class _Validator:
    def __init__(self, lookups: Lookups):
        self.lookups = lookups
        self.errors: dict[str, str] = {}

    # --- one value -------------------------------------------------------------------------
    def value(self, question: dict, raw):
        """(is_answered, stored value); raises _Invalid with a message about the question."""
        kind = question["kind"]
        label = question["label"]
        rules = question.get("validation", {})
        name = _lower_first(label)
        if kind in ("short_text", "long_text"):
            try:
                text = _as_text(raw)
            except _Invalid:
                raise _Invalid(f"Enter {name} as text") from None
            if kind == "short_text":
                text = " ".join(text.split())  # one line: no line breaks or runs of spaces
            if not text:
                return False, None
            limit = rules.get("max_length") or (SHORT_TEXT_LIMIT if kind == "short_text" else LONG_TEXT_LIMIT)
            limit = min(limit, SHORT_TEXT_LIMIT if kind == "short_text" else LONG_TEXT_LIMIT)
            if len(text) > limit:
                raise _Invalid(f"{label} must be {limit} characters or fewer")
            if len(text) < rules.get("min_length", 0):
                raise _Invalid(f"{label} must be {rules['min_length']} characters or more")
            if rules.get("pattern") and (len(text) > MAX_SUBJECT or not matches(rules["pattern"], text)):
                raise _Invalid(rules.get("pattern_message") or f"Enter {name} in the right format")
            return True, text
        if kind == "number":
            try:
                text = _as_text(raw).replace(",", "")
            except _Invalid:
                raise _Invalid(f"{label} must be a number") from None
            if not text:
                return False, None
            if not NUMBER_RE.match(text):
                raise _Invalid(f"{label} must be a number, like 12 or 3.5")
            try:
                number = Decimal(text)
            except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
                raise _Invalid(f"{label} must be a number, like 12 or 3.5") from None
            if rules.get("whole_number") and number != number.to_integral_value():
                raise _Invalid(f"{label} must be a whole number")
            low, high = rules.get("min"), rules.get("max")
            if low is not None and number < Decimal(str(low)):
                raise _Invalid(f"{label} must be {low} or more")
            if high is not None and number > Decimal(str(high)):
                raise _Invalid(f"{label} must be {high} or less")
            normal = format(number.normalize(), "f") if number != 0 else "0"
            return True, normal
        if kind == "date":
            return self.date(question, raw)
        if kind in ("yes_no", "single_choice"):
            try:
                text = _as_text(raw)
            except _Invalid:
                raise _Invalid(f"Choose {name}") from None
            if not text:
                return False, None
            if text not in {o["value"] for o in options_of(question)}:
                raise _Invalid(f"Choose {name} from the options given")
            return True, text
        if kind == "multiple_choice":
            chosen = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
            if not all(isinstance(item, str) for item in chosen) or len(chosen) > 200:
                raise _Invalid(f"Choose {name} from the options given")
            allowed = [o["value"] for o in options_of(question)]
            picked = {item.strip() for item in chosen if item.strip()}
            if picked - set(allowed):
                raise _Invalid(f"Choose {name} from the options given")
            if not picked:
                return False, None
            if len(picked) < rules.get("min_selected", 0):
                raise _Invalid(f"Choose at least {rules['min_selected']} options for {name}")
            if rules.get("max_selected") is not None and len(picked) > rules["max_selected"]:
                raise _Invalid(f"Choose no more than {rules['max_selected']} options for {name}")
            return True, [value for value in allowed if value in picked]
        if kind in ("person", "organisation", "file"):
            noun = {"person": "a person", "organisation": "an organisation", "file": "a file"}[kind]
            try:
                ident = _as_id(raw)
            except _Invalid:
                raise _Invalid(f"Choose {noun} for {name} from the list") from None
            if ident is None:
                return False, None
            lookup = getattr(self.lookups, "document" if kind == "file" else kind)
            found = lookup(ident)
            if not found:
                raise _Invalid(f"Choose {noun} for {name} from the list")
            key = "document_id" if kind == "file" else "id"
            return True, {key: ident, "name": str(found)[:300]}
        if kind == "address":
            return self.address(question, raw)
        raise _Invalid(f"{label} cannot be answered here")

    def date(self, question: dict, raw):
        label, name = question["label"], _lower_first(question["label"])
        if isinstance(raw, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", raw.strip()):
            year, month, day = raw.strip().split("-")
            parts = {"day": day, "month": month, "year": year}
        elif raw is None or raw == "":
            parts = {}
        elif isinstance(raw, dict):
            parts = raw
        else:
            raise _Invalid(f"{label} must be a real date")
        texts = {}
        for part in DATE_PARTS:
            value = parts.get(part)
            if value is not None and not isinstance(value, str | int) or isinstance(value, bool):
                raise _Invalid(f"{label} must be a real date")
            texts[part] = str(value).strip() if value is not None else ""
        missing = [part for part in DATE_PARTS if not texts[part]]
        if len(missing) == 3:
            return False, None
        if missing:
            raise _Invalid(f"{label} must include a {' and '.join(missing)}")
        if not all(texts[p].isdigit() and len(texts[p]) <= 4 for p in DATE_PARTS) or len(texts["year"]) != 4:
            raise _Invalid(f"{label} must be a real date, with a 4-digit year")
        try:
            answer = date(int(texts["year"]), int(texts["month"]), int(texts["day"]))
        except ValueError:
            raise _Invalid(f"{label} must be a real date") from None
        if answer.year < 1900:
            raise _Invalid(f"{label} must be after 1900")
        when = question.get("validation", {}).get("when", "any")
        if when == "past" and answer > self.lookups.today:
            raise _Invalid(f"{label} must be today or in the past")
        if when == "future" and answer < self.lookups.today:
            raise _Invalid(f"{label} must be today or in the future")
        del name
        return True, answer.isoformat()

    def address(self, question: dict, raw):
        label = question["label"]
        if raw is None or raw == "":
            raw = {}
        if not isinstance(raw, dict):
            raise _Invalid(f"Enter {_lower_first(label)} as an address")
        parts = {}
        for part in ADDRESS_PARTS:
            try:
                parts[part] = " ".join(_as_text(raw.get(part)).split())
            except _Invalid:
                raise _Invalid(f"Enter {_lower_first(label)} as an address") from None
            if len(parts[part]) > 200:
                raise _Invalid(f"Each line of {_lower_first(label)} must be 200 characters or fewer")
        if not any(parts.values()):
            return False, None
        if not parts["postcode"]:
            raise _Invalid(f"Enter a postcode for {_lower_first(label)}")
        postcode = normalise_postcode(parts["postcode"])
        if not POSTCODE_RE.match(postcode):
            raise _Invalid(f"Enter a real UK postcode for {_lower_first(label)}, like SW1A 1AA")
        parts["postcode"] = postcode
        return True, parts

    # --- a list of questions -------------------------------------------------------------------
    def questions(self, questions: list[dict], raw: dict, prefix: str = "") -> dict:
        answers: dict = {}
        for question in questions:
            qid = question["id"]
            if not is_shown(question, answers):
                continue
            path = f"{prefix}{qid}"
            if question["kind"] == "group":
                items = self.group(question, raw.get(qid), path)
                if items:
                    answers[qid] = items
                continue
            try:
                answered, value = self.value(question, raw.get(qid))
            except _Invalid as problem:
                self.errors[path] = problem.message
                continue
            if answered:
                answers[qid] = value
            elif question.get("required"):
                self.errors[path] = _required_message(question)
        return answers

    def group(self, question: dict, raw, path: str) -> list[dict]:
        rules = question.get("validation", {})
        if isinstance(raw, dict):  # {"0": {...}, "1": {...}} from a page
            raw = [raw[key] for key in sorted(raw, key=lambda k: (len(str(k)), str(k)))]
        if raw is None or raw == "":
            raw = []
        if not isinstance(raw, list) or len(raw) > MAX_GROUP_ITEMS * 2:
            self.errors[path] = f"{question['label']}: send a list of up to {MAX_GROUP_ITEMS} items"
            return []
        items = []
        for item in raw:
            if not isinstance(item, dict):
                self.errors[path] = f"{question['label']}: each item must be a set of answers"
                return []
            if not any(_has_content(value) for value in item.values()):
                continue  # an empty "add another" row is not an item
            index = len(items)
            answers = self.questions(question["questions"], item, prefix=f"{path}-{index}-")
            items.append(answers)
        count = len(items)
        low = max(rules.get("min_items", 0), 1 if question.get("required") else 0)
        high = min(rules.get("max_items") or MAX_GROUP_ITEMS, MAX_GROUP_ITEMS)
        noun = question.get("item_label", "item").lower()
        if count < low:
            self.errors[path] = (
                _required_message(question)
                if count == 0
                else f"Add at least {low} {noun}s to {_lower_first(question['label'])}"
            )
        elif count > high:
            self.errors[path] = f"{question['label']} can have at most {high} {noun}s"
        return items


def _has_content(value) -> bool:
    if isinstance(value, dict):
        return any(_has_content(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_content(v) for v in value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _required_message(question: dict) -> str:
    name = _lower_first(question["label"])
    kind = question["kind"]
    if kind in ("yes_no", "single_choice"):
        return f"Select {name}"
    if kind == "multiple_choice":
        return f"Select at least one option for {name}"
    if kind in ("person", "organisation"):
        return f"Choose {name}"
    if kind == "file":
        return f"Upload {name}"
    if kind == "group":
        return f"Add at least one {question.get('item_label', 'item').lower()} to {name}"
    return f"Enter {name}"


# The message for an unanswered required question, for callers that word it their own way.
required_message = _required_message


def is_shown(question: dict, answers: dict) -> bool:
    """Whether a question applies, given the (cleaned) answers to the questions before it."""
    condition = question.get("show_if")
    if not condition:
        return True
    answer = answers.get(condition["question"])
    if condition["op"] == "answered":
        return answer is not None
    chosen = set(answer) if isinstance(answer, list) else ({answer} if isinstance(answer, str) else set())
    wanted = {condition["value"]} if condition["op"] == "equals" else set(condition.get("values", []))
    return bool(chosen & wanted)


def validate_answers(schema: dict, raw, lookups: Lookups | None = None) -> tuple[dict, dict[str, str]]:
    validator = _Validator(lookups or Lookups())
    if not isinstance(raw, dict):
        return {}, {"__all__": "The answers must be an object of question ids and answers."}
    questions = [question for section in schema.get("sections", []) for question in section.get("questions", [])]
    try:
        answers = validator.questions(questions, raw)
    except RecursionError:  # pragma: no cover - groups cannot nest, so this is belt and braces
        return {}, {"__all__": "The answers are nested too deeply."}
    return answers, validator.errors


def question_paths(schema: dict) -> dict[str, dict]:
    """Every top-level question by id (for error messages and CSV columns)."""
    return {q["id"]: q for section in schema.get("sections", []) for q in section.get("questions", [])}
