"""Audit events: a year of case members reading and writing their cases, in time order,
each chained to the one before exactly as ``roundtable.audit.services.record`` chains
them (the same ``AuditEvent.compute_hash``), continuing from whatever head the log
already has. So ``manage.py audit_verify`` passes over generated and real events alike.

Who looked at which case, and when, was drawn while the cases were made (the "seeds" in
cases.py); here they are sorted by time and written out.
"""

import random
from datetime import UTC, datetime
from types import SimpleNamespace

from roundtable.audit.models import AuditEvent
from roundtable.datagen import vocab
from roundtable.datagen.cases import CaseStreams
from roundtable.datagen.writers import Stream

ACTIONS = (
    ("case.viewed", 40),
    ("case.chronology_viewed", 25),
    ("person.viewed", 10),
    ("entry.recorded", 10),
    ("case.tasks_viewed", 6),
    ("inforequest.list_viewed", 5),
    ("case.members_viewed", 4),
)


def write_audit(writer, cases: CaseStreams, seed: int, head: tuple) -> tuple:
    """Write one event per seed after ``head`` (last id, last hash); return the new head."""
    rng = random.Random(f"{seed}:audit")
    world, population = cases.world, cases.population
    stream = Stream(AuditEvent, tuple(f.attname for f in AuditEvent._meta.concrete_fields))
    columns = stream.names
    action_table = [name for name, weight in ACTIONS for _ in range(weight)]
    titles = {number: title for title, number in cases.titles.items()}
    areas = {area.id: area for area in world.areas}
    last_id, previous = head
    times = cases.audit_time
    for i in sorted(range(len(times)), key=times.__getitem__):
        case_id, actor = cases.audit_case[i], cases.audit_actor[i]
        person = population.case_person[case_id]
        prefix = areas[population.area[person]].prefix
        org = world.user_org[actor]
        action = action_table[int(rng.random() * len(action_table))]
        details = {}
        if action == "person.viewed":
            object_type, object_id = "people.person", str(person)
            label = population.full_name(person)
            details = {"section": "profile"}
        else:
            object_type, object_id = "cases.case", str(case_id)
            label = f"{prefix}-{cases.audit_year[i]}-{case_id:06d} {titles[cases.audit_title[i]]}"
            if action == "case.chronology_viewed":
                details = {"shown": 50}
            elif action == "entry.recorded":
                details = {"kind": "note", "restricted": False}
        last_id += 1
        event = SimpleNamespace(
            HASHED_FIELDS=AuditEvent.HASHED_FIELDS,
            id=last_id,
            occurred_at=datetime.fromtimestamp(times[i], UTC),
            actor_id=actor,
            actor_label=world.user_email[actor][:254],
            organisation_id=org,
            organisation_label=world.org_name[org][:200],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_label=label[:255],
            person_id=person,
            case_id=case_id,
            ip_address=f"10.{org % 250}.{rng.getrandbits(8)}.{1 + rng.getrandbits(7)}",
            user_agent=vocab.USER_AGENTS[rng.getrandbits(2)],
            request_id=f"{rng.getrandbits(128):032x}",
            details=details,
            reason="",
            previous_hash=previous,
        )
        event.hash = previous = AuditEvent.compute_hash(event)
        writer.add(stream, tuple(getattr(event, name) for name in columns))
    return last_id, previous
