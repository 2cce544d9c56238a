"""Ready-made form definitions every area gets: a Channel "vulnerable to radicalisation"
referral, a Behaviour Referral Form (school referral of a child), a home visit record and
an information return. Loaded by ``manage.py load_standard_forms`` and the demo; areas can
copy, change and republish them in the builder."""

from django.db import transaction

from roundtable.accounts.models import Area
from roundtable.channel.models import INDICATORS, Knows, ReferralConsent, ReferrerSector, Urgency
from roundtable.formbuilder import services
from roundtable.formbuilder.models import AreaFormChoice, FormDefinition
from roundtable.formbuilder.schema import SCHEMA_ID, clean_definition
from roundtable.inforequests.models import RequestRecipient
from roundtable.people.models import Sex


def q(qid, kind, label, *, hint="", required=False, **extra):
    question = {"id": qid, "kind": kind, "label": label, "hint": hint, "required": required}
    question.update(extra)
    return question


def options(*labels):
    return [{"value": _value(label), "label": label} for label in labels]


def _value(label: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]


def choices_of(text_choices) -> list[dict]:
    return [{"value": value, "label": label} for value, label in text_choices]


# The Channel referral's questions carry the ids the Channel process reads (see
# roundtable/channel/referral_form.py): a panel can reword, reorder and add to them.
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
                q("given_name", "short_text", "First name", required=True, validation={"max_length": 100}),
                q("family_name", "short_text", "Last name", required=True, validation={"max_length": 100}),
                q("other_names", "short_text", "Other names they are known by", validation={"max_length": 200}),
                q(
                    "date_of_birth",
                    "date",
                    "Date of birth",
                    hint="For example, 27 3 2009. If you do not know it, give their approximate age below.",
                    validation={"when": "past"},
                ),
                q(
                    "approximate_age",
                    "number",
                    "If you do not know their date of birth, their approximate age",
                    validation={"min": 0, "max": 120, "whole_number": True},
                ),
                q("sex", "single_choice", "Sex", options=choices_of(Sex.choices)),
                q("address", "address", "Where they live now"),
                q(
                    "school_or_employer",
                    "short_text",
                    "School, college or employer",
                    validation={"max_length": 200},
                ),
            ],
        },
        {
            "id": "s2",
            "title": "Your concern",
            "hint": "",
            "questions": [
                q(
                    "concern",
                    "long_text",
                    "What is your concern?",
                    required=True,
                    validation={"max_length": 10000},
                    hint="What you have seen or heard, when, and anything that makes you worried now.",
                ),
                q("indicators", "multiple_choice", "Have you noticed any of these?", options=choices_of(INDICATORS)),
                q(
                    "indicators_other",
                    "long_text",
                    "Anything else you have noticed",
                    validation={"max_length": 2000},
                ),
                q(
                    "urgency",
                    "single_choice",
                    "How urgent is this?",
                    required=True,
                    hint="If someone is in immediate danger, call 999.",
                    options=choices_of(Urgency.choices),
                ),
            ],
        },
        {
            "id": "s3",
            "title": "What the person and their family know",
            "hint": "",
            "questions": [
                q(
                    "person_aware",
                    "single_choice",
                    "Does the person know you are making this referral?",
                    required=True,
                    options=choices_of(Knows.choices),
                ),
                q(
                    "family_aware",
                    "single_choice",
                    "Do their family or carers know?",
                    required=True,
                    options=choices_of(Knows.choices),
                ),
                q(
                    "consent",
                    "single_choice",
                    "Did the person (or, for a child, their parent or carer) agree to it?",
                    required=True,
                    options=choices_of(ReferralConsent.choices),
                ),
                q(
                    "consent_reason",
                    "long_text",
                    "Why they did not agree, or why they have not been asked",
                    validation={"max_length": 2000},
                    show_if={"question": "consent", "op": "one_of", "values": ["refused", "not_asked"]},
                ),
            ],
        },
        {
            "id": "s4",
            "title": "About you",
            "hint": "",
            "questions": [
                q("referrer_name", "short_text", "Your name", required=True, validation={"max_length": 150}),
                q(
                    "referrer_sector",
                    "single_choice",
                    "Which best describes you?",
                    required=True,
                    options=choices_of(ReferrerSector.choices),
                ),
                q("referrer_organisation", "short_text", "Your organisation", validation={"max_length": 200}),
                q(
                    "referrer_role",
                    "short_text",
                    "Your role, or how you know the person",
                    validation={"max_length": 150},
                ),
                q(
                    "referrer_email",
                    "short_text",
                    "Your e-mail address",
                    hint="Give an e-mail address or a phone number so the Prevent team can contact you.",
                    validation={"max_length": 254},
                ),
                q(
                    "referrer_phone",
                    "short_text",
                    "Your phone number",
                    validation={
                        "max_length": 50,
                        "pattern": r"[0-9+()\- ]{6,50}",
                        "pattern_message": "Enter a phone number, like 01632 960 001 or +44 808 157 0192",
                    },
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
                # The well-known ids an information request's answer reads
                # (roundtable/inforequests/return_form.py): options may be reworded, not changed.
                q(
                    "outcome",
                    "single_choice",
                    "Does your organisation know this person?",
                    required=True,
                    options=choices_of(RequestRecipient.Outcome.choices),
                ),
                q(
                    "answer",
                    "long_text",
                    "Information you are sharing",
                    required=True,
                    show_if={"question": "outcome", "op": "equals", "value": "information_provided"},
                    hint="Only what is necessary and proportionate. Say what your lawful basis for sharing is.",
                ),
                q(
                    "q3",
                    "short_text",
                    "Service and stage (for example: open to CAMHS, on waiting list)",
                    show_if={"question": "outcome", "op": "equals", "value": "information_provided"},
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
