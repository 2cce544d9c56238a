"""Ready-made form definitions every area gets: a Channel "vulnerable to radicalisation"
referral, a Behaviour Referral Form (school referral of a child), a home visit record and
an information return. Loaded by ``manage.py load_standard_forms`` and the demo; areas can
copy, change and republish them in the builder."""

from django.db import transaction

from roundtable.accounts.models import Area, Sector
from roundtable.formbuilder import services
from roundtable.formbuilder.models import AreaFormChoice, FormDefinition
from roundtable.formbuilder.schema import SCHEMA_ID, clean_definition


def q(qid, kind, label, *, hint="", required=False, **extra):
    question = {"id": qid, "kind": kind, "label": label, "hint": hint, "required": required}
    question.update(extra)
    return question


def options(*labels):
    return [{"value": _value(label), "label": label} for label in labels]


def _value(label: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]


SECTORS = [label for _value_, label in Sector.choices] + ["Family or friends", "Member of the public"]

CHANNEL_REFERRAL = {
    "schema": SCHEMA_ID,
    "name": "Channel referral: vulnerable to radicalisation",
    "purpose": "referral",
    "description": "Use this form to refer someone you think may be vulnerable to being drawn into terrorism. "
    "Being referred never gives anyone a criminal record.",
    "sections": [
        {
            "id": "s1",
            "title": "The person you are referring",
            "hint": "If someone is in immediate danger, call 999 now. Do not use this form.",
            "questions": [
                q("q1", "person", "Person being referred", hint="Choose their profile.", required=True),
                q("q2", "address", "Where they live now"),
                q("q3", "organisation", "School, college or employer (if on Roundtable)"),
            ],
        },
        {
            "id": "s2",
            "title": "Your concern",
            "hint": "",
            "questions": [
                q(
                    "q4",
                    "long_text",
                    "What is your concern?",
                    required=True,
                    validation={"min_length": 20, "max_length": 10000},
                    hint="Describe what you have seen or heard, when, and why it worries you.",
                ),
                q(
                    "q5",
                    "multiple_choice",
                    "Indicators you have noticed",
                    options=options(
                        "Expressing extremist views",
                        "Accessing extremist material online",
                        "Sudden change in behaviour or appearance",
                        "Isolation from family or friends",
                        "Talking about harming others",
                        "Contact with known extremists",
                        "Fascination with violence or mass-casualty attacks",
                        "Other",
                    ),
                ),
                q("q6", "long_text", "Other indicators", show_if={"question": "q5", "op": "equals", "value": "other"}),
                q(
                    "q7",
                    "single_choice",
                    "How urgent is this?",
                    required=True,
                    options=options(
                        "Urgent: a response is needed within 24 hours", "Soon: within 5 working days", "Routine"
                    ),
                ),
            ],
        },
        {
            "id": "s3",
            "title": "About you",
            "hint": "",
            "questions": [
                q("q8", "short_text", "Your name", required=True, validation={"max_length": 150}),
                q("q9", "single_choice", "Your sector", required=True, options=options(*SECTORS)),
                q(
                    "q10",
                    "short_text",
                    "Your telephone number",
                    validation={
                        "pattern": r"[0-9 +()]{10,20}",
                        "pattern_message": "Enter a telephone number, like 01632 960 001",
                    },
                ),
            ],
        },
        {
            "id": "s4",
            "title": "What the person and family know, and consent",
            "hint": "",
            "questions": [
                q("q11", "yes_no", "Does the person know about this referral?", required=True),
                q("q12", "yes_no", "Does the family (or carer) know?", required=True),
                q(
                    "q13",
                    "single_choice",
                    "Has the person (or, for a child, a parent or carer) consented to the referral?",
                    required=True,
                    options=options("Yes", "No", "Not asked yet"),
                ),
                q(
                    "q14",
                    "long_text",
                    "Why consent was not given or not asked",
                    show_if={"question": "q13", "op": "one_of", "values": ["no", "not_asked_yet"]},
                ),
            ],
        },
    ],
}

BEHAVIOUR_REFERRAL = {
    "schema": SCHEMA_ID,
    "name": "Behaviour Referral Form",
    "purpose": "referral",
    "description": "A school's referral of a child to the Behaviour Support Panel.",
    "sections": [
        {
            "id": "s1",
            "title": "The child",
            "hint": "",
            "questions": [
                q("q1", "person", "Child being referred", required=True),
                q("q2", "organisation", "School", required=True),
                q("q3", "short_text", "Year group", validation={"max_length": 20}),
                q("q4", "yes_no", "Does the child have an EHCP?"),
            ],
        },
        {
            "id": "s2",
            "title": "Behaviour and support so far",
            "hint": "",
            "questions": [
                q("q5", "long_text", "Describe the behaviour that concerns the school", required=True),
                q(
                    "q6",
                    "number",
                    "Fixed-term exclusions this school year",
                    validation={"min": 0, "max": 200, "whole_number": True},
                ),
                q("q7", "long_text", "Support the school has already given", required=True),
                q(
                    "q8",
                    "group",
                    "Agencies already involved",
                    item_label="Agency",
                    questions=[
                        q("q9", "organisation", "Agency"),
                        q("q10", "short_text", "Worker's name"),
                        q("q11", "single_choice", "Status", options=options("Open", "Waiting list", "Closed")),
                    ],
                ),
            ],
        },
        {
            "id": "s3",
            "title": "Parents and carers",
            "hint": "",
            "questions": [
                q("q12", "yes_no", "Have the parents or carers agreed to this referral?", required=True),
                q(
                    "q13",
                    "date",
                    "Date they agreed",
                    required=True,
                    validation={"when": "past"},
                    show_if={"question": "q12", "op": "equals", "value": "yes"},
                ),
            ],
        },
    ],
}

HOME_VISIT = {
    "schema": SCHEMA_ID,
    "name": "Home visit record",
    "purpose": "home_visit",
    "description": "Record a home visit as it happens, on a phone or laptop.",
    "sections": [
        {
            "id": "s1",
            "title": "The visit",
            "hint": "",
            "questions": [
                q("q1", "date", "Date of the visit", required=True, validation={"when": "past"}),
                q("q2", "address", "Address visited", required=True),
                q(
                    "q3",
                    "group",
                    "Who was present",
                    item_label="Person",
                    required=True,
                    questions=[
                        q("q4", "short_text", "Name", required=True),
                        q("q5", "short_text", "Relationship to the child or person"),
                    ],
                ),
                q("q6", "yes_no", "Was the child or person seen?", required=True),
                q(
                    "q7",
                    "long_text",
                    "Why not",
                    required=True,
                    show_if={"question": "q6", "op": "equals", "value": "no"},
                ),
            ],
        },
        {
            "id": "s2",
            "title": "What was found and agreed",
            "hint": "",
            "questions": [
                q("q8", "long_text", "Observations", required=True),
                q("q9", "yes_no", "Any new safeguarding concerns?", required=True),
                q(
                    "q10",
                    "long_text",
                    "Describe the concerns and what was done",
                    required=True,
                    show_if={"question": "q9", "op": "equals", "value": "yes"},
                ),
                q("q11", "long_text", "Actions agreed before leaving"),
                q("q12", "file", "Photo or document (optional)"),
            ],
        },
    ],
}

INFORMATION_RETURN = {
    "schema": SCHEMA_ID,
    "name": "Information return",
    "purpose": "information_return",
    "description": "Answer a request for information about a person.",
    "sections": [
        {
            "id": "s1",
            "title": "Your answer",
            "hint": "",
            "questions": [
                q(
                    "q1",
                    "single_choice",
                    "Does your organisation know this person?",
                    required=True,
                    options=options("Not known", "Known – nothing relevant", "Known – information provided"),
                ),
                q(
                    "q2",
                    "long_text",
                    "Information you are sharing",
                    required=True,
                    show_if={"question": "q1", "op": "equals", "value": "known_information_provided"},
                    hint="Only what is necessary and proportionate. Say what your lawful basis for sharing is.",
                ),
                q(
                    "q3",
                    "short_text",
                    "Service and stage (for example: open to CAMHS, on waiting list)",
                    show_if={"question": "q1", "op": "equals", "value": "known_information_provided"},
                ),
            ],
        },
    ],
}

STANDARD_FORMS = {
    "channel_referral": CHANNEL_REFERRAL,
    "behaviour_referral": BEHAVIOUR_REFERRAL,
    "home_visit": HOME_VISIT,
    "information_return": INFORMATION_RETURN,
}


@transaction.atomic
def load_standard_forms(area: Area) -> list[FormDefinition]:
    """Create and publish the standard forms for an area (only those it does not have yet)."""
    loaded = []
    for key, document in STANDARD_FORMS.items():
        definition = FormDefinition.objects.filter(owner_area=area, standard_key=key).first()
        if definition is not None:
            continue
        cleaned = clean_definition(document)
        definition = services.do_create_definition(None, name=cleaned["name"], purpose=cleaned["purpose"], area=area)
        FormDefinition.objects.filter(pk=definition.pk).update(standard_key=key)
        definition.refresh_from_db()
        definition = services.do_save_draft(None, definition, cleaned, expected_version=definition.version)
        services.do_publish_definition(None, definition)
        definition.refresh_from_db()
        if not AreaFormChoice.objects.filter(area=area, purpose=definition.purpose).exists():
            AreaFormChoice.objects.create(area=area, purpose=definition.purpose, definition=definition)
        loaded.append(definition)
    return loaded
