"""Fictional Channel demo (see core/management/commands/load_demo.py): referrals waiting in
the Prevent team's queue, one with the local authority, one waiting for the panel, and
the Channel side of the two Channel cases the cases demo made. Every step is made through
the workflow engine, as the demo users, so the history reads as it would in use.

Idempotent: a referral is recognised by its panel and the person's name."""

from contextlib import suppress
from datetime import date, timedelta

from django.utils import timezone

from roundtable.channel.models import ChannelCase, Referral
from roundtable.channel.services import do_channel_transition, do_submit_referral
from roundtable.core.workflow import TransitionRefused

# (given, family, born or None, approximate age, urgency, source, referrer user or None,
#  referrer sector, concern, indicators, steps to make)
REFERRALS = [
    ("Riley", "Ashworth", date(2010, 9, 14), None, "urgent", "public", None, "family_friend",
     "My nephew keeps watching videos praising attacks and said he wants to 'do something'. He has "
     "stopped seeing his friends.", ["violence", "isolation", "material"], []),
    ("Morgan", "Kell", date(2009, 2, 3), None, "routine", "in_app", "teacher", "education",
     "Has been handing out leaflets from a far-right group at the school gate and arguing that some "
     "classmates 'do not belong here'.", ["extremist_views", "association"], []),
    ("Sasha", "Verne", None, 24, "routine", "public", None, "community",
     "A regular at our youth club talks a lot about a 'coming war' and asked others to join an "
     "online group.", ["grievance", "association"], []),
    ("Dana", "Holt", date(1998, 6, 21), None, "routine", "in_app", "practitioner", "health",
     "Patient disclosed an interest in travelling abroad to join an armed group; low mood since losing "
     "work.", ["travel", "grievance"], ["screen"]),
    ("Jamie", "Rowe", date(2008, 11, 2), None, "urgent", "in_app", "teacher", "education",
     "Searched for bomb-making instructions on a school computer; talks about a mass-casualty attack "
     "with admiration.", ["fascination", "violence"], ["screen", "panel"]),
]  # fmt: skip

SCREENED = {
    "deconfliction_checked": True,
    "deconfliction_result": "clear",
    "initial_risk": "Vulnerable to influence online; no known access to weapons. Risk to others low for now.",
}
NEXT_STEP = {"reasons": "Vulnerabilities the panel can help with; the family are willing to talk.", "agreed": True}


def _steps(users, channel_case, steps) -> None:
    police, chair = users["police"], users["chair"]
    screened = {**SCREENED, "deconfliction_date": (timezone.localdate() - timedelta(days=1)).isoformat()}
    if "screen" in steps:
        do_channel_transition(police, channel_case, "screen_pass_to_local_authority", screened)
    if "panel" in steps:
        do_channel_transition(chair, channel_case, "next_step_panel_hearing", NEXT_STEP)
    if "adopt" in steps:
        do_channel_transition(
            chair, channel_case, "decide_adopt", {"reasons": "Vulnerable and appropriate for Channel."}
        )
    if "support" in steps:
        do_channel_transition(chair, channel_case, "start_support", {"start_date": timezone.localdate().isoformat()})
    if "exit" in steps:
        do_channel_transition(
            chair, channel_case, "decide_exit", {"reasons": "Support from the family and school is enough now."}
        )


def _details(given, family, born, age, urgency, referrer, sector, concern, indicators) -> dict:
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": born.isoformat() if born else "",
        "approximate_age": age,
        "concern": concern,
        "indicators": indicators,
        "urgency": urgency,
        "referrer_name": referrer.full_name if referrer else "A concerned relative",
        "referrer_organisation": referrer.organisation.name if referrer else "",
        "referrer_email": referrer.email if referrer else "",
        "referrer_phone": "" if referrer else "01632 960 000",
        "referrer_sector": sector,
        "person_aware": "no",
        "family_aware": "not_known" if referrer is None else "yes",
        "consent": "not_asked",
    }


def _adopt_existing(users, panel, case, steps) -> None:
    """Give one of the cases demo's Channel cases its Channel side (a referral and its steps)."""
    from roundtable.cases.models import CaseMembership
    from roundtable.panels.models import WorkflowEvent

    person = case.person
    channel_case = ChannelCase.objects.create(case=case, panel=panel, age_group="adult", age_at_referral=person.age)
    if person.age is not None and person.age < 18:
        channel_case.age_group = "child"
        channel_case.save(update_fields=["age_group"])
    teacher = users["teacher"]
    details = _details(
        person.given_name, person.family_name, person.date_of_birth, None, "routine", teacher, "education",
        "Repeating conspiracy content from online forums and withdrawing from friends.", ["material", "isolation"],
    )  # fmt: skip
    details["approximate_age"] = None if person.date_of_birth else (person.approximate_age or 30)
    Referral.objects.create(
        channel_case=channel_case, reference=Referral.new_reference(), source="in_app", submitted_by=teacher, **details
    )
    WorkflowEvent.objects.create(
        case=case, workflow="channel", transition="referral", from_state="", to_state="referred",
        actor=teacher, actor_organisation=teacher.organisation.name, data={"source": "in_app"},
    )  # fmt: skip
    for key in ("police", "chair"):
        CaseMembership.objects.get_or_create(case=case, user=users[key], defaults={"role": "contributor"})
    # For example no consent recorded on this demo case: it stays where it got to.
    with suppress(TransitionRefused):
        _steps(users, channel_case, steps)


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent)."""
    panel = (context.get("panels") or {}).get("Northshire Channel Panel")
    if panel is None:
        return
    users = context["users"]
    for given, family, born, age, urgency, source, referrer_key, sector, concern, indicators, steps in REFERRALS:
        if Referral.objects.filter(channel_case__panel=panel, given_name=given, family_name=family).exists():
            continue
        referrer = users.get(referrer_key) if referrer_key else None
        details = _details(given, family, born, age, urgency, referrer, sector, concern, indicators)
        referral = do_submit_referral(referrer, panel, details, source=source)
        _steps(users, referral.channel_case, steps)
    cases = context.get("cases") or {}
    for title, steps in (
        ("Channel support", ["screen", "panel", "adopt", "support"]),
        ("Channel case (exited)", ["screen", "panel", "exit"]),
    ):
        case = cases.get(title)
        if case is not None and not ChannelCase.objects.filter(case=case).exists():
            _adopt_existing(users, panel, case, steps)
