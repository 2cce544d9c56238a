"""The form definition document: what it may contain, and the check that refuses a
malformed one naming the exact problem ("Section 2, question 3 ('Date of birth'): …").

The document (``"schema": "roundtable.form/1"``) is described for administrators in
docs/formbuilder.md. ``clean_definition`` returns a normalised copy (every key present,
defaults filled in) or raises ``DefinitionProblems`` with every problem found. It never
raises anything else, whatever JSON it is given.
"""

import re
from decimal import Decimal, InvalidOperation

from roundtable.formbuilder.models import Purpose
from roundtable.formbuilder.saferegex import UnsafePattern, check_pattern

SCHEMA_ID = "roundtable.form/1"

KINDS = {
    "short_text": "Short text",
    "long_text": "Long text",
    "number": "Number",
    "date": "Date",
    "yes_no": "Yes or no",
    "single_choice": "Choose one option",
    "multiple_choice": "Choose any options",
    "person": "Person",
    "organisation": "Organisation",
    "address": "Address and postcode",
    "file": "File upload",
    "group": "Repeating group (add another)",
}
CHOICE_KINDS = {"single_choice", "multiple_choice"}
# Questions a show-if "equals" / "one of" can look at: those with a fixed list of answers.
OPTION_KINDS = CHOICE_KINDS | {"yes_no"}
# What may go inside a repeating group (not files, addresses or other groups).
GROUP_ITEM_KINDS = {
    "short_text",
    "long_text",
    "number",
    "date",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "person",
    "organisation",
}
YES_NO_OPTIONS = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]

# Which validation rules each kind accepts.
RULES = {
    "short_text": {"min_length", "max_length", "pattern", "pattern_message"},
    "long_text": {"min_length", "max_length"},
    "number": {"min", "max", "whole_number"},
    "date": {"when"},
    "multiple_choice": {"min_selected", "max_selected"},
    "group": {"min_items", "max_items"},
}
DATE_WHEN = {
    "any": "Any date",
    "past": "Today or earlier (not in the future)",
    "future": "Today or later (not in the past)",
}
OPS = {"equals": "is", "one_of": "is one of", "answered": "is answered"}

# Hard limits, whatever the definition says: a form is for people, not for bulk data.
SHORT_TEXT_LIMIT = 500
LONG_TEXT_LIMIT = 20_000
MAX_SECTIONS = 40
MAX_QUESTIONS = 400
MAX_OPTIONS = 100
MAX_GROUP_ITEMS = 50
MAX_LABEL = 300
MAX_HINT = 2000
NUMBER_LIMIT = Decimal("1e15")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

_DEFINITION_KEYS = {"schema", "name", "purpose", "description", "sections"}
_SECTION_KEYS = {"id", "title", "hint", "questions"}
_QUESTION_KEYS = {
    "id",
    "kind",
    "label",
    "hint",
    "required",
    "validation",
    "options",
    "show_if",
    "questions",
    "item_label",
}


class DefinitionProblems(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(value, limit: int) -> str | None:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        return None
    return value.strip()


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        return None
    return number


def _plain(number: Decimal) -> int | float:
    # JSON keeps numbers as numbers: whole ones as int, others as float.
    return int(number) if number == number.to_integral_value() else float(number)


def _count(value, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def where(
    section_no: int, question_no: int | None = None, label: str = "", item_no: int | None = None, item_label: str = ""
) -> str:
    """How a problem names its place: "Section 2, question 3 ('Date of birth')"."""
    place = f"Section {section_no}"
    if question_no is not None:
        place += f", question {question_no}"
        if label:
            place += f" ('{label[:60]}')"
    if item_no is not None:
        place += f", group question {item_no}"
        if item_label:
            place += f" ('{item_label[:60]}')"
    return place


class _Checker:
    def __init__(self):
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.section_ids: set[str] = set()
        self.earlier: dict[str, dict] = {}  # top-level questions so far, by id
        self.question_count = 0

    def problem(self, place: str, message: str) -> None:
        if len(self.problems) < 50:  # enough to fix; a hostile file cannot flood the page
            self.problems.append(f"{place}: {message}" if place else message)

    # --- the whole document ---------------------------------------------------------------
    def definition(self, doc) -> dict:
        if not isinstance(doc, dict):
            self.problem("", "The file must hold one JSON object (a form definition), not a list or a value.")
            return {}
        unknown = set(doc) - _DEFINITION_KEYS
        if unknown:
            self.problem("", f"Unknown field(s) at the top: {', '.join(sorted(map(str, unknown)))[:200]}.")
        if doc.get("schema", SCHEMA_ID) != SCHEMA_ID:
            self.problem("", f"'schema' must be \"{SCHEMA_ID}\" (this file says {str(doc.get('schema'))[:40]!r}).")
        name = _text(doc.get("name"), 200)
        if not name:
            self.problem("", "The form needs a name (1 to 200 characters).")
        purpose = doc.get("purpose")
        if purpose not in Purpose.values:
            self.problem("", f"'purpose' must be one of: {', '.join(Purpose.values)}.")
        description = _text(doc.get("description"), MAX_HINT)
        if description is None:
            self.problem("", f"'description' must be text of at most {MAX_HINT} characters.")
        sections = doc.get("sections")
        cleaned_sections = []
        if not isinstance(sections, list) or not sections:
            self.problem("", "The form needs at least one section ('sections' must be a list).")
        elif len(sections) > MAX_SECTIONS:
            self.problem("", f"A form can have at most {MAX_SECTIONS} sections; this one has {len(sections)}.")
        else:
            for number, section in enumerate(sections, start=1):
                cleaned_sections.append(self.section(number, section))
        return {
            "schema": SCHEMA_ID,
            "name": name or "",
            "purpose": purpose if purpose in Purpose.values else "other",
            "description": description or "",
            "sections": cleaned_sections,
        }

    def section(self, number: int, section) -> dict:
        place = where(number)
        if not isinstance(section, dict):
            self.problem(place, "must be an object with a title and questions.")
            return {"id": f"s{number}", "title": "", "hint": "", "questions": []}
        unknown = set(section) - _SECTION_KEYS
        if unknown:
            self.problem(place, f"unknown field(s): {', '.join(sorted(map(str, unknown)))[:200]}.")
        section_id = section.get("id")
        if not isinstance(section_id, str) or not ID_RE.match(section_id):
            self.problem(
                place,
                "'id' must be a short code of lower-case letters, digits and _ starting with a letter (like 's1').",
            )
        elif section_id in self.section_ids:
            self.problem(place, f"the id '{section_id}' is used by another section.")
        else:
            self.section_ids.add(section_id)
        title = _text(section.get("title"), MAX_LABEL)
        if not title:
            self.problem(place, f"needs a title (1 to {MAX_LABEL} characters).")
        hint = _text(section.get("hint"), MAX_HINT)
        if hint is None:
            self.problem(place, f"the hint must be text of at most {MAX_HINT} characters.")
        questions = section.get("questions")
        cleaned = []
        if not isinstance(questions, list):
            self.problem(place, "'questions' must be a list (it may be empty while you build the form).")
        else:
            for q_number, question in enumerate(questions, start=1):
                cleaned.append(self.question(number, q_number, question))
        return {
            "id": section_id if isinstance(section_id, str) else "",
            "title": title or "",
            "hint": hint or "",
            "questions": cleaned,
        }

    # --- one question ---------------------------------------------------------------------------
    def question(self, s_no: int, q_no: int, question, group: dict | None = None, g_no: int | None = None) -> dict:
        self.question_count += 1
        label = question.get("label") if isinstance(question, dict) else None
        label_text = label if isinstance(label, str) else ""
        if group is None:
            place = where(s_no, q_no, label_text)
        else:
            place = where(s_no, q_no, group.get("label", ""), g_no, label_text)
        if self.question_count == MAX_QUESTIONS + 1:
            self.problem(place, f"a form can have at most {MAX_QUESTIONS} questions.")
        if not isinstance(question, dict):
            self.problem(place, "must be an object with an id, a kind and a label.")
            return {}
        unknown = set(question) - _QUESTION_KEYS
        if unknown:
            self.problem(place, f"unknown field(s): {', '.join(sorted(map(str, unknown)))[:200]}.")
        qid = question.get("id")
        if not isinstance(qid, str) or not ID_RE.match(qid):
            self.problem(
                place,
                "'id' must be a short code of lower-case letters, digits and _ starting with a letter (like 'q1').",
            )
            qid = ""
        elif qid in self.ids:
            self.problem(place, f"the id '{qid}' is used by another question.")
        else:
            self.ids.add(qid)
        kind = question.get("kind")
        if kind not in KINDS:
            self.problem(place, f"'kind' must be one of: {', '.join(KINDS)}.")
            kind = "short_text"
        elif group is not None and kind not in GROUP_ITEM_KINDS:
            self.problem(place, f"a repeating group cannot contain a question of kind '{kind}'.")
        label_clean = _text(label, MAX_LABEL)
        if not label_clean:
            self.problem(place, f"needs a label (the question people see, 1 to {MAX_LABEL} characters).")
        hint = _text(question.get("hint"), MAX_HINT)
        if hint is None:
            self.problem(place, f"the hint must be text of at most {MAX_HINT} characters.")
        required = question.get("required", False)
        if not isinstance(required, bool):
            self.problem(place, "'required' must be true or false.")
            required = False
        cleaned = {
            "id": qid,
            "kind": kind,
            "label": label_clean or "",
            "hint": hint or "",
            "required": required,
            "validation": self.validation(place, kind, question.get("validation")),
        }
        if kind in CHOICE_KINDS:
            cleaned["options"] = self.options(place, question.get("options"))
        elif "options" in question and question.get("options") not in (None, []):
            self.problem(place, f"only choice questions have options (this one is '{kind}').")
        if kind == "multiple_choice":
            self.check_selected(place, cleaned)
        if kind == "group":
            cleaned.update(self.group(s_no, q_no, place, question, cleaned))
        elif question.get("questions") not in (None, []):
            self.problem(place, "only a repeating group can contain questions.")
        show_if = question.get("show_if")
        cleaned["show_if"] = None
        if show_if is not None:
            if group is not None:
                self.problem(place, "questions inside a repeating group cannot have a show-if condition.")
            else:
                cleaned["show_if"] = self.show_if(place, show_if)
        if group is None and qid:
            self.earlier[qid] = cleaned
        return cleaned

    def validation(self, place: str, kind: str, rules) -> dict:
        if rules is None:
            rules = {}
        if not isinstance(rules, dict):
            self.problem(place, "'validation' must be an object of rules.")
            return {}
        allowed = RULES.get(kind, set())
        unknown = set(rules) - allowed
        if unknown:
            names = ", ".join(sorted(map(str, unknown)))[:200]
            allowed_text = ", ".join(sorted(allowed)) or "none"
            self.problem(place, f"rule(s) {names} do not apply to a '{kind}' question (it allows: {allowed_text}).")
        out: dict = {}
        limit = SHORT_TEXT_LIMIT if kind == "short_text" else LONG_TEXT_LIMIT
        for key in ("min_length", "max_length"):
            if key in rules and key in allowed and rules[key] is not None:
                value = _count(rules[key], 0, limit)
                if value is None:
                    self.problem(place, f"'{key}' must be a whole number from 0 to {limit}.")
                else:
                    out[key] = value
        if (
            out.get("min_length") is not None
            and out.get("max_length") is not None
            and out["min_length"] > out["max_length"]
        ):
            self.problem(place, "the minimum length is more than the maximum length.")
        if "pattern" in allowed and rules.get("pattern") not in (None, ""):
            try:
                check_pattern(rules["pattern"])
                out["pattern"] = rules["pattern"]
            except UnsafePattern as why:
                self.problem(place, f"the pattern is refused because {why}.")
            message = _text(rules.get("pattern_message"), MAX_LABEL)
            if message is None:
                self.problem(place, f"'pattern_message' must be text of at most {MAX_LABEL} characters.")
            out["pattern_message"] = message or ""
        for key in ("min", "max"):
            if key in rules and key in allowed and rules[key] is not None:
                value = _number(rules[key])
                if value is None:
                    self.problem(place, f"'{key}' must be a number between -10^15 and 10^15.")
                else:
                    out[key] = _plain(value)
        if "min" in out and "max" in out and Decimal(str(out["min"])) > Decimal(str(out["max"])):
            self.problem(place, "the smallest allowed number is more than the largest.")
        if "whole_number" in allowed and "whole_number" in rules:
            if not isinstance(rules["whole_number"], bool):
                self.problem(place, "'whole_number' must be true or false.")
            else:
                out["whole_number"] = rules["whole_number"]
        if "when" in allowed and rules.get("when") is not None:
            if rules["when"] not in DATE_WHEN:
                self.problem(place, f"'when' must be one of: {', '.join(DATE_WHEN)}.")
            else:
                out["when"] = rules["when"]
        for key, high in (
            ("min_selected", MAX_OPTIONS),
            ("max_selected", MAX_OPTIONS),
            ("min_items", MAX_GROUP_ITEMS),
            ("max_items", MAX_GROUP_ITEMS),
        ):
            if key in allowed and rules.get(key) is not None:
                value = _count(rules[key], 0, high)
                if value is None:
                    self.problem(place, f"'{key}' must be a whole number from 0 to {high}.")
                else:
                    out[key] = value
        for low, high in (("min_selected", "max_selected"), ("min_items", "max_items")):
            if low in out and high in out and out[low] > out[high]:
                self.problem(place, f"'{low}' is more than '{high}'.")
        return out

    def options(self, place: str, options) -> list[dict]:
        if not isinstance(options, list) or not options:
            self.problem(place, "a choice question needs at least one option.")
            return []
        if len(options) > MAX_OPTIONS:
            self.problem(place, f"a question can have at most {MAX_OPTIONS} options.")
            return []
        cleaned, seen = [], set()
        for number, option in enumerate(options, start=1):
            if isinstance(option, str):
                option = {"value": option, "label": option}
            if not isinstance(option, dict) or set(option) - {"value", "label"}:
                self.problem(place, f"option {number} must have just a value and a label.")
                continue
            value = _text(option.get("value"), 100)
            label = _text(option.get("label", option.get("value")), MAX_LABEL)
            if not value or not label:
                self.problem(place, f"option {number} needs a value (up to 100 characters) and a label.")
                continue
            if value in seen:
                self.problem(place, f"option {number}: the value '{value[:40]}' is used twice.")
                continue
            seen.add(value)
            cleaned.append({"value": value, "label": label})
        return cleaned

    def check_selected(self, place: str, cleaned: dict) -> None:
        rules, count = cleaned["validation"], len(cleaned.get("options", []))
        if rules.get("min_selected", 0) > count:
            self.problem(place, f"asks for at least {rules['min_selected']} choices but has only {count} options.")

    def group(self, s_no: int, q_no: int, place: str, question: dict, cleaned: dict) -> dict:
        item_label = _text(question.get("item_label"), 60)
        if item_label is None:
            self.problem(place, "'item_label' must be text of at most 60 characters.")
        inner = question.get("questions")
        if not isinstance(inner, list) or not inner:
            self.problem(place, "a repeating group needs at least one question inside it.")
            return {"questions": [], "item_label": item_label or "Item"}
        questions = [self.question(s_no, q_no, q, cleaned, g_no) for g_no, q in enumerate(inner, start=1)]
        return {"questions": questions, "item_label": item_label or "Item"}

    def show_if(self, place: str, condition) -> dict | None:
        if not isinstance(condition, dict) or set(condition) - {"question", "op", "value", "values"}:
            self.problem(place, "'show_if' must be an object with 'question', 'op' and a value or values.")
            return None
        target_id = condition.get("question")
        op = condition.get("op")
        if op not in OPS:
            self.problem(place, f"show-if 'op' must be one of: {', '.join(OPS)}.")
            return None
        target = self.earlier.get(target_id) if isinstance(target_id, str) else None
        if target is None:
            self.problem(place, f"show-if refers to question '{str(target_id)[:40]}', which does not come before it.")
            return None
        if target["kind"] == "group":
            self.problem(place, f"show-if cannot depend on the repeating group '{target['label'][:60]}'.")
            return None
        if op == "answered":
            return {"question": target_id, "op": op}
        if target["kind"] not in OPTION_KINDS:
            self.problem(
                place,
                f"show-if '{op}' needs a yes/no or choice question, and "
                f"'{target['label'][:60]}' is '{target['kind']}' (use 'answered').",
            )
            return None
        values = [condition.get("value")] if op == "equals" else condition.get("values")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            self.problem(place, "show-if 'equals' needs a 'value'; 'one_of' needs a list of 'values'.")
            return None
        allowed = {o["value"] for o in (YES_NO_OPTIONS if target["kind"] == "yes_no" else target.get("options", []))}
        wrong = [v for v in values if v not in allowed]
        if wrong:
            self.problem(place, f"show-if value '{wrong[0][:40]}' is not an option of '{target['label'][:60]}'.")
            return None
        if op == "equals":
            return {"question": target_id, "op": op, "value": values[0]}
        return {"question": target_id, "op": op, "values": list(dict.fromkeys(values))}


def clean_definition(doc) -> dict:
    """The normalised document, or DefinitionProblems naming every problem."""
    checker = _Checker()
    try:
        cleaned = checker.definition(doc)
    except RecursionError:
        raise DefinitionProblems(["The file is nested too deeply to be a form definition."]) from None
    if checker.problems:
        raise DefinitionProblems(checker.problems)
    return cleaned


def problems_in(doc) -> list[str]:
    try:
        clean_definition(doc)
    except DefinitionProblems as exc:
        return exc.problems
    return []


def empty_definition(name: str, purpose: str, description: str = "") -> dict:
    return {"schema": SCHEMA_ID, "name": name, "purpose": purpose, "description": description, "sections": []}


def all_questions(doc: dict):
    """Top-level questions in order, with their section."""
    for section in doc.get("sections", []):
        for question in section.get("questions", []):
            yield section, question


def options_of(question: dict) -> list[dict]:
    return YES_NO_OPTIONS if question.get("kind") == "yes_no" else question.get("options", [])
