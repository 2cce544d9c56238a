"""Fictional demo cases and chronologies for Northshire (see core/management/commands/load_demo.py).

Idempotent: a case is recognised by its title, and an existing case is left as it is."""

import random
from datetime import timedelta

from django.utils import timezone

from roundtable.cases.models import Case, CaseMembership, ChronologyEntry, EntryRevision
from roundtable.cases.services import next_reference
from roundtable.people.models import Person

K = ChronologyEntry.Kind
OWNER, CONTRIBUTOR, VIEWER = CaseMembership.Role.OWNER, CaseMembership.Role.CONTRIBUTOR, CaseMembership.Role.VIEWER

# (title, kind, state, person index or None, owner, {member: role})
CASES = [
    ("Referral from Millford Academy", Case.Kind.REFERRAL, Case.State.OPEN, 0, "paneladmin",
     {"chair": OWNER, "police": CONTRIBUTOR, "teacher": CONTRIBUTOR, "practitioner": CONTRIBUTOR}),
    ("Channel support", Case.Kind.CHANNEL, Case.State.OPEN, 1, "chair",
     {"police": CONTRIBUTOR, "practitioner": CONTRIBUTOR, "paneladmin": CONTRIBUTOR}),
    ("Behaviour support panel referral", Case.Kind.BEHAVIOUR_SUPPORT, Case.State.OPEN, 2, "teacher",
     {"paneladmin": CONTRIBUTOR, "practitioner": CONTRIBUTOR, "chair": VIEWER}),
    ("Concerns raised by health visitor", Case.Kind.SAFEGUARDING, Case.State.ON_HOLD, 3, "practitioner",
     {"police": CONTRIBUTOR, "teacher": VIEWER}),
    ("Channel case (exited)", Case.Kind.CHANNEL, Case.State.CLOSED, 4, "police",
     {"chair": CONTRIBUTOR, "practitioner": VIEWER}),
    ("Referral from Riverside Homes", Case.Kind.REFERRAL, Case.State.OPEN, 5, "practitioner",
     {"teacher": CONTRIBUTOR, "paneladmin": CONTRIBUTOR}),
    ("Northshire Channel Panel – monthly meeting", Case.Kind.MEETING, Case.State.OPEN, None, "chair",
     {"paneladmin": OWNER, "police": CONTRIBUTOR, "practitioner": CONTRIBUTOR, "teacher": CONTRIBUTOR}),
    ("Millford Academy Prevent action plan 2026", Case.Kind.PLAN, Case.State.OPEN, None, "teacher",
     {"chair": CONTRIBUTOR, "paneladmin": VIEWER}),
]  # fmt: skip

# What partners typically record, by kind (all invented).
TEXTS = {
    K.NOTE: [("Case discussed in team meeting", "Agreed to keep the case open and review next month.")],
    K.PHONE_CALL: [
        ("Phone call with parent", "Parent confirmed they are happy to meet next week. No new concerns raised."),
        ("Phone call with school", "Attendance has improved to 91% this half term."),
    ],
    K.HOME_VISIT: [
        ("Home visit completed", "Visited with a colleague. Home conditions good. Young person engaged well."),
        ("Unannounced home visit", "No answer at the door. Card left; will try again on Thursday."),
    ],
    K.SCHOOL_VISIT: [("School visit", "Met the designated safeguarding lead. Mentoring sessions are going well.")],
    K.MEETING: [("Professionals meeting", "Partners shared updates. Actions agreed and recorded as tasks.")],
    K.INFORMATION_RECEIVED: [
        ("Information received from housing", "Family are on the transfer list; no arrears."),
        ("Information return from health", "Known to CAMHS, on the waiting list since the spring."),
    ],
    K.DECISION: [("Panel decision", "Panel agreed the case is appropriate for support. Consent to be sought.")],
    K.SAFEGUARDING_CONCERN: [("Concern raised by teacher", "Comments made in class were reported to the DSL.")],
    K.EMAIL: [("E-mail from mentor", "Mentor reports good engagement at the last two sessions.")],
}
MEETING_TEXTS = {
    K.MEETING: [("Panel meeting held", "Eight cases reviewed. Minutes to follow.")],
    K.DECISION: [("Agenda agreed", "Chair agreed the agenda and circulated the papers.")],
    K.NOTE: [("Attendance noted", "Apologies received from two partners.")],
}


def _fictional_people(context: dict) -> list[Person]:
    people = context.get("people") or {}
    found = list(people.values()) if isinstance(people, dict) else list(people)
    if len(found) >= 2:
        return found
    # The people loader has not run: bring two obviously fictional people of our own.
    creator = context["users"]["paneladmin"]
    own = [
        Person.objects.get_or_create(
            given_name=given, family_name=family, area=context["area"],
            defaults={"created_by": creator, "approximate_age": age},
        )[0]
        for given, family, age in (("Demo", "Childone", 14), ("Sample", "Persontwo", 19))
    ]  # fmt: skip
    return found + own


def load(context: dict) -> None:
    users = context["users"]
    area = context["area"]
    people = _fictional_people(context)
    now = timezone.now()
    cases = context.setdefault("cases", {})
    for index, (title, kind, state, person_index, owner_key, members) in enumerate(CASES):
        owner = users[owner_key]
        person = people[person_index % len(people)] if person_index is not None else None
        full_title = title if person is None else f"{title} ({person.given_name})"
        case = Case.objects.filter(area=area, title=full_title).first()
        if case is None:
            case = Case.objects.create(
                reference=next_reference(area), person=person, kind=kind, state=state, title=full_title,
                owner=owner, lead_organisation=owner.organisation, area=area,
            )  # fmt: skip
            CaseMembership.objects.create(case=case, user=owner, role=OWNER, added_by=owner)
            for key, role in members.items():
                CaseMembership.objects.create(case=case, user=users[key], role=role, added_by=owner)
            _chronology(case, [owner] + [users[k] for k, r in members.items() if r != VIEWER], index, now)
        cases[title] = case


def _chronology(case: Case, authors: list, seed: int, now) -> None:
    rng = random.Random(seed)
    texts = MEETING_TEXTS if case.kind in (Case.Kind.MEETING, Case.Kind.PLAN) else TEXTS
    count = rng.randint(10, 40)
    moments = sorted(now - timedelta(days=rng.uniform(1, 150), minutes=rng.randint(0, 600)) for _ in range(count))
    created = []
    for moment in moments:
        kind = rng.choice(list(texts))
        summary, body = rng.choice(texts[kind])
        author = rng.choice(authors)
        entry = ChronologyEntry.objects.create(
            case=case, kind=kind, summary=summary, body=body, occurred_at=moment, author=author,
            organisation=author.organisation,
        )  # fmt: skip
        created.append(entry)
    # recorded_at is stamped on insert; make it plausible (recorded soon after it happened).
    for entry in created:
        ChronologyEntry.objects.filter(pk=entry.pk).update(recorded_at=entry.occurred_at + timedelta(minutes=45))
    _special_entries(case, created, authors, now)
    Case.objects.filter(pk=case.pk).update(updated_at=created[-1].occurred_at)


def _special_entries(case: Case, created: list, authors: list, now) -> None:
    """A restricted entry, an amended one and (on every other case) a retracted one."""
    author = authors[1] if len(authors) > 1 else authors[0]
    restricted = ChronologyEntry.objects.create(
        case=case, kind=K.INFORMATION_RECEIVED, summary="Sensitive information shared in confidence",
        body="Details shared in confidence with the chair only (fictional demo text).",
        occurred_at=now - timedelta(days=3), author=author, organisation=author.organisation, is_restricted=True,
    )  # fmt: skip
    restricted.restricted_to.set([authors[0]])
    amended = created[-1]
    EntryRevision.objects.create(
        entry=amended, version=1, summary=amended.summary + " (first draft)", body="Wrong date recorded at first.",
        occurred_at=amended.occurred_at - timedelta(days=1), edited_by=amended.author, reason="Corrected the date",
    )  # fmt: skip
    ChronologyEntry.objects.filter(pk=amended.pk).update(version=2)
    if case.pk % 2 == 0 and len(created) > 3:
        ChronologyEntry.objects.filter(pk=created[2].pk).update(
            retracted_at=now - timedelta(days=2), retracted_by=created[2].author, version=2,
            retraction_reason="Recorded on the wrong case by mistake.",
        )  # fmt: skip
