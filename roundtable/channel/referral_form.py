"""A Channel panel's referral form built in the form builder.

A panel (or its area) may choose a published form definition of purpose "referral" for
its public referral page and the in-app referral. The Channel process still needs the
same facts from every referral — who the person is, the concern, how urgent it is, who
referred and what the person and family know — so the form must carry them as questions
with these **well-known ids** (the names of the referral's fields). Everything else in the
form is the panel's own: asked, validated and kept with the submission, shown on the case.

``problems(schema)`` says what stops a form from being a Channel referral form (checked
when it is chosen and when a new version of a chosen form is published), ``details``
turns its answers into the referral's fields for ``services.clean_referral``, and
``error_paths`` puts that check's messages back against the form's questions.
"""

from dataclasses import dataclass

from roundtable.channel.models import INDICATORS, Knows, ReferralConsent, ReferrerSector, Urgency
from roundtable.people.models import Sex

TEXT = frozenset({"short_text"})
LONG = frozenset({"long_text", "short_text"})


@dataclass(frozen=True)
class Core:
    label: str  # what the question is about, for messages to administrators
    kinds: frozenset
    values: frozenset = frozenset()  # allowed option values for choice questions
    needed: bool = False  # must be in every Channel referral form


CORE: dict[str, Core] = {
    "given_name": Core("the person's first name", TEXT, needed=True),
    "family_name": Core("the person's last name", TEXT, needed=True),
    "other_names": Core("other names they are known by", TEXT),
    "date_of_birth": Core("the person's date of birth", frozenset({"date"}), needed=True),
    "approximate_age": Core("their approximate age", frozenset({"number"})),
    "sex": Core("the person's sex", frozenset({"single_choice"}), frozenset(Sex.values)),
    "address": Core("where they live", frozenset({"address"})),
    "school_or_employer": Core("their school, college or employer", TEXT),
    "concern": Core("the concern", frozenset({"long_text"}), needed=True),
    "indicators": Core("the signs noticed", frozenset({"multiple_choice"}), frozenset(k for k, _ in INDICATORS)),
    "indicators_other": Core("anything else noticed", LONG),
    "urgency": Core("how urgent it is", frozenset({"single_choice"}), frozenset(Urgency.values), needed=True),
    "person_aware": Core(
        "whether the person knows", frozenset({"single_choice", "yes_no"}), frozenset(Knows.values), needed=True
    ),
    "family_aware": Core(
        "whether the family knows", frozenset({"single_choice", "yes_no"}), frozenset(Knows.values), needed=True
    ),
    "consent": Core(
        "whether they agreed", frozenset({"single_choice"}), frozenset(ReferralConsent.values), needed=True
    ),
    "referrer_name": Core("the referrer's name", TEXT, needed=True),
    "referrer_sector": Core(
        "which sector the referrer is from", frozenset({"single_choice"}), frozenset(ReferrerSector.values), True
    ),
    "referrer_organisation": Core("the referrer's organisation", TEXT),
    "referrer_role": Core("the referrer's role", TEXT),
    "referrer_email": Core("the referrer's e-mail address", TEXT),
    "referrer_phone": Core("the referrer's phone number", TEXT),
}
KIND_WORDS = {
    "short_text": "short text",
    "long_text": "long text",
    "date": "date",
    "number": "number",
    "single_choice": "choose one option",
    "multiple_choice": "choose any options",
    "yes_no": "yes or no",
    "address": "address and postcode",
}
# Nobody is signed in on the public page, so nothing can be chosen from Roundtable's records.
NOT_PUBLIC = {"person": "a person", "organisation": "an organisation", "file": "a file upload"}


def _questions(schema: dict):
    for section in schema.get("sections", []):
        yield from section.get("questions", [])


def _kinds(core: Core) -> str:
    return " or ".join(KIND_WORDS[k] for k in sorted(core.kinds))


def _core_problems(qid: str, question: dict | None, *, in_group: bool = False) -> list[str]:
    """What is wrong with the form's question of this well-known id (None: the form has none)."""
    core = CORE[qid]
    if question is None:
        if in_group:
            return [f"The question '{qid}' ({core.label}) cannot be inside a repeating group."]
        if core.needed:
            return [f"It has no question with the id '{qid}' ({core.label}, {_kinds(core)})."]
        return []
    found = []
    if question["kind"] not in core.kinds:
        return [f"The question '{qid}' ({core.label}) must be {_kinds(core)}, not {question['kind']}."]
    if core.values and question["kind"] != "yes_no":
        values = {o["value"] for o in question.get("options", [])}
        unknown = sorted(values - core.values)
        if unknown:
            allowed = ", ".join(sorted(core.values))
            found.append(
                f"The question '{qid}' ({core.label}) has options the Channel process does not know: "
                f"{', '.join(unknown)}. Its option values must be among: {allowed}."
            )
    if core.needed and question.get("show_if"):
        found.append(f"The question '{qid}' ({core.label}) is always needed, so it cannot have a show-if condition.")
    return found


def well_known() -> dict[str, str]:
    """The well-known ids, each with what the Channel process reads from it (for the builder's hint)."""
    return {
        qid: f"{core.label}: {_kinds(core)}{', always needed' if core.needed else ''}" for qid, core in CORE.items()
    }


def question_problems(question: dict, *, in_group: bool = False) -> list[str]:
    """The checks ``problems`` makes of one question, if its id is well known (the builder
    refuses a question that would fail them)."""
    if question.get("id") not in CORE:
        return []
    return _core_problems(question["id"], None if in_group else question, in_group=in_group)


def problems(schema: dict) -> list[str]:
    """Why this form cannot be a Channel referral form (empty: it can), one sentence each."""
    found: list[str] = []
    top = {q["id"]: q for q in _questions(schema)}
    inner = {i["id"] for q in top.values() for i in q.get("questions", [])}
    for qid in CORE:
        found += _core_problems(qid, top.get(qid), in_group=qid in inner)
    if "referrer_email" not in top and "referrer_phone" not in top:
        found.append(
            "It has no question with the id 'referrer_email' or 'referrer_phone': "
            "the Prevent team needs a way to contact the referrer."
        )
    for question in top.values():
        for asked in [question, *question.get("questions", [])]:
            if asked["kind"] in NOT_PUBLIC:
                found.append(
                    f"The question '{asked['label']}' is {NOT_PUBLIC[asked['kind']]}, which cannot be answered "
                    "on the public referral page."
                )
    return found


def details(answers: dict) -> dict:
    """The referral's fields from a submission's (already checked) answers."""
    out: dict = {}
    for qid in CORE:
        if qid not in answers:
            continue
        value = answers[qid]
        if qid == "address":
            value = value if isinstance(value, dict) else {}
            lines = [value.get(part, "") for part in ("line1", "line2", "town")]
            out["address"] = "\n".join(line for line in lines if line)
            out["postcode"] = value.get("postcode", "")
        else:
            out[qid] = value
    return out


def error_paths(errors: dict, schema: dict) -> dict[str, str]:
    """The referral check's messages keyed by the form's question ids (the postcode is part
    of the address question); a message about a question the form does not have goes to
    the top of the page."""
    ids = {q["id"] for q in _questions(schema)}
    placed: dict[str, str] = {}
    for name, messages in errors.items():
        target = "address" if name == "postcode" else name
        target = target if target in ids else "__all__"
        text = " ".join(messages) if isinstance(messages, list) else str(messages)
        placed[target] = f"{placed[target]} {text}" if target in placed else text
    return placed


def initial(schema: dict, values: dict) -> dict:
    """Raw answers to start the form with (the signed-in referrer's own details)."""
    ids = {q["id"] for q in _questions(schema)}
    return {key: value for key, value in values.items() if key in ids and value}
