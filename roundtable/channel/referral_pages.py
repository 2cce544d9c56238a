"""The referral pages when the panel uses its own referral form (form builder).

The public page and the in-app referral draw the panel's chosen form with the form
builder's GOV.UK renderer, check the answers against the version's rules, then hand the
well-known answers to the same referral service as the built-in form (referral_form.py).
Every answer is kept with the version it was given on. The public page's protections
(rate limit, honeypot, acknowledgement with a reference only) stay in views.py."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone

from roundtable.channel import referral_form, services
from roundtable.channel.models import Referral
from roundtable.formbuilder.answers import Lookups, question_paths, required_message, validate_answers
from roundtable.formbuilder.choices import chosen
from roundtable.formbuilder.models import FormDefinition, Purpose
from roundtable.formbuilder.render import apply_add_remove, drawn_version, error_list, fill_sections, raw_from_post


def referral_definition(panel) -> FormDefinition | None:
    """The panel's referral form, or None for the built-in one."""
    return chosen(panel, Purpose.REFERRAL) if panel is not None else None


def check_answers(schema: dict, raw: dict, public: bool) -> tuple[dict, dict]:
    """(answers, errors): the version's rules and the referral's own checks, every problem at once.
    The pages and the API (referral_api.py) both check a referral's answers here."""
    # Nothing can be chosen from Roundtable's records on a referral form (refused when chosen).
    answers, errors = validate_answers(schema, raw, Lookups(today=timezone.localdate()))
    questions = question_paths(schema)
    try:
        services.clean_referral(referral_form.details(answers), public=public)
    except ValidationError as problem:
        for path, message in referral_form.error_paths(problem.message_dict, schema).items():
            # A needed answer left out: the referral's own words ("Enter the person's first
            # name") say it better than the form's generic ones ("Enter first name").
            generic = path in questions and errors.get(path) == required_message(questions[path])
            if path not in errors or generic:
                errors[path] = message
    return answers, errors


def submit(request, panel, definition: FormDefinition, *, submitter, initial: dict | None = None):
    """Draw the form (GET) or take it (POST). Returns (referral or None, response or None)."""
    version = drawn_version(request.POST, definition, referral_form.problems)
    schema = version.schema
    public = submitter is None
    errors: dict = {}
    if request.method == "POST":
        raw = raw_from_post(schema, request.POST)
        if not apply_add_remove(request.POST, raw):
            answers, errors = check_answers(schema, raw, public)
            if not errors:
                source = Referral.Source.PUBLIC if public else Referral.Source.IN_APP
                try:
                    referral = services.do_submit_referral(
                        submitter,
                        panel,
                        referral_form.details(answers),
                        source=source,
                        form=(version, answers),
                    )
                except ValidationError as problem:
                    errors = referral_form.error_paths(problem.message_dict, schema)
                else:
                    return referral, None
    else:
        raw = referral_form.initial(schema, initial or {})
    sections = fill_sections(schema, raw, errors, {})
    context = {
        "public": public,
        "panel": panel,
        "version": version,
        "schema": schema,
        "sections": sections,
        "error_items": error_list(sections, errors),
    }
    status = 422 if errors else 200
    return None, render(request, "channel/refer_definition.html", context, status=status)


def form_answers(user, referral: Referral) -> dict:
    """For the referral page: every answer given on the panel's form, as it was answered
    (the submission is case content, seen through the policy like any other)."""
    if referral.form_submission_id is None:
        return {}
    from roundtable.access import policy
    from roundtable.formbuilder.models import Submission
    from roundtable.formbuilder.services import readable_answers

    submission = (
        policy.visible(user, Submission.objects.filter(pk=referral.form_submission_id))
        .select_related("version")
        .first()
    )
    if submission is None:
        return {}
    return {"form_submission": submission, "form_sections": readable_answers(user, submission)}
