"""Writing and verifying the hash-chained audit log.

``record`` is called inside the same transaction as the change it describes, so an
event exists exactly when the change does. Reads of personal data are recorded too.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.core.request_context import current_request_info

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
    info = current_request_info()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    organisation = getattr(actor, "organisation", None) if is_user else None
    event = AuditEvent(
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
    with transaction.atomic():
        _lock_chain_head()
        head = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.previous_hash = head or GENESIS_HASH
        event.occurred_at = timezone.now()
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


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
