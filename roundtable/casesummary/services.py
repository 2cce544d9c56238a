"""Producing a case summary PDF: check, read, render, audit.

The chronology holds at most ``CASE_SUMMARY_MAX_ENTRIES`` entries, so one export's time and
size are bounded whatever the size of the case: the newest entries unless the user chooses
dates, and a chosen range holding more is refused with how many it holds (``RangeTooLarge``)
before anything is read. The PDF's first page says which entries it covers and how many it
leaves out.

The audit event records who produced which case's summary, when, how (page or API), how
many pages, which sections, the date range and how many entries were in it, left out of
it and withheld for lock-down, and the SHA-256 of the file produced — so a printed copy can
later be matched to the export that made it. It records nothing of what the summary says
(auditors do not read case content).
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.casesummary.queries import EntryRange, case_summary, count_entries
from roundtable.casesummary.render import render

EXPORTED = "case.summary_exported"


@dataclass(frozen=True)
class Export:
    content: bytes
    pages: int
    filename: str
    sha256: str


def filename_for(case: Case, produced_at) -> str:
    """ "case-summary-RT-2026-000123-2026-03-03.pdf": the reference, never the person's name
    (file names end up in download folders, e-mail subjects and logs)."""
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", case.reference).strip("-") or str(case.pk)
    return f"case-summary-{reference}-{timezone.localdate(produced_at):%Y-%m-%d}.pdf"


class RangeTooLarge(Exception):
    """A chosen date range holds more entries than one summary may."""

    def __init__(self, held: int, limit: int):
        self.held, self.limit = held, limit
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return (
            f"The dates you chose hold {self.held:,} chronology entries, and a case summary can hold at most "
            f"{self.limit:,}. Choose a shorter range."
        )


def entry_limit() -> int:
    return settings.CASE_SUMMARY_MAX_ENTRIES


def do_export_case_summary(actor, case: Case, *, span: EntryRange | None = None, via: str = "page") -> Export:
    """The case summary as ``actor`` may see it, its chronology the entries in ``span`` (by
    default the newest, up to the limit). ``case`` was fetched through the policy; refusal is
    a 404, like any other read the user may not make. Raises ``RangeTooLarge``."""
    policy.require(actor, "case.export_summary", case)
    span = span or EntryRange()
    limit = entry_limit()
    counts = count_entries(actor, case, span)
    if span.chosen and counts.in_range > limit:
        raise RangeTooLarge(counts.in_range, limit)
    summary = case_summary(actor, case, span=span, limit=limit, counts=counts)
    rendered = render(summary)
    digest = hashlib.sha256(rendered.content).hexdigest()
    with transaction.atomic():
        record(
            actor,
            EXPORTED,
            case,
            case_id=case.pk,
            person_id=case.person_id,
            via=via,
            pages=rendered.pages,
            sections=summary.sections,
            **span.audit(),
            entries=len(summary.chronology.entries),
            entries_total=counts.total,
            entries_not_included=summary.chronology.omitted,
            entry_limit=limit,
            entries_withheld=summary.chronology.restricted_count,
            **records_audit(summary),
            sha256=digest,
        )
    return Export(
        content=rendered.content,
        pages=rendered.pages,
        filename=filename_for(case, summary.produced_at),
        sha256=digest,
    )


def records_audit(summary) -> dict:
    """Each bounded list as the chronology is recorded: how many are in the summary, on the
    case as the producer may see it, and left out (``tasks``, ``tasks_total``,
    ``tasks_not_included`` …), and the limit at the time."""
    details = {"record_limit": settings.CASE_SUMMARY_MAX_RECORDS}
    for name, bounded in summary.bounded().items():
        details.update({name: len(bounded), f"{name}_total": bounded.total, f"{name}_not_included": bounded.omitted})
    return details


def case_for_summary(user, pk) -> Case:
    """The case, with what the summary reads of it, or 404."""
    related = ("person", "owner__organisation", "lead_organisation", "area")
    return policy.get_visible_or_404(user, Case.objects.select_related(*related), pk=pk)
