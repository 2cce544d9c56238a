"""Form builder test data: published definitions and submissions, built through the services."""

import copy

from roundtable.formbuilder import services
from roundtable.formbuilder.models import FormDefinition
from roundtable.formbuilder.schema import SCHEMA_ID

SIMPLE = {
    "schema": SCHEMA_ID,
    "name": "Welfare check",
    "purpose": "home_visit",
    "description": "",
    "sections": [
        {
            "id": "s1",
            "title": "The visit",
            "hint": "",
            "questions": [
                {"id": "q1", "kind": "short_text", "label": "Who was seen", "required": True},
                {"id": "q2", "kind": "yes_no", "label": "Any concerns", "required": True},
                {
                    "id": "q3",
                    "kind": "long_text",
                    "label": "Describe the concerns",
                    "required": True,
                    "show_if": {"question": "q2", "op": "equals", "value": "yes"},
                },
                {
                    "id": "q4",
                    "kind": "group",
                    "label": "People present",
                    "item_label": "Person",
                    "questions": [{"id": "q5", "kind": "short_text", "label": "Name", "required": True}],
                },
            ],
        }
    ],
}


def document(**changes) -> dict:
    doc = copy.deepcopy(SIMPLE)
    doc.update(changes)
    return doc


def published_definition(area, doc: dict | None = None, *, name: str | None = None) -> FormDefinition:
    """A definition with one published version (created as a trusted command would)."""
    doc = copy.deepcopy(doc or SIMPLE)
    if name:
        doc["name"] = name
    definition = services.do_create_definition(None, name=doc["name"], purpose=doc["purpose"], area=area)
    definition = services.do_save_draft(None, definition, doc, expected_version=definition.version)
    services.do_publish_definition(None, definition)
    definition.refresh_from_db()
    return definition


GOOD_ANSWERS = {"q1": "Alex", "q2": "no", "q4": [{"q5": "A parent"}]}


def submitted(user, definition, case, answers: dict | None = None):
    submission = services.do_start_submission(user, definition, case)
    return services.do_submit_submission(user, submission, answers or GOOD_ANSWERS)
