"""Turning a version's schema into what the templates draw, both ways:

- ``fill_sections``: the questions with what was typed so far and any errors (the fill page
  and the builder's preview);
- ``raw_from_post``: a submitted page back into the raw answers shape (answers.py);
- ``answer_sections``: a submission as it was answered, for reading and for CSV.

Field names: a top-level question uses its id (``q3``; a date ``q3-day``/``-month``/``-year``,
an address ``q3-line1`` …); a question inside a repeating group ``q7[0][q8]``. Element ids
are the same path prefixed ``f-`` with ``-`` separators, and error keys are the path without
the prefix, so the error summary can link straight to the field.
"""

import json
import re

from django.utils import dateformat
from django.utils.dateparse import parse_date

from roundtable.formbuilder.answers import ADDRESS_PARTS, DATE_PARTS, is_shown
from roundtable.formbuilder.schema import MAX_GROUP_ITEMS, options_of

MAX_RAW_TEXT = 25_000
_ITEM_KEY = re.compile(
    r"^(?P<gid>[a-z][a-z0-9_]{0,39})\[(?P<index>\d{1,3})\]\[(?P<qid>[a-z][a-z0-9_]{0,39})(?:-(?P<part>day|month|year))?\]$"
)


# --- page → raw ---------------------------------------------------------------------------------
def _one(post, name: str) -> str:
    return str(post.get(name, ""))[:MAX_RAW_TEXT]


def _raw_value(question: dict, post, name: str):
    kind = question["kind"]
    if kind == "multiple_choice":
        return [str(v)[:200] for v in post.getlist(name)][:200]
    if kind == "date":
        return {part: _one(post, f"{name}-{part}") for part in DATE_PARTS}
    if kind == "address":
        return {part: _one(post, f"{name}-{part}") for part in ADDRESS_PARTS}
    return _one(post, name)


def raw_from_post(schema: dict, post) -> dict:
    """What the person typed, in the raw answers shape. Tolerates anything a browser sends."""
    raw: dict = {}
    groups: dict[str, dict[int, dict]] = {}
    group_questions = {}
    for section in schema.get("sections", []):
        for question in section.get("questions", []):
            if question["kind"] == "group":
                groups[question["id"]] = {}
                group_questions[question["id"]] = {q["id"]: q for q in question.get("questions", [])}
            elif question["kind"] != "file":
                raw[question["id"]] = _raw_value(question, post, question["id"])
            else:
                raw[question["id"]] = _one(post, question["id"])
    for key in post:
        match = _ITEM_KEY.match(key)
        if not match or match["gid"] not in groups or match["qid"] not in group_questions[match["gid"]]:
            continue
        index = int(match["index"])
        if index >= MAX_GROUP_ITEMS * 2:
            continue
        inner = group_questions[match["gid"]][match["qid"]]
        item = groups[match["gid"]].setdefault(index, {})
        if match["part"]:
            item.setdefault(match["qid"], {})[match["part"]] = _one(post, key)
        elif inner["kind"] == "multiple_choice":
            item[match["qid"]] = [str(v)[:200] for v in post.getlist(key)][:200]
        else:
            item[match["qid"]] = _one(post, key)
    for gid, items in groups.items():
        raw[gid] = [items[index] for index in sorted(items)]
    return raw


def drawn_version(post, definition, problems):
    """The version of ``definition`` a posted page was drawn with, so an answer is checked
    against the questions the person saw even if a new version was published meanwhile;
    the latest version for a new page, or when the posted one is unknown or no longer
    suitable (``problems(schema)`` names why a version cannot serve this purpose)."""
    from roundtable.formbuilder.models import FormVersion

    posted = post.get("form_version", "")
    if posted.isdigit():
        version = FormVersion.objects.filter(definition=definition, pk=int(posted)).first()
        if version is not None and not problems(version.schema):
            return version
    return definition.latest_version


def apply_add_remove(post, raw: dict) -> bool:
    """The "add another" and "remove" buttons when JavaScript is not running: True if one
    was pressed (the page is shown again with one item more or fewer, nothing checked)."""
    if post.get("add_item"):
        items = raw.get(post["add_item"])
        if isinstance(items, list):
            items.append({})
            return True
    if post.get("remove_item") and ":" in post["remove_item"]:
        gid, _, index = post["remove_item"].partition(":")
        items = raw.get(gid)
        if isinstance(items, list) and index.isdigit() and int(index) < len(items):
            items.pop(int(index))
            return True
    return False


# --- raw → page -----------------------------------------------------------------------------------
def _raw_shown(question: dict, raw: dict) -> bool:
    condition = question.get("show_if")
    if not condition:
        return True
    answer = raw.get(condition["question"])
    if condition["op"] == "answered":
        return _filled(answer)
    return is_shown(question, {condition["question"]: answer})


def _filled(value) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    return value not in (None, "")


def _field(
    question: dict, value, errors: dict, path: str, name: str, choices: dict, item_template: bool = False
) -> dict:
    kind = question["kind"]
    html_id = "f-" + path
    field = {
        "q": question,
        "kind": kind,
        "id": html_id,
        "name": name,
        "error": errors.get(path, ""),
        "value": value if value is not None else "",
        # MOJ add-another renames fields of cloned items from these templates.
        "data_name": None,
        "data_id": None,
    }
    if item_template:
        gid, _index, qid = path.split("-", 2)
        field["data_name"] = f"{gid}[%index%][{qid}]"
        field["data_id"] = f"f-{gid}-%index%-{qid}"
    if kind in ("yes_no", "single_choice", "multiple_choice"):
        chosen = set(value) if isinstance(value, list) else {value}
        field["options"] = [
            {
                "value": o["value"],
                "label": o["label"],
                "id": f"{html_id}-{i}",
                "checked": o["value"] in chosen,
                "number": i,
                "reveal": [],
            }
            for i, o in enumerate(options_of(question))
        ]
    elif kind in ("date", "address"):
        parts = DATE_PARTS if kind == "date" else ADDRESS_PARTS
        value = value if isinstance(value, dict) else {}
        if kind == "date" and isinstance(field["value"], str) and parse_date(field["value"] or "x"):
            iso = parse_date(field["value"])
            value = {"day": str(iso.day), "month": str(iso.month), "year": str(iso.year)}
        field["parts"] = {part: str(value.get(part, "")) for part in parts}
    elif kind in ("person", "organisation"):
        selected = str(value.get("id") if isinstance(value, dict) else value or "")
        field["choices"] = [(str(pk), label, str(pk) == selected) for pk, label in choices.get(kind, [])]
    elif kind == "file":
        selected = value.get("document_id") if isinstance(value, dict) else value
        field["document"] = choices.get("documents", {}).get(str(selected)) if selected else None
        field["value"] = str(selected or "")
    if kind in ("date", "address"):
        field["parts_list"] = [_part(field, part, kind) for part in field["parts"]]
    if field["data_id"]:
        for option in field.get("options", []):
            option["data_id"] = f"{field['data_id']}-{option['number']}"
    field["described_by"] = " ".join(
        ([f"{html_id}-hint"] if question.get("hint") else []) + ([f"{html_id}-error"] if field["error"] else [])
    )
    field["error_anchor"] = _anchor(kind, html_id)
    return field


_PART_LABELS = {
    "day": "Day",
    "month": "Month",
    "year": "Year",
    "line1": "Address line 1",
    "line2": "Address line 2 (optional)",
    "town": "Town or city",
    "postcode": "Postcode",
}
_PART_CLASSES = {
    "day": "govuk-input--width-2",
    "month": "govuk-input--width-2",
    "year": "govuk-input--width-4",
    "postcode": "govuk-input--width-10",
    "town": "govuk-!-width-two-thirds",
}
_AUTOCOMPLETE = {
    "line1": "address-line1",
    "line2": "address-line2",
    "town": "address-level2",
    "postcode": "postal-code",
}


def _part(field: dict, part: str, kind: str) -> dict:
    """One box of a date or address: its name, id and (inside a group) MOJ templates."""
    name = field["name"]
    in_group = name.endswith("]")
    return {
        "key": part,
        "label": _PART_LABELS[part],
        "value": field["parts"][part],
        "id": f"{field['id']}-{part}",
        "name": f"{name[:-1]}-{part}]" if in_group else f"{name}-{part}",
        "data_name": f"{field['data_name'][:-1]}-{part}]" if field["data_name"] else None,
        "data_id": f"{field['data_id']}-{part}" if field["data_id"] else None,
        "width": _PART_CLASSES.get(part, ""),
        "autocomplete": _AUTOCOMPLETE.get(part, ""),
        "numeric": kind == "date",
    }


def _anchor(kind: str, html_id: str) -> str:
    if kind in ("yes_no", "single_choice", "multiple_choice"):
        return f"{html_id}-0"
    if kind == "date":
        return f"{html_id}-day"
    if kind == "address":
        return f"{html_id}-line1"
    return html_id


def fill_sections(schema: dict, raw: dict, errors: dict | None = None, choices: dict | None = None) -> list[dict]:
    """The sections and questions of a version, filled with ``raw`` and marked with ``errors``."""
    errors, choices = errors or {}, choices or {}
    raw = raw if isinstance(raw, dict) else {}
    sections = []
    for section in schema.get("sections", []):
        fields: list[dict] = []
        radios: dict[str, dict] = {}
        for question in section.get("questions", []):
            qid = question["id"]
            if question["kind"] == "group":
                field = _group_field(question, raw.get(qid), errors, choices)
            else:
                field = _field(question, raw.get(qid), errors, qid, qid, choices)
            field["shown"] = _raw_shown(question, raw)
            condition = question.get("show_if")
            field["show_if_json"] = json.dumps(condition) if condition else ""
            # GOV.UK conditional reveal: a question shown when a radio question just above it
            # has one particular answer sits inside that answer's reveal.
            parent = radios.get(condition["question"]) if condition else None
            if (
                parent is not None
                and condition["op"] == "equals"
                and fields
                and fields[-1] in (parent, *parent["revealed"])
            ):
                option = next(o for o in parent["options"] if o["value"] == condition["value"])
                option["reveal"].append(field)
                parent["revealed"].append(field)
                field["nested"] = True
                continue
            if question["kind"] in ("yes_no", "single_choice"):
                field["revealed"] = []
                radios[qid] = field
            fields.append(field)
        sections.append({"section": section, "fields": fields})
    return sections


def _group_field(question: dict, value, errors: dict, choices: dict) -> dict:
    gid = question["id"]
    items = value if isinstance(value, list) else []
    items = [item if isinstance(item, dict) else {} for item in items][:MAX_GROUP_ITEMS] or [{}]
    rendered = []
    for index, item in enumerate(items):
        rendered.append(
            {
                "number": index + 1,
                "index": index,
                "fields": [
                    _field(
                        inner,
                        item.get(inner["id"]),
                        errors,
                        f"{gid}-{index}-{inner['id']}",
                        f"{gid}[{index}][{inner['id']}]",
                        choices,
                        item_template=True,
                    )
                    for inner in question.get("questions", [])
                ],
            }
        )
    return {
        "q": question,
        "kind": "group",
        "id": f"f-{gid}",
        "name": gid,
        "error": errors.get(gid, ""),
        "error_anchor": f"f-{gid}",
        "items": rendered,
        "many": len(rendered) > 1,
    }


def error_list(sections: list[dict], errors: dict) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary, in the order the questions appear."""
    anchors = {}

    def walk(fields):
        for field in fields:
            path = field["id"][2:]
            anchors[path] = field["error_anchor"]
            for option in field.get("options", []):
                walk(option["reveal"])
            for item in field.get("items", []):
                walk(item["fields"])

    for section in sections:
        walk(section["fields"])
    ordered = [(f"#{anchors[path]}", message) for path, message in errors.items() if path in anchors]
    ordered.sort(key=lambda pair: list(anchors.values()).index(pair[0][1:]))
    others = [("#main-content", message) for path, message in errors.items() if path not in anchors]
    return ordered + others


# --- answers → reading ---------------------------------------------------------------------------
def display_value(question: dict, value, *, people: set, documents: set) -> str:
    """One answer as text, exactly as it was answered, in words for a reader."""
    kind = question["kind"]
    if value is None:
        return ""
    if kind == "date":
        parsed = parse_date(str(value))
        return dateformat.format(parsed, "j F Y") if parsed else str(value)
    if kind in ("yes_no", "single_choice"):
        return {o["value"]: o["label"] for o in options_of(question)}.get(value, str(value))
    if kind == "multiple_choice":
        labels = {o["value"]: o["label"] for o in options_of(question)}
        return "; ".join(labels.get(v, str(v)) for v in value)
    if kind == "person":
        return value.get("name", "") if value.get("id") in people else "A person profile you cannot see"
    if kind == "organisation":
        return value.get("name", "")
    if kind == "file":
        return value.get("name", "") if value.get("document_id") in documents else "A document you cannot open"
    if kind == "address":
        return ", ".join(value.get(part) for part in ADDRESS_PARTS if value.get(part))
    return str(value)


def answer_sections(schema: dict, answers: dict, *, people: set, documents: set) -> list[dict]:
    sections = []
    for section in schema.get("sections", []):
        rows = []
        for question in section.get("questions", []):
            if not is_shown(question, answers):
                continue
            value = answers.get(question["id"])
            row = {"q": question, "answered": value is not None}
            if question["kind"] == "group":
                row["items"] = [
                    [
                        {
                            "q": inner,
                            "text": display_value(inner, item.get(inner["id"]), people=people, documents=documents),
                            "value": item.get(inner["id"]),
                        }
                        for inner in question.get("questions", [])
                    ]
                    for item in (value or [])
                ]
            else:
                row["text"] = display_value(question, value, people=people, documents=documents)
                row["value"] = value
            rows.append(row)
        sections.append({"section": section, "rows": rows})
    return sections


def referenced_ids(schema: dict, answers: dict) -> tuple[set, set]:
    """(person ids, document ids) named in the answers, to check visibility in one query each."""
    people, documents = set(), set()

    def collect(questions, values):
        for question in questions:
            value = values.get(question["id"]) if isinstance(values, dict) else None
            if question["kind"] == "person" and isinstance(value, dict):
                people.add(value.get("id"))
            elif question["kind"] == "file" and isinstance(value, dict):
                documents.add(value.get("document_id"))
            elif question["kind"] == "group" and isinstance(value, list):
                for item in value:
                    collect(question.get("questions", []), item)

    collect([q for s in schema.get("sections", []) for q in s.get("questions", [])], answers)
    return people, documents
