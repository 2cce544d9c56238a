"""Demo: the standard forms for Northshire, plus one submitted home visit record and one
draft on the first demo case (all fictional). Idempotent."""

from roundtable.formbuilder import services
from roundtable.formbuilder.models import FormDefinition, Submission
from roundtable.formbuilder.standard import load_standard_forms


def load(context: dict) -> None:
    area = context["area"]
    load_standard_forms(area)
    cases = [case for case in (context.get("cases") or {}).values() if hasattr(case, "memberships")]
    if not cases:
        return
    case = sorted(cases, key=lambda c: c.reference)[0]
    author = case.owner
    home_visit = FormDefinition.objects.get(owner_area=area, standard_key="home_visit")
    if Submission.objects.filter(case=case, definition=home_visit).exists():
        return
    submission = services.do_start_submission(author, home_visit, case)
    services.do_submit_submission(
        author,
        submission,
        {
            "q1": {"day": "2", "month": "3", "year": "2026"},
            "q2": {"line1": "1 Example Row", "town": "Northtown", "postcode": "NE1 4ST"},
            "q3": [{"q4": "Fictional parent", "q5": "Mother"}, {"q4": "Fictional sibling", "q5": "Brother"}],
            "q6": "yes",
            "q8": "Home was warm and tidy. Child was calm and spoke about school (fictional demo record).",
            "q9": "no",
            "q11": "School to arrange a mentor; family to attend the next panel.",
        },
    )
    referral = FormDefinition.objects.get(owner_area=area, standard_key="information_return")
    draft = services.do_start_submission(author, referral, case)
    services.do_autosave_submission(
        author, draft, {"outcome": "information_provided", "answer": "Draft answer (fictional)."}
    )
