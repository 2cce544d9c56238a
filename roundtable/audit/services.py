"""Writing and verifying the hash-chained audit log.

``record`` is called inside the same transaction as the change it describes, so an
event exists exactly when the change does. Reads of personal data are recorded too.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.core.request_context import RequestInfo, current_request_info

GENESIS_HASH = "0" * 64
# Any fixed number: the advisory lock that serialises writers of the chain head on PostgreSQL.
_CHAIN_LOCK_KEY = 7_406_117_321


def _lock_chain_head() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: settings open every transaction IMMEDIATE, so writers are already serialised.


def _label(obj) -> str:
    return str(obj)[:255] if obj is not None else ""


def _event(actor, action: str, obj, info, *, person_id, case_id, reason, actor_label, details) -> AuditEvent:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    organisation = getattr(actor, "organisation", None) if is_user else None
    return AuditEvent(
        actor_id=actor.pk if is_user else None,
        actor_label=(actor.email if is_user else actor_label)[:254],
        organisation_id=organisation.pk if organisation else None,
        organisation_label=_label(organisation)[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=_label(obj),
        person_id=person_id,
        case_id=case_id,
        ip_address=info.ip_address,
        user_agent=info.user_agent[:400],
        request_id=info.request_id,
        details=details,
        reason=reason,
    )


def _append(events: list[AuditEvent]) -> None:
    """Chain ``events`` onto the head, in order, under the chain lock."""
    with transaction.atomic():
        _lock_chain_head()
        head = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
        for event in events:
            event.previous_hash = head
            event.occurred_at = timezone.now()
            event.hash = head = event.compute_hash()
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)


def record(
    actor,
    action: str,
    obj=None,
    *,
    person_id: int | None = None,
    case_id: int | None = None,
    reason: str = "",
    actor_label: str = "",
    **details,
) -> AuditEvent:
    """Append one event. ``actor`` may be None (anonymous: a failed sign-in, a public referral)."""
    event = _event(actor, action, obj, current_request_info(), person_id=person_id, case_id=case_id,
                   reason=reason, actor_label=actor_label, details=details)  # fmt: skip
    _append([event])
    return event


@dataclass(frozen=True)
class Pending:
    """One event for ``record_many``: what ``record`` takes, with who asked from where."""

    actor: object
    action: str
    obj: object = None
    request_info: RequestInfo | None = None  # None: the current request's
    person_id: int | None = None
    case_id: int | None = None
    details: dict = field(default_factory=dict)


def record_many(pending: list[Pending]) -> list[AuditEvent]:
    """Append several events at once — one transaction, one wait for the chain head — in
    order (the same content ``record`` would write for each). For one read shown to many
    people together: a live meeting's item sent to every follower of an app process."""
    events = [
        _event(p.actor, p.action, p.obj, p.request_info or current_request_info(), person_id=p.person_id,
               case_id=p.case_id, reason="", actor_label="", details=dict(p.details))
        for p in pending
    ]  # fmt: skip
    if events:
        _append(events)
    return events


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the chain oldest first and report the first event whose link or content is wrong."""
    expected_previous = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.previous_hash != expected_previous:
            return ChainReport(checked, event.pk, "its link to the previous event does not match")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.pk, "its content no longer matches its hash")
        expected_previous = event.hash
        checked += 1
    return ChainReport(checked)


SIGN_IN_ACTIONS = ("sign_in.succeeded", "sign_in.failed", "sign_in.locked_out")


def recent_sign_ins(user, limit: int = 10):
    """A user's own sign-in history, including failed attempts on their e-mail address."""
    from django.db.models import Q

    return (
        AuditEvent.objects.filter(action__in=SIGN_IN_ACTIONS)
        .filter(Q(actor_id=user.pk) | Q(actor_id__isnull=True, actor_label__iexact=user.email))
        .only("occurred_at", "action", "ip_address")[:limit]
    )


def history_of(*, person_id: int | None = None, case_id: int | None = None, limit: int = 100):
    """Who has viewed or changed a person's profile or a case, newest first ("who has seen this").

    Callers must already have checked the user may see that profile or case."""
    events = AuditEvent.objects.all()
    if person_id is not None:
        events = events.filter(person_id=person_id)
    if case_id is not None:
        events = events.filter(case_id=case_id)
    return events.only("occurred_at", "actor_label", "organisation_label", "action", "object_type", "object_label")[
        :limit
    ]
