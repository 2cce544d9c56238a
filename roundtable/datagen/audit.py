"""Audit events: a year of people reading and writing cases, in time order, each chained
to the one before exactly as ``roundtable.audit.services.record`` chains them (the same
``AuditEvent.compute_hash``), continuing from whatever head the log already has. So
``manage.py audit_verify`` passes over generated and real events alike.

The actor of each event is a member of the case (re-derived from the case's plan), as
it would be in real use.
"""

import random
from datetime import UTC, datetime, timedelta
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
SPAN = timedelta(days=365)


def write_audit(writer, cases: CaseStreams, count: int, seed: int, now: datetime, head: tuple) -> tuple:
    """Write ``count`` events after ``head`` (last id, last hash); return the new head."""
    rng = random.Random(f"{seed}:audit")
    world, population = cases.world, cases.population
    stream = Stream(AuditEvent, tuple(f.attname for f in AuditEvent._meta.concrete_fields))
    columns = stream.names
    actions, weights = zip(*ACTIONS, strict=True)
    last_id, previous = head
    start = (now - SPAN).timestamp()
    step = SPAN.total_seconds() / max(1, count)
    n_cases = world.scale.cases
    for i in range(count):
        moment = start + step * (i + rng.random() * 0.999)
        occurred = datetime.fromtimestamp(moment, UTC)
        for _attempt in range(5):
            plan = cases.plan(rng.randint(1, n_cases))
            if plan.created <= occurred:
                break
        actor = rng.choice(list(plan.members))
        org = world.user_org[actor]
        action = rng.choices(actions, weights)[0]
        details = {}
        if action == "person.viewed":
            object_type, object_id = "people.person", str(plan.person)
            label = population.full_name(plan.person)
            details = {"section": "profile"}
        else:
            object_type, object_id, label = "cases.case", str(plan.id), f"{plan.reference} {plan.title}"
            if action == "case.chronology_viewed":
                details = {"shown": 50}
            elif action == "entry.recorded":
                details = {"entry": rng.randint(1, 10**6), "kind": "note", "restricted": False}
        last_id += 1
        event = SimpleNamespace(
            id=last_id,
            occurred_at=occurred,
            actor_id=actor,
            actor_label=world.user_email[actor][:254],
            organisation_id=org,
            organisation_label=world.org_name[org][:200],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_label=label[:255],
            person_id=plan.person,
            case_id=plan.id,
            ip_address=f"10.{org % 250}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            user_agent=rng.choice(vocab.USER_AGENTS),
            request_id=f"{rng.getrandbits(128):032x}",
            details=details,
            reason="",
            previous_hash=previous,
            HASHED_FIELDS=AuditEvent.HASHED_FIELDS,
        )
        event.hash = AuditEvent.compute_hash(event)
        previous = event.hash
        writer.add(stream, tuple(getattr(event, name) for name in columns))
    return last_id, previous
