"""Changes an administrator makes to a draft in the builder, as pure functions on the
draft document. Each returns nothing and edits the copy it is given; the service then
checks the whole document (schema.clean_definition) before anything is saved, so a
change that would break the form (a show-if that would point forwards, say) is refused
with the exact problem named."""

import re

from roundtable.formbuilder.schema import KINDS


class BuilderError(ValueError):
    """A change that cannot be made, in words for the administrator."""


def _numbers(doc: dict, prefix: str):
    for section in doc.get("sections", []):
        if prefix == "s":
            yield section.get("id", "")
        for question in section.get("questions", []):
            if prefix == "q":
                yield question.get("id", "")
                for inner in question.get("questions", []) or []:
                    yield inner.get("id", "")


def next_id(doc: dict, prefix: str) -> str:
    taken = [int(m.group(1)) for ident in _numbers(doc, prefix) if (m := re.match(rf"^{prefix}(\d+)$", str(ident)))]
    return f"{prefix}{max(taken, default=0) + 1}"


def find_section(doc: dict, section_id: str) -> dict:
    for section in doc.get("sections", []):
        if section.get("id") == section_id:
            return section
    raise BuilderError("That section is no longer in the form. Someone may have removed it.")


def find_question(doc: dict, question_id: str) -> tuple[list, dict, dict | None]:
    """(the list holding it, the question, the group it is in or None)."""
    for section in doc.get("sections", []):
        for question in section.get("questions", []):
            if question.get("id") == question_id:
                return section["questions"], question, None
            for inner in question.get("questions", []) or []:
                if inner.get("id") == question_id:
                    return question["questions"], inner, question
    raise BuilderError("That question is no longer in the form. Someone may have removed it.")


def add_section(doc: dict, *, title: str, hint: str = "") -> str:
    section_id = next_id(doc, "s")
    doc.setdefault("sections", []).append({"id": section_id, "title": title, "hint": hint, "questions": []})
    return section_id


def update_section(doc: dict, section_id: str, *, title: str, hint: str) -> None:
    section = find_section(doc, section_id)
    section["title"], section["hint"] = title, hint


def remove_section(doc: dict, section_id: str) -> None:
    section = find_section(doc, section_id)
    if len(doc["sections"]) == 1:
        raise BuilderError("A form needs at least one section.")
    doc["sections"].remove(section)


def _move(items: list, item, delta: int) -> None:
    index = items.index(item)
    target = index + delta
    if not 0 <= target < len(items):
        raise BuilderError("It is already at the " + ("top." if delta < 0 else "bottom."))
    items[index], items[target] = items[target], items[index]


def move_section(doc: dict, section_id: str, delta: int) -> None:
    _move(doc["sections"], find_section(doc, section_id), delta)


def new_question(doc: dict, kind: str) -> dict:
    if kind not in KINDS:
        raise BuilderError("Choose what kind of question to add.")
    question = {
        "id": next_id(doc, "q"),
        "kind": kind,
        "label": f"New {KINDS[kind].lower()} question",
        "hint": "",
        "required": False,
        "validation": {},
    }
    if kind in ("single_choice", "multiple_choice"):
        question["options"] = [{"value": "option_1", "label": "Option 1"}, {"value": "option_2", "label": "Option 2"}]
    if kind == "group":
        question["item_label"] = "Item"
        inner_id = f"q{int(question['id'][1:]) + 1}"  # the group takes qN, its first question qN+1
        question["questions"] = [
            {"id": inner_id, "kind": "short_text", "label": "Name", "hint": "", "required": False, "validation": {}}
        ]
    return question


def add_question(doc: dict, section_id: str, kind: str, *, group_id: str = "") -> str:
    question = new_question(doc, kind)
    if group_id:
        _, group, _ = find_question(doc, group_id)
        if group.get("kind") != "group":
            raise BuilderError("Questions can only be added inside a repeating group.")
        question.pop("questions", None)
        group.setdefault("questions", []).append(question)
    else:
        find_section(doc, section_id)["questions"].append(question)
    return question["id"]


def replace_question(doc: dict, question_id: str, replacement: dict) -> None:
    """Put ``replacement`` where the question was. If it has a new id, show-if conditions that
    looked at the old one follow it (the schema check refuses an id already taken)."""
    holder, question, _ = find_question(doc, question_id)
    holder[holder.index(question)] = replacement
    new_id = replacement.get("id")
    if new_id != question_id:
        for section in doc.get("sections", []):
            for other in section.get("questions", []):
                condition = other.get("show_if") or {}
                if condition.get("question") == question_id:
                    condition["question"] = new_id


def remove_question(doc: dict, question_id: str) -> None:
    holder, question, _ = find_question(doc, question_id)
    for _section, other in ((s, q) for s in doc.get("sections", []) for q in s.get("questions", [])):
        condition = other.get("show_if") or {}
        if condition.get("question") == question_id:
            raise BuilderError(
                f"'{other.get('label')}' is shown only depending on this question. Change or remove its show-if first."
            )
    holder.remove(question)


def move_question(doc: dict, question_id: str, delta: int) -> None:
    holder, question, _ = find_question(doc, question_id)
    _move(holder, question, delta)
