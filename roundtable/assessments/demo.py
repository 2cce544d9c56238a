"""Fictional demo assessments (see core/management/commands/load_demo.py).

The open Channel case has four monthly assessments showing progress and a draft for the
next panel; the exited Channel case has three ending low; the Millford referral has one.
Made through the services as each case's owner, so scores, wording and changes are exactly
what a real user would get. Idempotent: a case that has any assessment is left alone."""

from datetime import timedelta

from django.utils import timezone

from roundtable.assessments import services
from roundtable.assessments.models import Assessment, FactorRating
from roundtable.assessments.services import RatingInput

EVIDENCE = {
    "Feelings of grievance and injustice": "Talks often about being treated unfairly by teachers and the police.",
    "Feeling under threat": "Says his community is under attack; repeated this to his mentor.",
    "A need for identity, meaning and belonging": "Left his football team; few friends outside one online group.",
    "A desire for excitement and adventure": "Describes the online group's 'missions' as exciting.",
    "Susceptibility to indoctrination": "Repeats phrases from videos word for word without questioning them.",
    "Being at a transitional time of life": "Moving from school to college this year; parents separating.",
    "Being influenced or controlled by a group": "Group members tell him what to post and whom to block.",
    "Over-identification with a group or ideology": "Uses the group's symbol as his profile picture.",
    "“Them and us” thinking": "Divides classmates into 'us' and 'traitors' in conversation.",
    "Attitudes that justify offending": "Said vandalism of a community centre 'was deserved'.",
    "Individual knowledge, skills and competencies": "Good at editing video; has made content for the group.",
}

# Oldest first: (months ago, {factor label: rating}, conclusion, changes since last)
OPEN_CASE = [
    (4, {"Feelings of grievance and injustice": "high", "Feeling under threat": "high",
         "A need for identity, meaning and belonging": "high", "A desire for excitement and adventure": "medium",
         "Susceptibility to indoctrination": "high", "Being at a transitional time of life": "medium",
         "Being influenced or controlled by a group": "high", "Over-identification with a group or ideology": "high",
         "“Them and us” thinking": "high", "Attitudes that justify offending": "medium",
         "Individual knowledge, skills and competencies": "medium"},
     "Vulnerable to being drawn into extremism; appropriate for Channel support. Risk to others low at present.", ""),
    (3, {"Feelings of grievance and injustice": "high", "Feeling under threat": "medium",
         "A need for identity, meaning and belonging": "high", "A desire for excitement and adventure": "medium",
         "Susceptibility to indoctrination": "high", "Being at a transitional time of life": "medium",
         "Being influenced or controlled by a group": "medium", "Over-identification with a group or ideology": "high",
         "“Them and us” thinking": "medium", "Individual knowledge, skills and competencies": "medium"},
     "Still vulnerable; early engagement with the mentor is positive. Continue support.",
     "Has met the mentor four times. Stopped talking about the community centre."),
    (2, {"Feelings of grievance and injustice": "medium", "A need for identity, meaning and belonging": "medium",
         "Susceptibility to indoctrination": "medium", "Being at a transitional time of life": "medium",
         "Over-identification with a group or ideology": "medium", "“Them and us” thinking": "low",
         "Individual knowledge, skills and competencies": "low"},
     "Vulnerability reducing. Has joined a college film club. Continue support for two more panels.",
     "Left the online group after a row with its members; joined a film club at college."),
    (1, {"Feelings of grievance and injustice": "low", "A need for identity, meaning and belonging": "low",
         "Being at a transitional time of life": "low", "Over-identification with a group or ideology": "low"},
     "Much reduced vulnerability. Consider exit at the next panel if progress holds.",
     "Mentor reports settled views; attendance at college 96%. Family mediation completed."),
]  # fmt: skip
EXITED_CASE = [
    (9, {"Feeling under threat": "medium", "A desire for excitement and adventure": "high",
         "Being influenced or controlled by a group": "medium", "Attitudes that justify offending": "low"},
     "Vulnerable; appropriate for Channel support.", ""),
    (8, {"A desire for excitement and adventure": "medium", "Being influenced or controlled by a group": "low"},
     "Progressing well with mentoring and boxing club.", "Stopped contact with the group; started boxing."),
    (7, {"A desire for excitement and adventure": "low"},
     "No longer vulnerable to radicalisation. Recommend exit; review at 6 and 12 months.",
     "Sustained change over three months; family supportive."),
]  # fmt: skip
REFERRAL_CASE = [
    (0, {"Feelings of grievance and injustice": "medium", "Being at a transitional time of life": "low"},
     "Low vulnerability. Not appropriate for Channel; signpost to school pastoral support.", ""),
]  # fmt: skip
PLAN = "Mentoring weekly (Harbour Lights Mentoring); family support from the council; school keeps the DSL informed."


def _assess(case, owner, months_ago: int, present: dict, conclusion: str, changes: str, *, complete=True):
    assessed_on = timezone.localdate() - timedelta(days=30 * months_ago)
    draft = services.do_start_assessment(owner, case, assessed_on=assessed_on)
    answers = {}
    for rating in FactorRating.objects.filter(assessment=draft).select_related("factor"):
        level = present.get(rating.factor.label)
        if level:
            answers[rating.factor_id] = RatingInput(True, level, EVIDENCE.get(rating.factor.label, "Seen by partners."))
        elif complete:
            answers[rating.factor_id] = RatingInput(False, "", "")
    fields = {
        "conclusion": conclusion,
        "management_plan": PLAN if complete else "",
        "changes_since_last": changes,
        "engagement_summary": "Partners agreed the engagement factors above at the panel." if complete else "",
    }
    saved = services.do_save_draft(owner, draft, draft.version, fields=fields, ratings=answers)
    if complete:
        services.do_complete_assessment(owner, saved, saved.version)


def load(context: dict) -> None:
    cases = context.get("cases") or {}
    plans = [("Channel support", OPEN_CASE), ("Channel case (exited)", EXITED_CASE)]
    plans.append(("Referral from Millford Academy", REFERRAL_CASE))
    for title, history in plans:
        case = cases.get(title)
        if case is None or case.person_id is None or Assessment.objects.filter(case=case).exists():
            continue
        for months_ago, present, conclusion, changes in history:
            _assess(case, case.owner, months_ago, present, conclusion, changes)
        if title == "Channel support":
            # Started for the next panel and saved half-way: "Continue the draft".
            _assess(case, case.owner, 0, {"Feelings of grievance and injustice": "low"}, "", "", complete=False)
