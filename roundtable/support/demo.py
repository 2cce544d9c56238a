"""Fictional demo consent and support plans (see core/management/commands/load_demo.py).

Idempotent: providers are recognised by name, and a case that already has consent records
or support is left as it is. Shows each state worth trying: consent in force with active
support; consent withdrawn while support is active (flagged); finished support; providers
with a current, an expired and a missing DBS check."""

from datetime import timedelta

from django.utils import timezone

from roundtable.audit.services import record
from roundtable.support.models import ConsentRecord, Intervention, InterventionProvider, ProgressUpdate, SupportType

D, By, How, S = ConsentRecord.Decision, ConsentRecord.DecidedBy, ConsentRecord.How, Intervention.Status

# (name, organisation or None, contact, DBS checked / expires in days from today, or None)
PROVIDERS = [
    ("Jordan Reyes", "Harbour Lights Mentoring", "07700 900 118", (-200, 895)),
    ("Sam Okafor", None, "Northshire Boxing Academy, 01632 960 733", (-1100, -20)),
    ("Morgan Blake", None, "careers@demo.roundtable.invalid", None),
]

# case title: (consent records, interventions)
# consent: (decision, decided by, name, days ago, how, capacity note)
# intervention: (type, custom, provider name or partner organisation, start/end in days, status, reason,
#                behaviours, risks, provider risks, [(days ago, progress text)])
PLANS = {
    "Channel support": (
        [(D.GIVEN, By.PERSON, "", 40, How.IN_PERSON,
          "Has capacity: understood what Channel support is, that it is voluntary and that she can stop at any time.")],
        [
            (SupportType.MENTORING, "", "Jordan Reyes", (-35, 120), S.ACTIVE, "",
             "Repeats conspiracy content from online forums; withdrawing from friends",
             "Being drawn further into an online group", "None identified; sessions in a public venue",
             [(28, "First session at the library. Talked about work and family; agreed to meet weekly."),
              (14, "Good engagement. Discussed where news stories come from and how to check them.")]),
            (SupportType.CAREERS, "", "Morgan Blake", (7, 60), S.PLANNED, "",
             "Unemployed for a year; says there is no point looking", "Isolation and low self-worth",
             "None identified", []),
            (SupportType.CONSTRUCTIVE_PURSUITS, "", "Sam Okafor", (10, 180), S.PLANNED, "",
             "Anger when challenged", "Escalating arguments with neighbours",
             "Has shouted at staff before: a second coach present", []),
        ],
    ),
    "Referral from Millford Academy": (
        [(D.GIVEN, By.PARENT, "Kerry Millbrook", 30, How.IN_PERSON, ""),
         (D.WITHDRAWN, By.PARENT, "Kerry Millbrook", 3, How.PHONE, "")],
        [
            (SupportType.FAMILY_SUPPORT, "", "Northshire County Council", (-25, 90), S.ACTIVE, "",
             "Arguments at home about online activity", "Family breakdown", "None identified",
             [(18, "Family worker visited; parents and Jayden agreed house rules for screen time.")]),
        ],
    ),
    "Channel case (exited)": (
        [(D.REFUSED, By.PERSON, "", 150, How.IN_PERSON, "Has capacity; did not want support at that time."),
         (D.GIVEN, By.PERSON, "", 120, How.IN_PERSON, "Has capacity; asked for help with college.")],
        [
            (SupportType.EDUCATION_SKILLS, "", "Northshire Pupil Referral Service", (-115, -20), S.COMPLETED, "",
             "Not attending college", "Exclusion and isolation", "None identified",
             [(90, "Attending three days a week."), (20, "Completed the course; enrolled for next year.")]),
            (SupportType.OTHER, "Faith leader conversations", "Northshire Health and Care Trust", (-100, -60),
             S.STOPPED, "The faith leader moved away; Aisha did not want a replacement.",
             "Questions about identity and belonging", "Susceptibility to online recruiters", "None identified", []),
        ],
    ),
}  # fmt: skip


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent). See core/management/commands/load_demo.py."""
    area, organisations, users = context["area"], context["organisations"], context["users"]
    today = timezone.localdate()
    providers = {}
    for name, organisation, contact, dbs in PROVIDERS:
        provider, created = InterventionProvider.objects.get_or_create(
            area=area,
            name=name,
            defaults={
                "organisation": organisations.get(organisation) if organisation else None,
                "contact": contact,
                "dbs_checked_on": today + timedelta(days=dbs[0]) if dbs else None,
                "dbs_expires_on": today + timedelta(days=dbs[1]) if dbs else None,
                "created_by": users["chair"],
            },
        )
        if created:
            record(None, "provider.created", provider, area_id=area.pk, actor_label="load_demo")
        providers[name] = provider
    cases = context.get("cases") or {}
    for title, (consents, interventions) in PLANS.items():
        case = cases.get(title)
        if case is None or case.person_id is None:
            continue
        if ConsentRecord.objects.filter(case=case).exists() or Intervention.objects.filter(case=case).exists():
            continue
        _consents(case, consents, today)
        _interventions(case, interventions, providers, organisations, today)


def _consents(case, consents, today) -> None:
    for decision, decided_by, name, days_ago, how, capacity in consents:
        consent = ConsentRecord.objects.create(
            case=case, person=case.person, decision=decision, decided_by=decided_by, decided_by_name=name,
            occurred_on=today - timedelta(days=days_ago), how=how, capacity_note=capacity, recorded_by=case.owner,
        )  # fmt: skip
        ids = {"case_id": case.pk, "person_id": case.person_id}
        record(None, "consent.recorded", consent, **ids, actor_label="load_demo", decision=decision)


def _interventions(case, interventions, providers, organisations, today) -> None:
    for spec in interventions:
        kind, custom, by, (start, end), status, reason, behaviours, risks, provider_risks, updates = spec
        item = Intervention.objects.create(
            case=case, support_type=kind, custom_type=custom, provider=providers.get(by),
            provider_organisation=None if by in providers else organisations[by],
            starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end), status=status,
            status_reason=reason, behaviours=behaviours, risks=risks, provider_risks=provider_risks,
            created_by=case.owner,
        )  # fmt: skip
        for days_ago, text in updates:
            ProgressUpdate.objects.create(
                intervention=item, occurred_on=today - timedelta(days=days_ago), text=text, author=case.owner
            )
        ids = {"case_id": case.pk, "person_id": case.person_id}
        record(None, "intervention.created", item, **ids, actor_label="load_demo", status=status)
