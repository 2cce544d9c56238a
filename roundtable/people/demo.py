"""Fictional Northshire people for the demo. Every name, address and detail is invented;
postcodes use the made-up NS area. Idempotent: a person already present is left alone."""

from datetime import date

from roundtable.audit.services import record
from roundtable.people.models import (
    Address,
    AgencyInvolvement,
    Person,
    PersonName,
    Relationship,
    SafeguardingFlag,
    Sex,
)
from roundtable.people.services import refresh_search_keys

# key: (identity, creator's demo user, addresses, other names, flags, involvements)
PEOPLE = {
    "jayden": {
        "identity": {"given_name": "Jayden", "family_name": "Millbrook", "date_of_birth": date(2011, 4, 12),
                     "sex": Sex.MALE, "languages": "English", "school_or_employer": "Millford Academy"},
        "creator": "teacher",
        "addresses": [("14 Heron Way", "Millford", "NS2 3QT", date(2019, 8, 1), None)],
        "names": [],
        "flags": [(SafeguardingFlag.Kind.CHILD_IN_NEED, "", date(2025, 11, 3), None)],
        "involvements": [
            ("Millford Academy", "Pastoral support", AgencyInvolvement.Status.OPEN_ACTIVE, "Weekly mentor sessions",
             "Head of Year 9"),
            ("Northshire County Council", "Early Help", AgencyInvolvement.Status.OPEN_ASSESSMENT,
             "Assessment started", "Early Help duty desk"),
        ],
    },
    "kerry": {
        "identity": {"given_name": "Kerry", "family_name": "Millbrook", "date_of_birth": date(1986, 9, 3),
                     "sex": Sex.FEMALE, "languages": "English", "phone": "01632 960 481"},
        "creator": "teacher",
        "addresses": [("14 Heron Way", "Millford", "NS2 3QT", date(2019, 8, 1), None)],
        "names": [(PersonName.Kind.PREVIOUS, "Kerry", "Dunmore")],
        "flags": [],
        "involvements": [],
    },
    "ellie": {
        "identity": {"given_name": "Ellie", "family_name": "Millbrook", "date_of_birth": date(2015, 1, 20),
                     "sex": Sex.FEMALE, "school_or_employer": "Millford Primary School"},
        "creator": "teacher",
        "addresses": [("14 Heron Way", "Millford", "NS2 3QT", date(2019, 8, 1), None)],
        "names": [],
        "flags": [(SafeguardingFlag.Kind.CHILD_IN_NEED, "", date(2025, 11, 3), None)],
        "involvements": [],
    },
    "tomasz": {
        "identity": {"given_name": "Tomasz", "family_name": "Wrenfield", "date_of_birth": date(1998, 11, 30),
                     "sex": Sex.MALE, "languages": "Polish, English", "nationality": "Polish",
                     "school_or_employer": "Eastbrook Parcel Depot"},
        "creator": "police",
        "addresses": [
            ("Flat 3, 27 Canal Street", "Eastbrook", "NS7 1BD", date(2024, 2, 1), None),
            ("9 Orchard Close", "Millford", "NS2 8HL", date(2020, 5, 1), date(2024, 1, 31)),
        ],
        "names": [(PersonName.Kind.ALIAS, "Tom", "Wren")],
        "flags": [(SafeguardingFlag.Kind.MAPPA, "Category 2, level 1", date(2025, 3, 10), None)],
        "involvements": [
            ("Northshire Probation Service", "", AgencyInvolvement.Status.OPEN_ACTIVE, "Licence supervision",
             "Eastbrook probation office"),
        ],
    },
    "aisha": {
        "identity": {"given_name": "Aisha", "family_name": "Thornbury", "date_of_birth": date(2009, 7, 8),
                     "sex": Sex.FEMALE, "languages": "English, Somali",
                     "school_or_employer": "Northshire Pupil Referral Service"},
        "creator": "practitioner",
        "addresses": [("The Beeches Children's Home, 2 Larch Lane", "Northby", "NS4 6RW", date(2025, 6, 1), None)],
        "names": [],
        "flags": [
            (SafeguardingFlag.Kind.LOOKED_AFTER_CHILD, "Section 20", date(2025, 6, 1), None),
            (SafeguardingFlag.Kind.EHCP, "Social, emotional and mental health", date(2023, 9, 1), None),
        ],
        "involvements": [
            ("Northshire Health and Care Trust", "CAMHS", AgencyInvolvement.Status.OPEN_WAITING_LIST,
             "Referred September", "CAMHS single point of access"),
        ],
    },
    "callum": {
        "identity": {"given_name": "Callum", "family_name": "Ashdown", "approximate_age": 15, "sex": Sex.MALE},
        "creator": "paneladmin",
        "addresses": [],
        "names": [(PersonName.Kind.ALIAS, "Cal", "")],
        "flags": [],
        "involvements": [
            ("Northshire Youth Justice Service", "", AgencyInvolvement.Status.KNOWN_CLOSED, "Closed after review",
             "Youth Justice duty officer"),
        ],
    },
    "rhiannon": {
        "identity": {"given_name": "Rhiannon", "family_name": "Fairweather", "date_of_birth": date(2003, 2, 14),
                     "sex": Sex.FEMALE, "languages": "English, Welsh"},
        "creator": "practitioner",
        "addresses": [("41 Quarry Road", "Northby", "NS4 2JE", date(2022, 10, 1), None)],
        "names": [(PersonName.Kind.PREVIOUS, "Rhiannon", "Pike")],
        "flags": [],
        "involvements": [
            ("Riverside Homes", "Tenancy sustainment", AgencyInvolvement.Status.OPEN_ACTIVE, "", "Housing officer"),
        ],
    },
    "noah": {
        "identity": {"given_name": "Noah", "family_name": "Kestrel", "date_of_birth": date(2012, 6, 1),
                     "sex": Sex.MALE, "school_or_employer": "Millford Academy"},
        "creator": "teacher",
        "addresses": [("6 Saxon Gardens", "Millford", "NS2 5PF", date(2016, 3, 1), None)],
        "names": [],
        "flags": [],
        "involvements": [
            ("Millford Academy", "", AgencyInvolvement.Status.OPEN_ASSESSMENT, "Attendance concern",
             "Attendance officer"),
        ],
    },
}  # fmt: skip

# (person, related person, relationship of the related person to the person, same household)
RELATIONSHIPS = [
    ("jayden", "kerry", "mother", True),
    ("jayden", "ellie", "sister", True),
    ("ellie", "kerry", "mother", True),
]


def _load_person(spec: dict, context: dict) -> Person:
    identity = spec["identity"]
    existing = Person.objects.filter(
        given_name=identity["given_name"], family_name=identity["family_name"], area=context["area"]
    ).first()
    if existing:
        return existing
    creator = context["users"][spec["creator"]]
    person = Person.objects.create(**identity, created_by=creator, area=context["area"])
    for line1, town, postcode, moved_in, moved_out in spec["addresses"]:
        Address.objects.create(
            person=person, line1=line1, town=town, postcode=postcode, moved_in=moved_in, moved_out=moved_out
        )
    for kind, given, family in spec["names"]:
        PersonName.objects.create(person=person, kind=kind, given_name=given, family_name=family)
    for kind, detail, started, ended in spec["flags"]:
        SafeguardingFlag.objects.create(
            person=person, kind=kind, detail=detail, started=started, ended=ended, recorded_by=creator
        )
    for organisation, service, status, stage, contact in spec["involvements"]:
        AgencyInvolvement.objects.create(
            person=person,
            organisation=context["organisations"][organisation],
            service=service,
            status=status,
            stage=stage,
            contact=contact,
            updated_by=creator,
        )
    refresh_search_keys(person)
    record(None, "person.created", person, person_id=person.pk, actor_label="load_demo")
    return person


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent). See core/management/commands/load_demo.py."""
    people = {key: _load_person(spec, context) for key, spec in PEOPLE.items()}
    for person, related, kind, lives_with in RELATIONSHIPS:
        link, created = Relationship.objects.get_or_create(
            person=people[person], related_person=people[related], defaults={"kind": kind, "lives_with": lives_with}
        )
        if created:
            record(None, "person.relationship_added", link, person_id=link.person_id, actor_label="load_demo")
    context["people"] = people
