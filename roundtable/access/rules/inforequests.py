"""Information requests: who may send, see, answer and share them.

- **Send** one on a case: its owners and contributors who work for a police organisation
  or hold the panel chair role.
- **See a request** (who was asked what, on what basis, by when, and who has answered):
  every member of the case; and each *addressee* — the named person, or for a request to
  an organisation anyone there in a case-work role — who sees their own part of it
  (the person's name and date of birth, the questions, the basis, the deadline) and
  nothing else of the case.
- **Read an answer** (its outcome, text and attachments): the person who sent the
  request and the panel chairs on the case, the addressee (the answering organisation
  itself), and, once it is shared with the case, every member of the case.
- **Answer**: an addressee, while it is waiting for an answer.
- **Share an answer with the case** (a chronology entry): the sender or a panel chair on
  the case, while they contribute to it.
- **Withdraw** a request from one recipient: the sender or a case owner, while it waits.

``answer_readable_q`` and ``may_read_answer`` say the same thing, for a queryset and for
one row; tests hold them to each other.
"""

from django.db.models import Exists, OuterRef, Q

from roundtable.access.policy import has_role, rule, scope
from roundtable.access.rules.cases import OWNER, contribute, membership
from roundtable.accounts.models import Role, Sector

# Roles that do case work. System administrators and auditors never answer for an agency.
ANSWER_ROLES = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)
PENDING, ANSWERED = "pending", "answered"


def _member_case_ids(user):
    from roundtable.cases.models import CaseMembership

    return CaseMembership.objects.filter(user_id=user.pk).values("case_id")


def addressed_to_q(user, prefix: str = "") -> Q:
    """Recipient rows this user may answer for: addressed to them by name, or to their
    organisation as a whole when they do case work there."""
    q = Q(**{f"{prefix}user_id": user.pk})
    if user.role in ANSWER_ROLES:
        q |= Q(**{f"{prefix}user__isnull": True, f"{prefix}organisation_id": user.organisation_id})
    return q


def is_addressee(user, recipient) -> bool:
    if recipient.user_id is not None:
        return recipient.user_id == user.pk
    return user.role in ANSWER_ROLES and recipient.organisation_id == user.organisation_id


def answer_readable_q(user) -> Q:
    """Q on RequestRecipient: the user may read this answer's outcome, text and attachments."""
    member = Q(request__case_id__in=_member_case_ids(user))
    q = addressed_to_q(user)
    q |= member & Q(request__requested_by_id=user.pk)
    q |= member & Q(shared_at__isnull=False)
    if has_role(user, Role.PANEL_CHAIR):
        q |= member
    return q


def may_read_answer(user, recipient) -> bool:
    if is_addressee(user, recipient):
        return True
    if membership(user, recipient.request.case_id) is None:
        return False
    return (
        recipient.request.requested_by_id == user.pk
        or recipient.shared_at is not None
        or has_role(user, Role.PANEL_CHAIR)
    )


def is_chair_on(user, case_id) -> bool:
    return has_role(user, Role.PANEL_CHAIR) and membership(user, case_id) is not None


# --- Scopes --------------------------------------------------------------------------------
@scope("inforequests.informationrequest")
def requests(user, qs):
    from roundtable.inforequests.models import RequestRecipient

    addressed = RequestRecipient.objects.filter(request_id=OuterRef("pk")).filter(addressed_to_q(user))
    return qs.filter(Q(case_id__in=_member_case_ids(user)) | Q(Exists(addressed)))


@scope("inforequests.requestrecipient")
def recipients(user, qs):
    return qs.filter(Q(request__case_id__in=_member_case_ids(user)) | addressed_to_q(user))


@scope("inforequests.answerattachment")
def attachments(user, qs):
    from roundtable.inforequests.models import RequestRecipient

    readable = RequestRecipient.objects.filter(answer_readable_q(user)).values("pk")
    return qs.filter(recipient_id__in=readable)


# --- Rules ---------------------------------------------------------------------------------
@rule("inforequest.inbox")
def inbox(user, obj):
    return user.role in ANSWER_ROLES


@rule("inforequest.create")
def create(user, case):
    if not contribute(user, case):
        return False
    return has_role(user, Role.PANEL_CHAIR) or user.organisation.sector == Sector.POLICE


@rule("inforequest.read_answer")
def read_answer(user, recipient):
    return may_read_answer(user, recipient)


@rule("inforequest.answer")
def answer(user, recipient):
    return recipient.status == PENDING and is_addressee(user, recipient)


@rule("inforequest.share")
def share(user, recipient):
    if recipient.status != ANSWERED or recipient.shared_at is not None:
        return False
    case_id = recipient.request.case_id
    if not contribute(user, case_id):
        return False
    return recipient.request.requested_by_id == user.pk or is_chair_on(user, case_id)


@rule("inforequest.withdraw")
def withdraw(user, recipient):
    if recipient.status != PENDING:
        return False
    case_id = recipient.request.case_id
    if not contribute(user, case_id):
        return False
    return recipient.request.requested_by_id == user.pk or membership(user, case_id) == OWNER
