"""Everything that goes into a case summary, read through the access policy for the person
producing it — never more than they could open page by page.

Each section is read by the owning app's own read functions where it has them
(``case_entries``, ``case_requests``, ``case_assessments``, ``consent_history``,
``case_interventions``, ``case_tasks``, the workflow ``history``), so lock-down and every
later change to an app's rules apply to the PDF too. A fixed number of queries per
section, whatever the size of the case (tests/casesummary/test_query_counts.py).

Every list is bounded, so one export's time and size are too: the chronology by
``CASE_SUMMARY_MAX_ENTRIES`` and a date range (``EntryRange``), every other list by
``CASE_SUMMARY_MAX_RECORDS`` through one mechanism, ``newest`` (a ``Bounded`` knows how
many records there are in all, so the PDF says what it leaves out).

An app that is not installed (``importlib.util.find_spec``) leaves its section out.
"""

import importlib.util
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
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
class Bounded:
    """One list of a summary: at most ``limit`` of its records, and how many the user may
    see in all. Iterates, counts and tests true like the list it holds, so the renderer
    reads it as one; ``omitted`` is what the PDF must say it leaves out."""

    items: list
    total: int
    limit: int

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]

    @property
    def omitted(self) -> int:
        return self.total - len(self.items)


def record_limit() -> int:
    return settings.CASE_SUMMARY_MAX_RECORDS


def newest(qs, order: tuple[str, ...], *, limit: int, oldest_first: bool = True, prepare=None) -> Bounded:
    """The first ``limit`` records of ``qs`` in ``order`` (newest first), in at most two
    queries whatever the size of the case: one reads ``limit + 1`` rows, and only when there
    are more than ``limit`` does a second count them all. ``prepare`` is called with the
    records kept (an app's own annotation, such as information requests' ``annotate_for``)."""
    found = list(qs.order_by(*order)[: limit + 1])
    total = len(found)
    if total > limit:
        found = found[:limit]
        total = qs.order_by().count()
    if prepare is not None:
        prepare(found)
    return Bounded(items=list(reversed(found)) if oldest_first else found, total=total, limit=limit)


def newest_per(qs, parent: str, order: tuple[str, ...], *, limit: int) -> dict[int, Bounded]:
    """``newest`` for the children of many parents in one query (progress updates of each
    intervention): a window numbers each parent's children and counts them, and the
    database returns only the first ``limit`` of each."""
    descending = [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in order]
    ranked = qs.annotate(
        rank=Window(RowNumber(), partition_by=[F(parent)], order_by=descending),
        of=Window(Count("pk"), partition_by=[F(parent)]),
    ).filter(rank__lte=limit)
    grouped: dict[int, Bounded] = {}
    for child in ranked.order_by(parent, *order):
        bounded = grouped.setdefault(getattr(child, parent), Bounded(items=[], total=child.of, limit=limit))
        bounded.items.insert(0, child)  # read newest first, kept oldest first
    return grouped


@dataclass
class Documents:
    open: Bounded
    withheld: Bounded


@dataclass
class Assessments:
    completed: Bounded  # current and corrected, oldest first; each with .factor_ratings
    draft: object | None


@dataclass
class Support:
    consent: Bounded  # oldest first
    consent_problem: str | None
    interventions: Bounded  # each with .progress (a Bounded, oldest first), .dbs_warning, .consent_flag


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
    tasks: Bounded | None = None

    def bounded(self) -> dict[str, Bounded]:
        """Every bounded list this summary holds besides the chronology, by the name the
        audit record gives it; progress updates summed over the interventions."""
        lists = {}
        if self.documents is not None:
            lists["documents"] = self.documents.open
            lists["withheld_documents"] = self.documents.withheld
        if self.requests is not None:
            lists["information_requests"] = self.requests
        if self.assessments is not None:
            lists["assessments"] = self.assessments.completed
        if self.support is not None:
            lists["consent_decisions"] = self.support.consent
            lists["interventions"] = self.support.interventions
            progress = [item.progress for item in self.support.interventions]
            lists["progress_updates"] = Bounded(
                items=[update for bounded in progress for update in bounded],
                total=sum(bounded.total for bounded in progress),
                limit=record_limit(),
            )
        if self.tasks is not None:
            lists["tasks"] = self.tasks
        return lists

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


def documents_of(user, case: Case, limit: int) -> Documents | None:
    if not installed("documents"):
        return None
    from roundtable.documents.models import Document, WithheldDocument

    open_ = policy.visible(user, Document.objects.filter(case=case).select_related("uploaded_by__organisation"))
    withheld = policy.visible(
        user, WithheldDocument.objects.filter(case=case).select_related("uploaded_by__organisation")
    ).only("pk", "uploaded_at", "uploaded_by__full_name", "uploaded_by__organisation__name")
    order = ("-uploaded_at", "-id")
    return Documents(open=newest(open_, order, limit=limit), withheld=newest(withheld, order, limit=limit))


def requests_of(user, case: Case, limit: int) -> tuple[Bounded | None, dict]:
    if not installed("inforequests"):
        return None, {}
    from roundtable.inforequests.models import AnswerAttachment
    from roundtable.inforequests.services import annotate_for, case_requests_queryset

    found = newest(
        case_requests_queryset(user, case),
        ("-created_at", "-id"),
        limit=limit,
        prepare=lambda kept: annotate_for(user, kept),
    )  # oldest first
    attachments = defaultdict(list)
    if found.items:
        # The attachments of the requests kept: read from the oldest kept one on (not a list
        # of ids, which could pass a database's parameter limit), the rest skipped here.
        kept = {request.pk for request in found}
        readable = policy.visible(
            user,
            AnswerAttachment.objects.filter(
                recipient__request__case_id=case.pk, recipient__request__created_at__gte=found[0].created_at
            ),
        ).select_related("recipient")
        for attachment in readable.order_by("recipient_id", "id"):
            if attachment.recipient.request_id in kept:
                attachments[attachment.recipient_id].append(attachment)
    return found, dict(attachments)


def assessments_of(user, case: Case, limit: int) -> Assessments | None:
    if not installed("assessments"):
        return None
    from roundtable.assessments.models import Assessment, FactorRating
    from roundtable.assessments.services import case_assessments

    ratings = policy.visible(user, FactorRating.objects.all()).order_by("dimension", "order", "factor_id")
    found = case_assessments(user, case).select_related(
        "corrects", "superseded_by", "assessed_by__organisation", "completed_by__organisation"
    )
    completed = newest(
        found.filter(status=Assessment.Status.COMPLETED).prefetch_related(
            Prefetch("ratings", queryset=ratings, to_attr="factor_ratings")
        ),
        ("-assessed_on", "-completed_at", "-id"),
        limit=limit,
    )
    draft = found.filter(status=Assessment.Status.DRAFT).order_by("assessed_on", "id").first()
    return Assessments(completed=completed, draft=draft)


def support_of(user, case: Case, limit: int) -> Support | None:
    if not installed("support"):
        return None
    from roundtable.support.models import ProgressUpdate
    from roundtable.support.services import case_interventions, consent_history, consent_state, with_warnings

    # Latest first, as consent_state wants it: the latest decision is always among those kept.
    history = newest(consent_history(user, case), ("-occurred_on", "-id"), limit=limit, oldest_first=False)
    state = consent_state(case, history.items)
    # Active support first, as the support plan page lists it, then the latest to start.
    interventions = newest(
        case_interventions(user, case), ("open_first", "-starts_on", "-id"), limit=limit, oldest_first=False
    )
    interventions.items = with_warnings(interventions.items, state)
    progress = {}
    if interventions.items:
        # The progress of the interventions kept (read from the earliest start kept on, the
        # rest skipped here), the newest ``limit`` of each.
        kept = {item.pk for item in interventions}
        updates = policy.visible(
            user,
            ProgressUpdate.objects.filter(
                intervention__case_id=case.pk,
                intervention__starts_on__gte=min(item.starts_on for item in interventions),
            ),
        ).select_related("author__organisation")
        progress = newest_per(updates, "intervention_id", ("-occurred_on", "-id"), limit=limit)
        progress = {pk: bounded for pk, bounded in progress.items() if pk in kept}
    for intervention in interventions:
        intervention.progress = progress.get(intervention.pk) or Bounded(items=[], total=0, limit=limit)
    history.items.reverse()  # oldest first, as the PDF reads
    return Support(consent=history, consent_problem=state.problem, interventions=interventions)


def tasks_of(user, case: Case, limit: int) -> Bounded | None:
    if not installed("tasks"):
        return None
    from roundtable.tasks.services import case_tasks

    # Open tasks first (what is still owed), then the newest; listed in that order.
    found = case_tasks(user, case).select_related("created_by__organisation")
    return newest(found, ("open_first", "-created_at", "-id"), limit=limit, oldest_first=False)


def case_summary(
    user, case: Case, *, span: EntryRange, limit: int, counts: EntryCounts, now: datetime | None = None
) -> CaseSummary:
    """The whole case as ``user`` may see it, its chronology bounded by ``span`` and ``limit``
    (``counts``: from ``count_entries``). The caller has
    fetched ``case`` through the policy and checked ``case.export_summary``."""
    records = record_limit()
    requests, attachments = requests_of(user, case, records)
    return CaseSummary(
        case=case,
        produced_by=user,
        produced_at=now or timezone.now(),
        profile=profile_of(user, case),
        members=members_of(user, case),
        channel=channel_of(user, case),
        chronology=chronology_of(user, case, span, limit, counts),
        documents=documents_of(user, case, records),
        requests=requests,
        attachments=attachments,
        assessments=assessments_of(user, case, records),
        support=support_of(user, case, records),
        tasks=tasks_of(user, case, records),
    )
