"""Everything that goes into a case summary, read through the access policy for the person
producing it — never more than they could open page by page.

Each section is read by the owning app's own read functions where it has them
(``case_entries``, ``case_requests``, ``case_assessments``, ``consent_history``,
``case_interventions``, ``case_tasks``, the workflow ``history``), so lock-down and every
later change to an app's rules apply to the PDF too. A fixed number of queries per
section, whatever the size of the case (tests/casesummary/test_query_counts.py).

An app that is not installed (``importlib.util.find_spec``) leaves its section out.
"""

import importlib.util
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from roundtable.access import policy
from roundtable.cases import queries as case_queries
from roundtable.cases.models import Case, CaseMembership, EntryRevision


def installed(app: str) -> bool:
    """True when roundtable.<app> exists in this tree and is switched on in settings."""
    return importlib.util.find_spec(f"roundtable.{app}") is not None and apps.is_installed(f"roundtable.{app}")


@dataclass
class Profile:
    person: object
    other_names: list
    addresses: list
    relationships: list  # (other person, description, lives with)
    flags: list
    involvements: list


@dataclass
class ChannelSection:
    channel_case: object
    referral: object | None
    history: list  # [{"event", "title", "moved", "lines"}], oldest first


@dataclass(frozen=True)
class EntryRange:
    """The chronology dates a summary covers, both inclusive, as days in Europe/London.
    Neither given: the newest entries, up to the limit."""

    start: date | None = None
    end: date | None = None

    @property
    def chosen(self) -> bool:
        return self.start is not None or self.end is not None

    def q(self, prefix: str = "") -> Q:
        """The entries (or, with ``entry__``, the revisions of entries) inside the range."""
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{prefix}occurred_at__gte": _day_starts(self.start)})
        if self.end is not None:
            q &= Q(**{f"{prefix}occurred_at__lt": _day_starts(self.end + timedelta(days=1))})
        return q

    def audit(self) -> dict:
        return {
            "range_from": self.start.isoformat() if self.start else None,
            "range_to": self.end.isoformat() if self.end else None,
        }


def _day_starts(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class EntryCounts:
    """How many entries of the case the user may see, and where they lie against the range."""

    total: int
    before: int  # before the range's first day
    after: int  # after its last day

    @property
    def in_range(self) -> int:
        return self.total - self.before - self.after


def count_entries(user, case: Case, span: EntryRange) -> EntryCounts:
    """One query, whatever the size of the case: counted before anything is read, so a range
    that is too large is refused without loading it."""
    counts = {"total": Count("pk")}
    if span.start is not None:
        counts["before"] = Count("pk", filter=Q(occurred_at__lt=_day_starts(span.start)))
    if span.end is not None:
        counts["after"] = Count("pk", filter=Q(occurred_at__gte=_day_starts(span.end + timedelta(days=1))))
    found = case_queries.case_entries(user, case).order_by().aggregate(**counts)
    return EntryCounts(total=found["total"], before=found.get("before", 0), after=found.get("after", 0))


@dataclass
class Chronology:
    entries: list  # oldest first; each with content_visible, was_amended, earlier (revisions)
    restricted_count: int = 0
    span: EntryRange = field(default_factory=EntryRange)
    total: int = 0  # entries of the case the user may see, in the summary or not
    before: int = 0  # of those, left out because they are older than the summary's first
    after: int = 0  # and newer than its last (only when the range ends before today)
    limit: int = 0

    @property
    def omitted(self) -> int:
        """Entries of the case (that the user may see) left out of this summary."""
        return self.total - len(self.entries)


@dataclass
class Documents:
    open: list
    withheld: list


@dataclass
class Assessments:
    completed: list  # current and corrected, oldest first; each with .factor_ratings
    draft: object | None


@dataclass
class Support:
    consent: list  # oldest first
    consent_problem: str | None
    interventions: list  # each with .progress (oldest first), .dbs_warning, .consent_flag


@dataclass
class CaseSummary:
    case: Case
    produced_by: object
    produced_at: datetime
    profile: Profile | None = None
    members: list = field(default_factory=list)
    channel: ChannelSection | None = None
    chronology: Chronology | None = None
    documents: Documents | None = None
    requests: list | None = None  # None: the app is not installed
    attachments: dict = field(default_factory=dict)  # recipient id -> [AnswerAttachment]
    assessments: Assessments | None = None
    support: Support | None = None
    tasks: list | None = None

    @property
    def sections(self) -> list[str]:
        """The sections this summary holds, for the audit record."""
        names = ["case", "chronology"]
        optional = {
            "profile": self.profile,
            "channel": self.channel,
            "documents": self.documents,
            "information_requests": self.requests,
            "assessments": self.assessments,
            "support": self.support,
            "tasks": self.tasks,
        }
        return names + [name for name, value in optional.items() if value is not None]


# --- Sections --------------------------------------------------------------------------------
def profile_of(user, case: Case) -> Profile | None:
    from roundtable.people.models import Address, AgencyInvolvement, Person, PersonName, Relationship, SafeguardingFlag

    if case.person_id is None:
        return None
    person = policy.visible(user, Person.objects.filter(pk=case.person_id)).first()
    if person is None:
        return None

    def parts(model, *related, order=()):
        qs = policy.visible(user, model.objects.filter(person_id=person.pk)).select_related(*related)
        return list(qs.order_by(*order) if order else qs)

    # Family links are stored once and read both ways, as on the profile's family page.
    links = policy.visible(
        user,
        Relationship.objects.filter(Q(person_id=person.pk) | Q(related_person_id=person.pk)).select_related(
            "person", "related_person"
        ),
    ).order_by("pk")
    relationships = []
    for link in links:
        if link.person_id == person.pk:
            relationships.append((link.related_person, link.kind.capitalize(), link.lives_with))
        else:
            relationships.append((link.person, f"{person.given_name} is their {link.kind}", link.lives_with))
    return Profile(
        person=person,
        other_names=parts(PersonName, order=("kind", "id")),
        addresses=parts(Address, order=("-moved_in", "id")),
        relationships=relationships,
        flags=parts(SafeguardingFlag, "recorded_by__organisation", order=("started", "id")),
        involvements=parts(AgencyInvolvement, "organisation", "updated_by", order=("organisation__name", "id")),
    )


def members_of(user, case: Case) -> list:
    qs = policy.visible(user, CaseMembership.objects.filter(case=case)).select_related("user__organisation")
    order = {CaseMembership.Role.OWNER: 0, CaseMembership.Role.CONTRIBUTOR: 1, CaseMembership.Role.VIEWER: 2}
    return sorted(qs.order_by("user__full_name", "id"), key=lambda m: order.get(m.role, 3))


def channel_of(user, case: Case) -> ChannelSection | None:
    if case.kind != Case.Kind.CHANNEL or not installed("channel"):
        return None
    from roundtable.channel.models import ChannelCase
    from roundtable.core import workflow as engine

    related = (
        "panel__area",
        "referral",
        "exit_chair_endorsed_by__organisation",
        "exit_police_endorsed_by__organisation",
    )
    channel_case = policy.visible(user, ChannelCase.objects.filter(case=case).select_related(*related)).first()
    if channel_case is None:
        return None
    workflow = channel_case.workflow
    history = []
    for event in reversed(engine.history(user, case)):  # the engine gives newest first
        transition = workflow.transitions.get(event.transition)
        if transition is not None:
            title = transition.label
        elif event.transition == "referral":
            title = "Referral received"
        else:
            title = event.transition
        lines = engine.event_lines(event)
        history.append({"event": event, "title": title, "moved": engine.moved(workflow, event), "lines": lines})
    referral = getattr(channel_case, "referral", None)
    return ChannelSection(channel_case=channel_case, referral=referral, history=history)


def chronology_of(user, case: Case, span: EntryRange, limit: int, counts: EntryCounts) -> Chronology:
    """The entries the user may see in ``span``, oldest first; with no range chosen, the
    newest ``limit`` of them. The caller has counted a chosen range and refused one holding
    more than ``limit``. Entries whose text they may not read keep only what the chronology
    page shows of them (kind, when, who wrote it)."""
    found = (
        case_queries.case_entries(user, case)
        .filter(span.q())
        .select_related("retracted_by__organisation")
        .prefetch_related("restricted_to")
        .order_by("-occurred_at", "-id")
    )
    entries = list(reversed(found[:limit]))
    # Earlier versions: the revision scope already leaves out entries the user may not read.
    # Read by the range (not a list of ids, which could pass a database's parameter limit).
    earlier = defaultdict(list)
    if entries:
        kept = {entry.pk for entry in entries}
        revisions = policy.visible(
            user,
            EntryRevision.objects.filter(span.q("entry__"), entry__case_id=case.pk).filter(
                entry__occurred_at__gte=entries[0].occurred_at
            ),
        ).select_related("edited_by__organisation")
        for revision in revisions.order_by("entry_id", "version"):
            if revision.entry_id in kept:
                earlier[revision.entry_id].append(revision)
    restricted = 0
    for entry in entries:
        entry.earlier = earlier.get(entry.pk, []) if entry.content_visible else []
        if not entry.content_visible:
            restricted += 1
    after = counts.after
    before = counts.total - after - len(entries)  # with no range chosen: the older ones past the limit
    return Chronology(
        entries=entries,
        restricted_count=restricted,
        span=span,
        total=counts.total,
        before=before,
        after=after,
        limit=limit,
    )


def documents_of(user, case: Case) -> Documents | None:
    if not installed("documents"):
        return None
    from roundtable.documents.models import Document, WithheldDocument

    open_ = policy.visible(user, Document.objects.filter(case=case).select_related("uploaded_by__organisation"))
    withheld = policy.visible(
        user, WithheldDocument.objects.filter(case=case).select_related("uploaded_by__organisation")
    ).only("pk", "uploaded_at", "uploaded_by__full_name", "uploaded_by__organisation__name")
    return Documents(open=list(open_.order_by("uploaded_at", "id")), withheld=list(withheld.order_by("uploaded_at")))


def requests_of(user, case: Case) -> tuple[list | None, dict]:
    if not installed("inforequests"):
        return None, {}
    from roundtable.inforequests.models import AnswerAttachment
    from roundtable.inforequests.services import case_requests

    found = list(reversed(case_requests(user, case)))  # oldest first
    attachments = defaultdict(list)
    readable = policy.visible(user, AnswerAttachment.objects.filter(recipient__request__case_id=case.pk))
    for attachment in readable.order_by("recipient_id", "id"):
        attachments[attachment.recipient_id].append(attachment)
    return found, dict(attachments)


def assessments_of(user, case: Case) -> Assessments | None:
    if not installed("assessments"):
        return None
    from roundtable.assessments.models import Assessment, FactorRating
    from roundtable.assessments.services import case_assessments

    ratings = policy.visible(user, FactorRating.objects.all()).order_by("dimension", "order", "factor_id")
    found = list(
        case_assessments(user, case)
        .select_related("corrects", "superseded_by", "assessed_by__organisation", "completed_by__organisation")
        .prefetch_related(Prefetch("ratings", queryset=ratings, to_attr="factor_ratings"))
        .order_by("assessed_on", "completed_at", "id")
    )
    completed = [a for a in found if a.status == Assessment.Status.COMPLETED]
    draft = next((a for a in found if a.status == Assessment.Status.DRAFT), None)
    return Assessments(completed=completed, draft=draft)


def support_of(user, case: Case) -> Support | None:
    if not installed("support"):
        return None
    from roundtable.support.models import ProgressUpdate
    from roundtable.support.services import case_interventions, consent_history, consent_state, with_warnings

    history = list(consent_history(user, case))  # latest first, as consent_state wants it
    state = consent_state(case, history)
    interventions = with_warnings(case_interventions(user, case).order_by("starts_on", "id"), state)
    progress = defaultdict(list)
    updates = policy.visible(user, ProgressUpdate.objects.filter(intervention__case_id=case.pk))
    for update in updates.select_related("author__organisation").order_by("occurred_on", "id"):
        progress[update.intervention_id].append(update)
    for intervention in interventions:
        intervention.progress = progress.get(intervention.pk, [])
    return Support(consent=list(reversed(history)), consent_problem=state.problem, interventions=interventions)


def tasks_of(user, case: Case) -> list | None:
    if not installed("tasks"):
        return None
    from roundtable.tasks.services import case_tasks

    return list(case_tasks(user, case).select_related("created_by__organisation"))


def case_summary(
    user, case: Case, *, span: EntryRange, limit: int, counts: EntryCounts, now: datetime | None = None
) -> CaseSummary:
    """The whole case as ``user`` may see it, its chronology bounded by ``span`` and ``limit``
    (``counts``: from ``count_entries``). The caller has
    fetched ``case`` through the policy and checked ``case.export_summary``."""
    requests, attachments = requests_of(user, case)
    return CaseSummary(
        case=case,
        produced_by=user,
        produced_at=now or timezone.now(),
        profile=profile_of(user, case),
        members=members_of(user, case),
        channel=channel_of(user, case),
        chronology=chronology_of(user, case, span, limit, counts),
        documents=documents_of(user, case),
        requests=requests,
        attachments=attachments,
        assessments=assessments_of(user, case),
        support=support_of(user, case),
        tasks=tasks_of(user, case),
    )
