"""What users can do with form definitions and submissions. Each operation checks the
access policy, changes data in one transaction and writes its audit event there too."""

import copy
import csv
import io
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from roundtable.access import policy
from roundtable.accounts.models import Organisation, User
from roundtable.audit.services import record
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.core.conflicts import save_if_unchanged
from roundtable.formbuilder.answers import Lookups, validate_answers
from roundtable.formbuilder.builder import BuilderError
from roundtable.formbuilder.models import AreaFormChoice, FormDefinition, FormVersion, Purpose, Submission
from roundtable.formbuilder.render import answer_sections, display_value, referenced_ids
from roundtable.formbuilder.schema import DefinitionProblems, all_questions, clean_definition, empty_definition

MAX_IMPORT_BYTES = 1_000_000
MAX_DRAFT_BYTES = 400_000
ENTRY_KINDS = {
    Purpose.HOME_VISIT: ChronologyEntry.Kind.HOME_VISIT,
    Purpose.INFORMATION_RETURN: ChronologyEntry.Kind.INFORMATION_RECEIVED,
}


class SubmissionInvalid(ValidationError):
    """The answers break the version's rules. ``errors`` maps question paths to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(list(errors.values()))
        self.errors = errors


def _case_ids(case: Case) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id}


def _problems(exc: DefinitionProblems) -> ValidationError:
    return ValidationError(exc.problems)


# --- Definitions ---------------------------------------------------------------------------------
@transaction.atomic
def do_create_definition(
    actor: User | None, *, name: str, purpose: str, description: str = "", area=None, owner_panel=None
) -> FormDefinition:
    """A new definition with one empty section. ``actor`` None: a trusted command (standard
    forms). ``owner_panel``: the panel (of the actor's area, which they chair or administer)
    that owns it."""
    policy.permit(actor, "formdefinition.create")
    area = area or actor.organisation.area
    if owner_panel is not None:
        from roundtable.formbuilder.choices import builds_for_panel

        if owner_panel.area_id != area.pk or (actor is not None and not builds_for_panel(actor, owner_panel)):
            raise ValidationError("Choose a panel of your area that you chair or administer.")
    draft = empty_definition(name.strip(), purpose, description.strip())
    draft["sections"] = [{"id": "s1", "title": "Section 1", "hint": "", "questions": []}]
    try:
        draft = clean_definition(draft)
    except DefinitionProblems as exc:
        raise _problems(exc) from None
    definition = FormDefinition.objects.create(
        name=draft["name"], purpose=purpose, owner_area=area, owner_panel=owner_panel, draft=draft, created_by=actor
    )
    record(actor, "formdefinition.created", definition, actor_label="manage.py", purpose=purpose)
    return definition


@transaction.atomic
def do_save_draft(
    actor: User | None, definition: FormDefinition, draft: dict, *, expected_version: int, audit: dict | None = None
) -> FormDefinition:
    """Replace the draft after checking it whole. Raises ValidationError naming every
    problem, or EditConflict if someone else saved the draft since ``expected_version``."""
    policy.permit(actor, "formdefinition.manage", definition)
    if definition.is_retired:
        raise ValidationError("This form is retired. Reinstate it before changing it.")
    try:
        cleaned = clean_definition(draft)
    except DefinitionProblems as exc:
        raise _problems(exc) from None
    if len(json.dumps(cleaned)) > MAX_DRAFT_BYTES:
        raise ValidationError("This form is too large. Split it into two forms.")
    saved = save_if_unchanged(
        definition,
        expected_version,
        {"draft": cleaned, "name": cleaned["name"], "purpose": cleaned["purpose"], "updated_at": timezone.now()},
    )
    record(actor, "formdefinition.draft_saved", saved, actor_label="manage.py", version=saved.version, **(audit or {}))
    return saved


def do_change_draft(
    actor: User,
    definition: FormDefinition,
    change: Callable[[dict], object],
    *,
    expected_version: int,
    audit: dict | None = None,
):
    """Apply a builder change (builder.py) to a copy of the draft and save it if the result is
    valid. ``audit``: what the change was, added to the draft_saved event (a question's new id)."""
    draft = copy.deepcopy(definition.draft)
    try:
        result = change(draft)
    except BuilderError as problem:
        raise ValidationError(str(problem)) from None
    return do_save_draft(actor, definition, draft, expected_version=expected_version, audit=audit), result


@transaction.atomic
def do_publish_definition(actor: User | None, definition: FormDefinition) -> FormVersion:
    policy.permit(actor, "formdefinition.manage", definition)
    definition = FormDefinition.objects.select_for_update().get(pk=definition.pk)
    if definition.is_retired:
        raise ValidationError("This form is retired. Reinstate it before publishing.")
    try:
        schema = clean_definition(definition.draft)
    except DefinitionProblems as exc:
        raise _problems(exc) from None
    if not any(True for _ in all_questions(schema)):
        raise ValidationError("Add at least one question before publishing.")
    latest = definition.latest_version
    if latest is not None and latest.schema == schema:
        raise ValidationError(f"Nothing has changed since version {latest.number} was published.")
    from roundtable.formbuilder.choices import publishing_problems

    breaks = publishing_problems(definition, schema)
    if breaks:
        raise ValidationError(breaks)
    number = (definition.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = FormVersion.objects.create(definition=definition, number=number, schema=schema, published_by=actor)
    FormDefinition.objects.filter(pk=definition.pk).update(latest_version=version, updated_at=timezone.now())
    record(actor, "formdefinition.published", definition, actor_label="manage.py", version=number)
    return version


@transaction.atomic
def do_retire_definition(actor: User, definition: FormDefinition, *, retire: bool = True) -> None:
    """Retired forms cannot be chosen for new submissions; what was submitted stays readable."""
    policy.permit(actor, "formdefinition.manage", definition)
    status = FormDefinition.Status.RETIRED if retire else FormDefinition.Status.ACTIVE
    FormDefinition.objects.filter(pk=definition.pk).update(status=status, retired_at=timezone.now() if retire else None)
    if retire:
        from roundtable.formbuilder.choices import forget_retired

        forget_retired(definition)
    record(actor, "formdefinition.retired" if retire else "formdefinition.reinstated", definition)


@transaction.atomic
def do_delete_definition(actor: User, definition: FormDefinition) -> None:
    policy.permit(actor, "formdefinition.manage", definition)
    used = Submission.objects.filter(definition=definition).count()
    if used:
        raise ValidationError(
            f"This form cannot be deleted because {used} submission{'s use' if used != 1 else ' uses'} it. "
            "Retire it instead: "
            "it can then no longer be chosen, and what was submitted stays readable."
        )
    record(actor, "formdefinition.deleted", definition, name=definition.name)
    FormDefinition.objects.filter(pk=definition.pk).update(latest_version=None)
    definition.delete()


def export_definition(actor: User, definition: FormDefinition, version: FormVersion | None = None) -> str:
    """The JSON document to share with another area (a published version, or the draft)."""
    record(actor, "formdefinition.exported", definition, version=version.number if version else "draft")
    return json.dumps(version.schema if version else definition.draft, indent=2, ensure_ascii=False)


@transaction.atomic
def do_import_definition(actor: User, content: bytes) -> FormDefinition:
    """A new definition (a draft, not yet published) from a shared JSON file."""
    policy.permit(actor, "formdefinition.create")
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_IMPORT_BYTES // 1000} KB, so it cannot be a form definition."
        )
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError("The file is not text (UTF-8). Choose the .json file exported from Roundtable.") from None
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise ValidationError(f"The file is not valid JSON{where}: {getattr(exc, 'msg', 'it is malformed')}.") from None
    try:
        cleaned = clean_definition(doc)
    except DefinitionProblems as exc:
        raise _problems(exc) from None
    definition = FormDefinition.objects.create(
        name=cleaned["name"],
        purpose=cleaned["purpose"],
        owner_area=actor.organisation.area,
        draft=cleaned,
        created_by=actor,
    )
    record(actor, "formdefinition.imported", definition, purpose=cleaned["purpose"])
    return definition


@transaction.atomic
def do_choose_definition(actor: User, definition: FormDefinition) -> AreaFormChoice:
    """Make this the area's form for its purpose (panels will choose per panel, issue 5)."""
    policy.permit(actor, "formdefinition.manage", definition)
    if definition.is_retired or definition.latest_version_id is None:
        raise ValidationError("Only a published form that is not retired can be chosen.")
    if definition.owner_panel_id is not None:
        raise ValidationError(
            f"This form belongs to {definition.owner_panel.name}: choose it on that panel's forms page."
        )
    from roundtable.formbuilder.choices import problems_for, refusal

    found = problems_for(None, definition.purpose, definition.latest_version.schema)
    if found:
        raise ValidationError([refusal(definition, definition.purpose)] + found)
    choice, _ = AreaFormChoice.objects.update_or_create(
        area=definition.owner_area, purpose=definition.purpose, defaults={"definition": definition, "chosen_by": actor}
    )
    record(actor, "formdefinition.chosen", definition, purpose=definition.purpose)
    return choice


# --- Submissions -----------------------------------------------------------------------------------
def lookups_for(user: User, case: Case) -> Lookups:
    """How answers name people, organisations and files this user may choose."""
    from roundtable.documents.models import Document
    from roundtable.people.models import Person

    def person(pk):
        found = policy.visible(user, Person.objects.filter(pk=pk, merged_into__isnull=True)).first()
        return found.full_name if found else None

    def organisation(pk):
        return (
            Organisation.objects.filter(pk=pk, is_active=True, area_id=user.organisation.area_id)
            .values_list("name", flat=True)
            .first()
        )

    def document(pk):
        found = policy.visible(user, Document.objects.filter(pk=pk, case=case)).first()
        return found.title if found else None

    return Lookups(person=person, organisation=organisation, document=document, today=timezone.localdate())


@transaction.atomic
def do_start_submission(actor: User, definition: FormDefinition, case: Case) -> Submission:
    policy.permit(actor, "submission.start", case)
    if definition.is_retired:
        raise ValidationError("This form is retired and cannot be used for new submissions.")
    if definition.latest_version_id is None:
        raise ValidationError("This form has not been published yet.")
    if definition.owner_panel_id is not None:
        from roundtable.formbuilder.choices import case_panel

        panel = case_panel(case)
        if panel is None or panel.pk != definition.owner_panel_id:
            raise ValidationError(f"This form belongs to {definition.owner_panel.name}: use it on that panel's cases.")
    submission = Submission.objects.create(
        version_id=definition.latest_version_id, definition=definition, case=case, created_by=actor
    )
    record(actor, "submission.started", submission, **_case_ids(case), form=definition.name)
    return submission


def create_submitted(version: FormVersion, case: Case, answers: dict, created_by: User | None, at=None) -> Submission:
    """A submission already validated by its caller (a referral, an information return): kept
    with its version, as given. The caller checks permission and records the audit event."""
    return Submission.objects.create(
        version=version,
        definition_id=version.definition_id,
        case=case,
        status=Submission.Status.SUBMITTED,
        answers=answers,
        created_by=created_by,
        submitted_at=at or timezone.now(),
    )


def _check_size(raw: dict) -> None:
    if len(json.dumps(raw, default=str)) > MAX_DRAFT_BYTES:
        raise ValidationError(
            "Your answers are too long to save. Shorten the longest answers, or attach them as a file."
        )


@transaction.atomic
def do_autosave_submission(actor: User, submission: Submission, raw: dict) -> Submission:
    """Keep what was typed so far (not checked: a draft may be half-finished)."""
    policy.permit(actor, "submission.edit", submission)
    _check_size(raw)
    Submission.objects.filter(pk=submission.pk).update(draft_input=raw, updated_at=timezone.now())
    submission.draft_input = raw
    record(actor, "submission.draft_saved", submission, **_case_ids(submission.case))
    return submission


def do_submit_submission(actor: User, submission: Submission, raw: dict, lookups: Lookups | None = None) -> Submission:
    """Check the answers against the version's rules; if they pass, the submission becomes a
    chronology entry on its case. If not, what was typed is saved as the draft (nothing is
    lost) and SubmissionInvalid raised with a message per question."""
    policy.permit(actor, "submission.edit", submission)
    _check_size(raw)
    answers, errors = validate_answers(submission.version.schema, raw, lookups or lookups_for(actor, submission.case))
    if errors:
        do_autosave_submission(actor, submission, raw)
        raise SubmissionInvalid(errors)
    return _finish_submission(actor, submission, raw, answers)


@transaction.atomic
def _finish_submission(actor: User, submission: Submission, raw: dict, answers: dict) -> Submission:
    # Taken under a row lock so a double click cannot make two chronology entries.
    submission = (
        Submission.objects.select_for_update().select_related("version", "definition", "case").get(pk=submission.pk)
    )
    policy.permit(actor, "submission.edit", submission)
    case = submission.case
    from roundtable.cases.services import do_record_entry

    definition = submission.definition
    url = reverse("formbuilder:submission_detail", args=[submission.pk])
    entry = do_record_entry(
        actor,
        case,
        kind=ENTRY_KINDS.get(definition.purpose, ChronologyEntry.Kind.NOTE),
        summary=f"{submission.version.schema['name'][:189]} submitted",
        body=(
            f"Form: {submission.version.schema['name']}, version {submission.version.number}.\nRead the answers: {url}"
        ),
        occurred_at=timezone.now(),
    )
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SUBMITTED,
        answers=answers,
        draft_input=raw,
        entry=entry,
        submitted_at=now,
        updated_at=now,
    )
    submission.refresh_from_db()
    record(
        actor, "submission.submitted", submission, **_case_ids(case), entry=entry.pk, version=submission.version.number
    )
    return submission


def record_submission_view(actor: User, submission: Submission, via: str = "page") -> None:
    record(actor, "submission.viewed", submission, **_case_ids(submission.case), via=via)


def visible_references(user: User, schema: dict, answers: dict) -> tuple[set, set]:
    """Person and document ids in the answers that this reader may see (one query each)."""
    from roundtable.documents.models import Document
    from roundtable.people.models import Person

    people, documents = referenced_ids(schema, answers)
    people = {p for p in people if isinstance(p, int)}
    documents = {d for d in documents if isinstance(d, int)}
    seen_people = (
        set(policy.visible(user, Person.objects.filter(pk__in=people)).values_list("pk", flat=True))
        if people
        else set()
    )
    seen_docs = (
        set(policy.visible(user, Document.objects.filter(pk__in=documents)).values_list("pk", flat=True))
        if documents
        else set()
    )
    return seen_people, seen_docs


def answers_for_reader(user: User, submission: Submission) -> dict:
    """The stored answers, with the names of people and files this reader may not see removed."""
    schema = submission.version.schema
    people, documents = visible_references(user, schema, submission.answers)

    def redact(questions, values):
        out = {}
        for question in questions:
            if question["id"] not in values:
                continue
            value = values[question["id"]]
            if question["kind"] == "person" and isinstance(value, dict) and value.get("id") not in people:
                value = {"id": value.get("id"), "name": None}
            elif question["kind"] == "file" and isinstance(value, dict) and value.get("document_id") not in documents:
                value = {"document_id": value.get("document_id"), "name": None}
            elif question["kind"] == "group" and isinstance(value, list):
                value = [redact(question.get("questions", []), item) for item in value]
            out[question["id"]] = value
        return out

    return redact([q for _s, q in all_questions(schema)], submission.answers)


def readable_answers(user: User, submission: Submission) -> list[dict]:
    schema = submission.version.schema
    people, documents = visible_references(user, schema, submission.answers)
    return answer_sections(schema, submission.answers, people=people, documents=documents)


def _cell(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(actor: User, version: FormVersion) -> str:
    """Every submission of ``version`` the actor may see, one row each, audited per case."""
    policy.permit(actor, "submission.export", version)
    from roundtable.documents.models import Document
    from roundtable.people.models import Person

    submissions = list(
        policy.visible(actor, Submission.objects.filter(version=version, status=Submission.Status.SUBMITTED))
        .select_related("case", "created_by__organisation")
        .order_by("submitted_at", "pk")
    )
    schema = version.schema
    people_ids, document_ids = set(), set()
    for submission in submissions:
        p, d = referenced_ids(schema, submission.answers)
        people_ids |= {x for x in p if isinstance(x, int)}
        document_ids |= {x for x in d if isinstance(x, int)}
    people = (
        set(policy.visible(actor, Person.objects.filter(pk__in=people_ids)).values_list("pk", flat=True))
        if people_ids
        else set()
    )
    documents = (
        set(policy.visible(actor, Document.objects.filter(pk__in=document_ids)).values_list("pk", flat=True))
        if document_ids
        else set()
    )
    questions = [q for _s, q in all_questions(schema)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Submission", "Case", "Submitted", "Submitted by", "Organisation", *[q["label"] for q in questions]]
    )
    for submission in submissions:
        cells = []
        for question in questions:
            value = submission.answers.get(question["id"])
            if question["kind"] == "group":
                items = []
                for number, item in enumerate(value or [], start=1):
                    parts = [
                        inner["label"]
                        + ": "
                        + display_value(inner, item.get(inner["id"]), people=people, documents=documents)
                        for inner in question["questions"]
                        if item.get(inner["id"]) is not None
                    ]
                    items.append(f"{number}) " + "; ".join(parts))
                cells.append(" | ".join(items))
            else:
                cells.append(display_value(question, value, people=people, documents=documents))
        writer.writerow(
            [
                submission.pk,
                submission.case.reference,
                timezone.localtime(submission.submitted_at).strftime("%d/%m/%Y %H:%M"),
                _cell(submission.created_by.full_name if submission.created_by else "Public referral page"),
                _cell(submission.created_by.organisation.name if submission.created_by else ""),
                *[_cell(c) for c in cells],
            ]
        )
    for case_id, person_id in sorted({(s.case_id, s.case.person_id) for s in submissions}):
        record(
            actor,
            "submission.exported",
            version.definition,
            case_id=case_id,
            person_id=person_id,
            version=version.number,
        )
    if not submissions:
        record(actor, "submission.exported", version.definition, version=version.number, rows=0)
    return out.getvalue()
