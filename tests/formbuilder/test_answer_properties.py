"""Property-based tests: whatever definition an administrator builds and whatever a browser
or API client sends, server validation never errors (no 500) and never accepts an answer the
version's rules forbid. The rules are re-checked here by an independent oracle."""

import re
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roundtable.formbuilder.answers import Lookups, validate_answers
from roundtable.formbuilder.schema import (
    LONG_TEXT_LIMIT,
    MAX_GROUP_ITEMS,
    SHORT_TEXT_LIMIT,
    DefinitionProblems,
    clean_definition,
)

TODAY = date(2026, 3, 3)
PEOPLE = {1: "Alex Example", 2: "Sam Sample"}
ORGANISATIONS = {10: "Northshire Police"}
DOCUMENTS = {100: "Photo"}
LOOKUPS = Lookups(person=PEOPLE.get, organisation=ORGANISATIONS.get, document=DOCUMENTS.get, today=TODAY)
# Written independently of answers.POSTCODE_RE: outward code, space, inward code.
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SIMPLE_KINDS = ["short_text", "long_text", "number", "date", "yes_no", "single_choice", "multiple_choice",
                "person", "organisation", "address", "file"]  # fmt: skip
GROUP_KINDS = ["short_text", "number", "date", "yes_no", "single_choice", "multiple_choice", "organisation"]
PATTERNS = ["[A-Z]{2}[0-9]{4}", "[0-9 ]{5,12}", "[a-z]+", "(yes|no)"]

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)


@st.composite
def rules_for(draw, kind):
    rules = {}
    if kind in ("short_text", "long_text"):
        if draw(st.booleans()):
            rules["min_length"] = draw(st.integers(0, 5))
        if draw(st.booleans()):
            rules["max_length"] = draw(st.integers(rules.get("min_length", 0) or 1, 20))
        if kind == "short_text" and draw(st.booleans()):
            rules["pattern"] = draw(st.sampled_from(PATTERNS))
    if kind == "number":
        low = draw(st.none() | st.integers(-100, 100))
        high = draw(st.none() | st.integers(low if low is not None else -100, 200))
        if low is not None:
            rules["min"] = low
        if high is not None:
            rules["max"] = high
        rules["whole_number"] = draw(st.booleans())
    if kind == "date":
        rules["when"] = draw(st.sampled_from(["any", "past", "future"]))
    if kind == "multiple_choice" and draw(st.booleans()):
        rules["min_selected"] = draw(st.integers(0, 2))
        rules["max_selected"] = draw(st.integers(max(rules["min_selected"], 1), 3))
    if kind == "group":
        rules["min_items"] = draw(st.integers(0, 2))
        rules["max_items"] = draw(st.integers(max(rules["min_items"], 1), 4))
    return rules


def _question(qid, kind, required, rules):
    question = {"id": qid, "kind": kind, "label": f"Question {qid}", "required": required, "validation": rules}
    if kind in ("single_choice", "multiple_choice"):
        question["options"] = [{"value": v, "label": v.title()} for v in ("red", "green", "blue")]
    return question


@st.composite
def definitions(draw):
    questions, counter = [], 0
    for _ in range(draw(st.integers(1, 6))):
        counter += 1
        qid = f"q{counter}"
        kind = draw(st.sampled_from(SIMPLE_KINDS + ["group"]))
        question = _question(qid, kind, draw(st.booleans()), draw(rules_for(kind)))
        if kind == "group":
            inner = []
            for _ in range(draw(st.integers(1, 3))):
                counter += 1
                inner_kind = draw(st.sampled_from(GROUP_KINDS))
                inner.append(_question(f"q{counter}", inner_kind, draw(st.booleans()), draw(rules_for(inner_kind))))
            question["questions"] = inner
            question["item_label"] = "Item"
        targets = [q for q in questions if q["kind"] in ("yes_no", "single_choice", "multiple_choice")]
        if targets and draw(st.booleans()):
            target = draw(st.sampled_from(targets))
            values = ["yes", "no"] if target["kind"] == "yes_no" else ["red", "green", "blue"]
            op = draw(st.sampled_from(["equals", "one_of", "answered"]))
            condition = {"question": target["id"], "op": op}
            if op == "equals":
                condition["value"] = draw(st.sampled_from(values))
            elif op == "one_of":
                condition["values"] = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
            question["show_if"] = condition
        questions.append(question)
    doc = {"schema": "roundtable.form/1", "name": "Generated", "purpose": "other",
           "sections": [{"id": "s1", "title": "Only section", "questions": questions}]}  # fmt: skip
    return clean_definition(doc)


def plausible(kind):
    """Values a real person might send: valid, nearly valid and wrong."""
    text = st.text(alphabet="abcXYZ019 -\n", max_size=25)
    by_kind = {
        "short_text": text | st.sampled_from(["AB1234", "ab", "12345 678", "yes"]),
        "long_text": text,
        "number": st.sampled_from(["", "0", "-5", "12", "3.5", "1,000", "abc", "1e5", "999999", "10.0000001"])
        | st.integers(-300, 300).map(str),
        "date": st.fixed_dictionaries(
            {
                "day": st.sampled_from(["", "1", "29", "31", "x"]),
                "month": st.sampled_from(["", "2", "3", "13"]),
                "year": st.sampled_from(["", "2026", "2025", "2027", "26", "1899"]),
            }  # fmt: skip
        )
        | st.sampled_from(["2026-03-03", "2026-02-30", "2027-01-01"]),
        "yes_no": st.sampled_from(["", "yes", "no", "maybe"]),
        "single_choice": st.sampled_from(["", "red", "blue", "purple"]),
        "multiple_choice": st.lists(st.sampled_from(["red", "green", "blue", "purple", ""]), max_size=4),
        "person": st.sampled_from(["", "1", "2", "3", "-1", "x"]) | st.integers(-2, 4),
        "organisation": st.sampled_from(["", "10", "11"]),
        "file": st.sampled_from(["", "100", "101"]),
        "address": st.fixed_dictionaries(
            {
                "line1": st.sampled_from(["", "1 Example Row"]),
                "town": st.sampled_from(["", "Northtown"]),
                "postcode": st.sampled_from(["", "ne1 4st", "SW1A1AA", "NOT A CODE", "Q1 1AA", "M1 1AE"]),
            }  # fmt: skip
        ),
    }
    return by_kind[kind]


@st.composite
def answers_for(draw, schema):
    raw = {}
    for question in schema["sections"][0]["questions"]:
        if draw(st.integers(0, 9)) == 0:
            raw[question["id"]] = draw(junk)
        elif question["kind"] == "group":
            items = []
            for _ in range(draw(st.integers(0, 5))):
                items.append({q["id"]: draw(plausible(q["kind"]) | junk) for q in question["questions"]})
            raw[question["id"]] = items
        elif draw(st.booleans()) or question.get("required"):
            raw[question["id"]] = draw(plausible(question["kind"]))
    return raw


# --- the oracle -------------------------------------------------------------------------------------
def _check_value(question, value):
    kind, rules = question["kind"], question.get("validation", {})
    if kind in ("short_text", "long_text"):
        assert isinstance(value, str) and value and value == value.strip()
        limit = SHORT_TEXT_LIMIT if kind == "short_text" else LONG_TEXT_LIMIT
        assert len(value) <= min(rules.get("max_length") or limit, limit)
        assert len(value) >= rules.get("min_length", 0)
        if kind == "short_text":
            assert "\n" not in value
            if rules.get("pattern"):
                assert re.fullmatch(rules["pattern"], value)
    elif kind == "number":
        number = Decimal(value)
        assert number.is_finite()
        if rules.get("whole_number"):
            assert number == number.to_integral_value()
        if "min" in rules:
            assert number >= Decimal(str(rules["min"]))
        if "max" in rules:
            assert number <= Decimal(str(rules["max"]))
    elif kind == "date":
        answered = date.fromisoformat(value)
        if rules.get("when") == "past":
            assert answered <= TODAY
        if rules.get("when") == "future":
            assert answered >= TODAY
    elif kind == "yes_no":
        assert value in ("yes", "no")
    elif kind == "single_choice":
        assert value in {o["value"] for o in question["options"]}
    elif kind == "multiple_choice":
        assert isinstance(value, list) and value
        assert set(value) <= {o["value"] for o in question["options"]}
        assert len(value) == len(set(value))
        assert len(value) >= rules.get("min_selected", 0)
        assert len(value) <= rules.get("max_selected", 99)
    elif kind == "person":
        assert value["id"] in PEOPLE and value["name"] == PEOPLE[value["id"]]
    elif kind == "organisation":
        assert value["id"] in ORGANISATIONS
    elif kind == "file":
        assert value["document_id"] in DOCUMENTS
    elif kind == "address":
        assert POSTCODE.match(value["postcode"]), value
    elif kind == "group":
        assert isinstance(value, list)
        low = max(rules.get("min_items", 0), 1 if question["required"] else 0)
        assert low <= len(value) <= min(rules.get("max_items") or MAX_GROUP_ITEMS, MAX_GROUP_ITEMS)
        for item in value:
            _check_questions(question["questions"], item)
    else:  # pragma: no cover
        raise AssertionError(kind)


def _shown(question, answers):
    condition = question.get("show_if")
    if not condition:
        return True
    answer = answers.get(condition["question"])
    if condition["op"] == "answered":
        return answer is not None
    chosen = answer if isinstance(answer, list) else [answer]
    wanted = [condition["value"]] if condition["op"] == "equals" else condition["values"]
    return any(value in wanted for value in chosen)


def _check_questions(questions, answers):
    known = {q["id"] for q in questions}
    assert set(answers) <= known, "an answer was stored for a question the version does not have"
    for question in questions:
        if not _shown(question, answers):
            assert question["id"] not in answers, "an answer to a hidden question was kept"
            continue
        if question["id"] not in answers:
            assert not question["required"], f"required {question['kind']} question left unanswered"
            continue
        _check_value(question, answers[question["id"]])


@SETTINGS
@given(st.data())
def test_validation_never_errors_and_never_accepts_what_the_rules_forbid(data):
    schema = data.draw(definitions())
    raw = data.draw(answers_for(schema))
    answers, errors = validate_answers(schema, raw, LOOKUPS)
    assert isinstance(errors, dict)
    assert all(isinstance(message, str) and message for message in errors.values())
    if not errors:
        _check_questions(schema["sections"][0]["questions"], answers)


@SETTINGS
@given(st.data())
def test_anything_at_all_as_answers_is_refused_or_checked_without_error(data):
    schema = data.draw(definitions())
    raw = data.draw(junk | st.dictionaries(st.sampled_from(["q1", "q2", "q3", "q4", "q5"]), junk, max_size=5))
    answers, errors = validate_answers(schema, raw, LOOKUPS)
    if not errors:
        _check_questions(schema["sections"][0]["questions"], answers)


@SETTINGS
@given(junk | st.dictionaries(st.sampled_from(["schema", "name", "purpose", "sections", "x"]), junk, max_size=5))
def test_a_malformed_definition_is_refused_with_problems_never_an_error(doc):
    try:
        clean_definition(doc)
    except DefinitionProblems as refused:
        assert refused.problems and all(isinstance(p, str) for p in refused.problems)
