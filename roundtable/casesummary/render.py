"""Lay a CaseSummary out as a PDF (roundtable/core/pdf.py does the drawing).

The order follows how a court or a serious case review reads a case: who the person is,
what the case is and who was on it, the decisions (the Channel workflow), then everything
in the order it happened, then each kind of record in full. Anything the producer may not
read appears as a notice that it exists, when, and whom to ask — never its text.
"""

from datetime import date, datetime

from django.utils import dateformat, timezone

from roundtable.casesummary.queries import Bounded, CaseSummary
from roundtable.core.pdf import OFFICIAL_SENSITIVE, PdfDocument, Rendered


def long_date(day: date | None) -> str:
    """3 March 2026."""
    return dateformat.format(day, "j F Y") if day else ""


def when(moment: datetime | None) -> str:
    """3 March 2026 at 14:05 (Europe/London)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'j F Y')} at {local:%H:%M}"


def who(user) -> str:
    if user is None:
        return "someone without an account"
    organisation = getattr(user, "organisation", None)
    return f"{user.full_name}, {organisation.name}" if organisation else user.full_name


def _author(entry) -> str:
    """Who wrote an entry, with the organisation they wrote it for (kept on the entry)."""
    return f"{entry.author.full_name}, {entry.organisation.name}"


def _entries(count: int) -> str:
    return f"{count:,} {'entry' if count == 1 else 'entries'}"


def coverage(chronology) -> list[str]:
    """Which chronology entries the summary holds and which it leaves out, in words: said on
    the first page and at the head of the chronology, so nobody takes a part for the whole."""
    c, span = chronology, chronology.span
    shown = len(c.entries)
    if not span.chosen:
        if not c.before:
            if not c.total:
                return ["Chronology: nothing on this case that you may see has been recorded."]
            return [f"Chronology: all {_entries(c.total)} on this case that you may see."]
        first, last = c.entries[0].occurred_at, c.entries[-1].occurred_at
        return [
            f"Chronology: the newest {_entries(shown)} of the {_entries(c.total)} on this case that you may see, "
            f"from {when(first)} to {when(last)}.",
            f"{_entries(c.before)} older than these {'is' if c.before == 1 else 'are'} not in this summary "
            f"(one summary holds at most {c.limit:,}). To include them, choose their dates on the case "
            "summary page.",
        ]
    if span.start and span.end:
        dates = f"from {long_date(span.start)} to {long_date(span.end)}"
    elif span.start:
        dates = f"from {long_date(span.start)} onwards"
    else:
        dates = f"up to and including {long_date(span.end)}"
    lines = [
        f"Chronology: the {_entries(shown)} {dates} (the dates chosen), of the {_entries(c.total)} on this "
        "case that you may see."
    ]
    if c.omitted:
        parts = []
        if c.before:
            parts.append(f"{c.before:,} before {long_date(span.start)}")
        if c.after:
            parts.append(f"{c.after:,} after {long_date(span.end)}")
        lines.append(
            f"{_entries(c.omitted)} {'is' if c.omitted == 1 else 'are'} not in this summary: {' and '.join(parts)}."
        )
    else:
        lines.append("No entry of the case is left out.")
    return lines


# Each bounded list: (one, many, the case page that shows them all, which are kept).
LISTS = {
    "documents": ("document", "documents", "Documents", "the newest"),
    "withheld_documents": ("restricted document", "restricted documents", "Documents", "the newest"),
    "information_requests": ("information request", "information requests", "Information requests", "the newest"),
    "assessments": ("completed assessment", "completed assessments", "Assessments", "the newest"),
    "consent_decisions": ("consent decision", "consent decisions", "Consent and support", "the newest"),
    "interventions": (
        "intervention",
        "interventions",
        "Consent and support",
        "active support first, then the latest to start",
    ),
    "progress_updates": ("progress update", "progress updates", "Consent and support", "the newest"),
    "tasks": ("task", "tasks", "Tasks", "open tasks first, then the newest"),
}


def _count(count: int, name: str) -> str:
    one, many = LISTS[name][:2]
    return f"{count:,} {one if count == 1 else many}"


def left_out(bounded: Bounded, name: str) -> str:
    """What a bounded list leaves out and where to see it, in words; "" when it is whole."""
    if not bounded.omitted:
        return ""
    page, kept = LISTS[name][2:]
    verb = "is" if bounded.omitted == 1 else "are"
    return (
        f"This summary holds {len(bounded):,} of the {_count(bounded.total, name)} on this case that you may see "
        f"({kept}). {_count(bounded.omitted, name)} {verb} not included: one summary holds at most "
        f"{bounded.limit:,} of each kind of record. See them all on the case's {page} page in Roundtable."
    )


def _note_left_out(doc: PdfDocument, bounded: Bounded, name: str) -> None:
    line = left_out(bounded, name)
    if line:
        doc.paragraph(line, small=True, bold=True)


def other_lists_left_out(summary: CaseSummary) -> str:
    """One sentence for the first page naming every other list that is not whole."""
    parts = [_count(b.omitted, name) for name, b in summary.bounded().items() if b.omitted]
    if not parts:
        return ""
    return (
        f"Other sections leave records out too. Not included: {', '.join(parts)}. Each section says what "
        "it leaves out and where in Roundtable to see it."
    )


def _yes_no(value) -> str:
    return {True: "Yes", False: "No"}.get(value, "Not recorded")


HANDLING = (
    "OFFICIAL-SENSITIVE. This document holds personal data about a child or adult at risk. It shows "
    "what {name} may see in Roundtable at the time it was produced: entries and documents locked down "
    "to other people are listed without their content, with whom to ask. Keep it only as long as it is "
    "needed, share it only with people who need it, and do not copy it into other systems without a "
    "lawful basis. Producing it was recorded in Roundtable's audit log."
)


def render(summary: CaseSummary) -> Rendered:
    case = summary.case
    producer = summary.produced_by
    doc = PdfDocument(
        title=f"Case summary {case.reference}",
        reference=case.reference,
        marking=OFFICIAL_SENSITIVE,
        author=who(producer),
        subject=f"Case summary of {case.reference}",
        created_at=summary.produced_at,
    )
    _cover(doc, summary)
    doc.page_break()
    _profile(doc, summary)
    _case(doc, summary)
    if summary.channel is not None:
        _channel(doc, summary)
    _chronology(doc, summary)
    if summary.documents is not None:
        _documents(doc, summary)
    if summary.requests is not None:
        _requests(doc, summary)
    if summary.assessments is not None:
        _assessments(doc, summary)
    if summary.support is not None:
        _support(doc, summary)
    if summary.tasks is not None:
        _tasks(doc, summary)
    doc.spacer(6)
    doc.rule()
    doc.paragraph(f"End of the case summary of {case.reference}.", small=True, muted=True)
    return doc.render()


# --- Cover -------------------------------------------------------------------------------------
def _cover(doc: PdfDocument, summary: CaseSummary) -> None:
    case = summary.case
    person = summary.profile.person if summary.profile else None
    rows = [("Case reference", case.reference), ("Case", case.title)]
    if person is not None:
        rows.append(("Person", person.full_name))
        if person.date_of_birth:
            rows.append(("Date of birth", long_date(person.date_of_birth)))
        elif person.approximate_age:
            rows.append(("Date of birth", f"Not known (about {person.approximate_age} when recorded)"))
        else:
            rows.append(("Date of birth", "Not known"))
    else:
        rows.append(("Person", f"None (a {case.get_kind_display().lower()} case)"))
    rows += [
        ("Produced by", who(summary.produced_by)),
        ("Produced on", when(summary.produced_at)),
        ("Protective marking", OFFICIAL_SENSITIVE),
    ]
    doc.cover(
        "Case summary",
        rows,
        subtitle=f"{case.get_kind_display()} case, {case.get_state_display().lower()}",
        notice=HANDLING.format(name=summary.produced_by.full_name),
    )
    for number, line in enumerate(coverage(summary.chronology)):
        doc.paragraph(line, bold=number == 0)
    others = other_lists_left_out(summary)
    if others:
        doc.paragraph(others, bold=True)
    if summary.chronology and summary.chronology.restricted_count:
        count = summary.chronology.restricted_count
        doc.paragraph(
            f"{count} chronology entr{'y is' if count == 1 else 'ies are'} locked down to other people and "
            "shown without content.",
            small=True,
        )


# --- The person ----------------------------------------------------------------------------------
def _profile(doc: PdfDocument, summary: CaseSummary) -> None:
    doc.heading("The person")
    profile = summary.profile
    if profile is None:
        doc.paragraph("This case is not about one person." if summary.case.person_id is None else "Not available.")
        return
    person = profile.person
    born = long_date(person.date_of_birth) if person.date_of_birth else "Not known"
    if person.date_of_birth and person.age is not None:
        born += f" (aged {person.age})"
    elif person.approximate_age:
        born += f" (about {person.approximate_age} when recorded)"
    doc.key_values(
        [
            ("Name", person.full_name),
            ("Date of birth", born),
            ("Sex", person.get_sex_display()),
            ("Gender", person.gender),
            ("Ethnicity", person.ethnicity),
            ("Languages", person.languages),
            ("Nationality", person.nationality),
            ("Immigration status", person.immigration_status),
            ("School or employer", person.school_or_employer),
            ("Phone", person.phone),
            ("E-mail", person.email),
        ]
    )
    doc.heading("Other names", 2)
    if profile.other_names:
        doc.table(
            ["Name", "Kind"], [(str(name), name.get_kind_display()) for name in profile.other_names], widths=(3, 2)
        )
    else:
        doc.paragraph("None recorded.")
    doc.heading("Addresses", 2)
    if profile.addresses:
        doc.table(
            ["Address", "Moved in", "Moved out"],
            [(str(a), long_date(a.moved_in), long_date(a.moved_out)) for a in profile.addresses],
            widths=(4, 1.3, 1.3),
        )
    else:
        doc.paragraph("None recorded.")
    doc.heading("Family and household", 2)
    if profile.relationships:
        doc.table(
            ["Person", "Relationship", "Lives with them"],
            [(other.full_name, description, _yes_no(lives)) for other, description, lives in profile.relationships],
            widths=(2.5, 3, 1.2),
        )
    else:
        doc.paragraph("None recorded (or none you may see).")
    doc.heading("Flags", 2)
    if profile.flags:
        doc.table(
            ["Flag", "Detail", "Started", "Ended", "Recorded by"],
            [
                (f.get_kind_display(), f.detail, long_date(f.started), long_date(f.ended), who(f.recorded_by))
                for f in profile.flags
            ],
            widths=(2, 2.5, 1.3, 1.3, 2.2),
        )
    else:
        doc.paragraph("None recorded.")
    doc.heading("Agencies involved", 2)
    if profile.involvements:
        doc.table(
            ["Agency", "Service", "Status", "Stage", "Contact", "Updated"],
            [
                (
                    i.organisation.name,
                    i.service,
                    i.get_status_display(),
                    i.stage,
                    i.contact,
                    f"{long_date(timezone.localdate(i.updated_at))} by {i.updated_by.full_name}",
                )
                for i in profile.involvements
            ],
            widths=(2, 1.6, 1.6, 1.6, 1.8, 1.8),
        )
    else:
        doc.paragraph("None recorded.")


# --- The case ------------------------------------------------------------------------------------
def _case(doc: PdfDocument, summary: CaseSummary) -> None:
    case = summary.case
    doc.heading("The case")
    doc.key_values(
        [
            ("Reference", case.reference),
            ("Title", case.title),
            ("Type", case.get_kind_display()),
            ("State", case.get_state_display()),
            ("Owner", who(case.owner)),
            ("Lead organisation", case.lead_organisation.name),
            ("Area", case.area.name),
            ("Opened", when(case.created_at)),
            ("Last updated", when(case.updated_at)),
        ]
    )
    doc.heading("Members", 2)
    doc.paragraph("The people who may see this case, and their role on it.", small=True, muted=True)
    doc.table(
        ["Name", "Organisation", "Role", "Added"],
        [
            (
                m.user.full_name,
                m.user.organisation.name,
                m.get_role_display(),
                long_date(timezone.localdate(m.added_at)),
            )
            for m in summary.members
        ],
        widths=(2.5, 2.5, 1.2, 1.5),
    )


# --- Channel -------------------------------------------------------------------------------------
def _channel(doc: PdfDocument, summary: CaseSummary) -> None:
    section = summary.channel
    channel_case = section.channel_case
    doc.heading("Prevent and Channel")
    rows = [
        ("Panel", f"{channel_case.panel.name} ({channel_case.panel.area.name})"),
        ("Where the case is", channel_case.state_label),
        (
            "Age at referral",
            f"{channel_case.age_at_referral if channel_case.age_at_referral is not None else 'Not known'} "
            f"({channel_case.get_age_group_display()})",
        ),
        ("Urgency", channel_case.get_urgency_display()),
        ("Referred", when(channel_case.referred_at)),
    ]
    if channel_case.significant_harm_recorded:
        rows.append(("Risk of significant harm", f"Recorded {when(channel_case.significant_harm_recorded_at)}"))
    if channel_case.social_care_referral_recorded:
        rows.append(
            (
                "Social care referral",
                f"{long_date(channel_case.social_care_referral_date)}: {channel_case.social_care_referral_reason}",
            )
        )
    if channel_case.escalated:
        rows.append(
            ("Escalated outside Channel", f"{when(channel_case.escalated_at)}: {channel_case.escalation_reason}")
        )
    if channel_case.exit_chair_endorsed_by_id:
        rows.append(
            (
                "Exit endorsed by the chair",
                f"{who(channel_case.exit_chair_endorsed_by)}, {when(channel_case.exit_chair_endorsed_at)}",
            )  # fmt: skip
        )
    if channel_case.exit_police_endorsed_by_id:
        rows.append(
            (
                "Exit endorsed by the police",
                f"{who(channel_case.exit_police_endorsed_by)}, {when(channel_case.exit_police_endorsed_at)}",
            )  # fmt: skip
        )
    if channel_case.exited_at:
        rows.append(("Exited", when(channel_case.exited_at)))
    doc.key_values(rows)

    referral = section.referral
    if referral is not None:
        doc.heading("The referral, as given", 2)
        person = f"{referral.full_name}"
        if referral.other_names:
            person += f" (also known as {referral.other_names})"
        born = long_date(referral.date_of_birth) if referral.date_of_birth else "Not given"
        if not referral.date_of_birth and referral.approximate_age:
            born += f" (about {referral.approximate_age})"
        indicators = "; ".join(referral.indicator_labels)
        if referral.indicators_other:
            indicators = f"{indicators}; {referral.indicators_other}" if indicators else referral.indicators_other
        referrer = referral.referrer_name
        if referral.referrer_role:
            referrer += f", {referral.referrer_role}"
        contact = " · ".join(part for part in (referral.referrer_email, referral.referrer_phone) if part)
        doc.key_values(
            [
                ("Referral reference", referral.reference),
                ("Received", f"{when(referral.submitted_at)} ({referral.get_source_display()})"),
                ("Person", person),
                ("Date of birth", born),
                ("Sex", referral.get_sex_display()),
                ("Address", " ".join(part for part in (referral.address, referral.postcode) if part)),
                ("School or employer", referral.school_or_employer),
                ("Concern", referral.concern),
                ("Indicators", indicators),
                ("Urgency", referral.get_urgency_display()),
                ("Referred by", referrer),
                (
                    "Sector",
                    ", ".join(p for p in (referral.get_referrer_sector_display(), referral.referrer_organisation) if p),
                ),
                ("Referrer's contact", contact),
                ("The person knows", referral.get_person_aware_display()),
                ("The family knows", referral.get_family_aware_display()),
                ("Consent to the referral", referral.get_consent_display()),
            ]
        )

    doc.heading("Decisions and steps", 2)
    doc.paragraph(
        "Every step of the Channel workflow, oldest first: who made it, when, and what they recorded "
        "(reasons included).",
        small=True,
        muted=True,
    )
    if not section.history:
        doc.paragraph("Nothing recorded yet.")
    for row in section.history:
        event = row["event"]
        doc.heading(f"{when(event.occurred_at)} – {row['title']}", 3)
        rows = [
            ("By", ", ".join(p for p in (event.actor.full_name if event.actor else "", event.actor_organisation) if p))
        ]
        if row["moved"]:
            rows.append(("Moved", row["moved"]))
        rows += list(row["lines"])
        doc.key_values(rows)


# --- Chronology ----------------------------------------------------------------------------------
def _chronology(doc: PdfDocument, summary: CaseSummary) -> None:
    chronology = summary.chronology
    doc.heading("Chronology")
    doc.paragraph(
        "What was recorded on the case, in the order it happened. Amended entries show their earlier "
        "versions; retracted entries show who retracted them and why.",
        small=True,
        muted=True,
    )
    for line in coverage(chronology):
        doc.paragraph(line, small=True)
    for entry in chronology.entries:
        kind = entry.get_kind_display()
        if not entry.content_visible:
            doc.notice(
                f"Restricted entry, {when(entry.occurred_at)}: a {kind.lower()} recorded by {_author(entry)}. "
                f"Its content is locked down to named people. Ask {entry.author.full_name} for access."
            )
            continue
        if entry.retracted_at:
            doc.heading(f"{when(entry.occurred_at)} – Retracted {kind.lower()}", 3)
            doc.key_values(
                [
                    ("Recorded by", f"{_author(entry)}, {when(entry.recorded_at)}"),
                    ("Retracted", f"{when(entry.retracted_at)} by {who(entry.retracted_by)}"),
                    ("Reason", entry.retraction_reason),
                ]
            )
            doc.paragraph(
                "The retracted text is not reproduced here; it is kept in the entry's history in Roundtable.",
                small=True,
                muted=True,
            )
            continue
        locked = "Restricted: " if entry.is_restricted else ""
        doc.heading(f"{when(entry.occurred_at)} – {locked}{entry.summary}", 3)
        rows = [("Kind", kind), ("Recorded by", f"{_author(entry)}, {when(entry.recorded_at)}")]
        if entry.is_restricted:
            readers = [entry.author.full_name] + [person.full_name for person in entry.restricted_to.all()]
            rows.append(("Restricted", f"Only {', '.join(dict.fromkeys(readers))} can read this entry."))
        if entry.was_amended:
            rows.append(("Amended", f"Version {entry.version}; earlier versions follow the text."))
        doc.key_values(rows)
        doc.paragraph(entry.body)
        for revision in entry.earlier:
            reason = f" Reason: {revision.reason}" if revision.reason else ""
            replaced = f"replaced {when(revision.edited_at)} by {who(revision.edited_by)}"
            doc.paragraph(
                f"Version {revision.version}, {replaced}.{reason}",
                small=True,
                bold=True,
            )
            doc.paragraph(f"{when(revision.occurred_at)} – {revision.summary}", small=True)
            doc.paragraph(revision.body, small=True, muted=True)


# --- Documents -----------------------------------------------------------------------------------
def _documents(doc: PdfDocument, summary: CaseSummary) -> None:
    documents = summary.documents
    doc.heading("Documents")
    doc.paragraph(
        "Files on the case are listed, not reproduced. The SHA-256 fingerprint identifies each file exactly.",
        small=True,
        muted=True,
    )
    if not documents.open and not documents.withheld:
        doc.paragraph("None.")
    _note_left_out(doc, documents.open, "documents")
    if documents.open:
        doc.table(
            ["Title", "File", "Added", "SHA-256"],
            [
                (
                    d.title + (" (restricted)" if d.is_restricted else ""),
                    f"{d.original_name} ({d.content_type}, {d.size:,} bytes)",
                    f"{long_date(timezone.localdate(d.uploaded_at))} by {who(d.uploaded_by)}",
                    d.sha256,
                )
                for d in documents.open
            ],
            widths=(2.2, 2.4, 2.2, 2.6),
        )
    _note_left_out(doc, documents.withheld, "withheld_documents")
    for withheld in documents.withheld:
        doc.notice(
            f"Restricted document, added {when(withheld.uploaded_at)} by {who(withheld.uploaded_by)}. "
            f"Ask {withheld.uploaded_by.full_name} if you need to see it."
        )


# --- Information requests ------------------------------------------------------------------------
def _requests(doc: PdfDocument, summary: CaseSummary) -> None:
    doc.heading("Information requests")
    if not summary.requests:
        doc.paragraph("None sent.")
    _note_left_out(doc, summary.requests, "information_requests")
    for number, request in enumerate(summary.requests, start=1):
        doc.heading(f"Request {number}, sent {when(request.created_at)}", 2)
        basis = request.get_lawful_basis_display()
        if request.lawful_basis_detail:
            basis += f": {request.lawful_basis_detail}"
        consent = request.get_consent_position_display()
        if request.consent_detail:
            consent += f": {request.consent_detail}"
        doc.key_values(
            [
                ("Sent by", f"{request.requested_by.full_name}, {request.requester_organisation.name}"),
                ("Answer by", f"{long_date(request.due_date)} ({request.response_days} working days)"),
                ("Lawful basis", basis),
                ("Consent", consent),
            ]
        )
        doc.paragraph("Questions", bold=True)
        doc.bullets(request.questions)
        for recipient in request.recipients.all():
            doc.heading(f"Asked: {recipient.label}", 3)
            if recipient.status == "withdrawn":
                withdrawn_by = recipient.withdrawn_by.full_name if recipient.withdrawn_by_id else "the sender"
                doc.paragraph(f"Withdrawn {when(recipient.withdrawn_at)} by {withdrawn_by}.")
                continue
            if recipient.status != "answered":
                late = " It is overdue." if recipient.is_overdue else ""
                doc.paragraph(f"Waiting for an answer.{late}")
                continue
            if not recipient.answer_visible:
                doc.notice(
                    f"Answered. The answer is for {request.requested_by.full_name}, the panel chairs on this case "
                    f"and {recipient.organisation.name} until it is shared with the case. "
                    f"Ask {request.requested_by.full_name}."
                )
                continue
            rows = [
                ("Answer", recipient.get_outcome_display()),
                ("Answered by", f"{who(recipient.answered_by)}, {when(recipient.answered_at)}"),
            ]
            if recipient.shared_at:
                shared_by = recipient.shared_by.full_name if recipient.shared_by_id else "the sender"
                rows.append(("Shared with the case", f"{when(recipient.shared_at)} by {shared_by}"))
            files = summary.attachments.get(recipient.pk, [])
            if files:
                rows.append(("Files", "; ".join(f"{f.original_name} ({f.size:,} bytes)" for f in files)))
            doc.key_values(rows)
            doc.paragraph(recipient.answer)


# --- Assessments ---------------------------------------------------------------------------------
def _assessments(doc: PdfDocument, summary: CaseSummary) -> None:
    from roundtable.assessments.models import DIMENSION_QUESTIONS, Dimension

    section = summary.assessments
    doc.heading("Vulnerability assessments")
    if not section.completed:
        doc.paragraph("No assessment has been completed.")
    _note_left_out(doc, section.completed, "assessments")
    if section.completed:
        doc.heading("Scores over time", 2)
        doc.paragraph("Each dimension scored 0 to 100 (higher: more concern).", small=True, muted=True)
        doc.table(
            ["Assessed", *[label for _, label in Dimension.choices], "Note"],
            [
                (
                    long_date(a.assessed_on),
                    *[_score(a.score(d)) for d in Dimension.values],
                    "Corrected later" if a.superseded_by_id else ("Correction" if a.corrects_id else ""),
                )
                for a in section.completed
            ],
        )
    for assessment in section.completed:
        doc.heading(f"Assessment of {long_date(assessment.assessed_on)}", 2)
        rows = [
            ("Assessed by", who(assessment.assessed_by)),
            ("Completed", f"{when(assessment.completed_at)} by {who(assessment.completed_by)}"),
        ]
        if assessment.corrects_id:
            rows.append(("Corrects", f"the assessment of {long_date(assessment.corrects.assessed_on)}"))
        if assessment.superseded_by_id:
            rows.append(
                (
                    "Corrected by",
                    f"the assessment of {long_date(assessment.superseded_by.assessed_on)}, which replaces it",
                )
            )
        rows += [(label, _score(assessment.score(d))) for d, label in Dimension.choices]
        doc.key_values(rows)
        ratings = getattr(assessment, "factor_ratings", [])
        for dimension, label in Dimension.choices:
            doc.heading(f"{label}: {DIMENSION_QUESTIONS[dimension]}", 3)
            summary_text = getattr(assessment, f"{dimension}_summary")
            if summary_text:
                doc.paragraph(summary_text)
            present = [r for r in ratings if r.dimension == dimension and r.present]
            absent = [r.label for r in ratings if r.dimension == dimension and r.present is False]
            unanswered = [r.label for r in ratings if r.dimension == dimension and r.present is None]
            if present:
                doc.key_values([(r.label, f"{r.answer}. {r.evidence}".strip()) for r in present], key_width=70)
            if absent:
                doc.paragraph(f"Not present: {'; '.join(absent)}.", small=True)
            if unanswered:
                doc.paragraph(f"Not answered: {'; '.join(unanswered)}.", small=True)
        doc.heading("Conclusion", 3)
        doc.paragraph(assessment.conclusion or "None recorded.")
        if assessment.management_plan:
            doc.heading("Management plan", 3)
            doc.paragraph(assessment.management_plan)
        doc.heading("What changed since the last assessment", 3)
        doc.paragraph(assessment.changes_since_last or "Nothing written.")
        changes = _factor_changes(assessment)
        if changes:
            doc.bullets(changes)
    if section.draft is not None:
        doc.paragraph(
            f"A draft assessment dated {long_date(section.draft.assessed_on)} is in progress and is not included.",
            small=True,
            muted=True,
        )


def _score(value) -> str:
    return "–" if value is None else f"{value}/100"


def _factor_changes(assessment) -> list[str]:
    from roundtable.assessments.scoring import FactorChange

    sentences = []
    for change in assessment.factor_changes or []:
        try:
            sentences.append(FactorChange(**change).sentence)
        except TypeError:
            continue  # a stored change in a shape this version does not know
    return sentences


# --- Consent and support -------------------------------------------------------------------------
def _support(doc: PdfDocument, summary: CaseSummary) -> None:
    support = summary.support
    doc.heading("Consent")
    if support.consent_problem:
        doc.paragraph(support.consent_problem, bold=True)
    else:
        doc.paragraph("Consent to support is in force.", bold=True)
    if not support.consent:
        doc.paragraph("No decision about consent has been recorded.")
    _note_left_out(doc, support.consent, "consent_decisions")
    for record in support.consent:
        doc.heading(f"{long_date(record.occurred_on)} – {record.get_decision_display()}", 3)
        doc.key_values(
            [
                ("Decided by", record.decided_by_label),
                ("How", record.how_label),
                ("Capacity", record.capacity_note),
                ("Notes", record.notes),
                ("Recorded by", f"{who(record.recorded_by)}, {when(record.recorded_at)}"),
            ]
        )

    doc.heading("Support plan")
    if not support.interventions:
        doc.paragraph("No support has been planned.")
    _note_left_out(doc, support.interventions, "interventions")
    for item in support.interventions:
        doc.heading(f"{item.type_label} – {item.get_status_display()}", 2)
        provider = item.provider_label
        if item.provider_id:
            from roundtable.support.services import dbs_status

            provider += f" ({dbs_status(item.provider)})"
        rows = [
            ("Provider", provider),
            ("Runs", f"{long_date(item.starts_on)} to {long_date(item.ends_on) if item.ends_on else 'no end date'}"),
            ("Status", item.get_status_display() + (f": {item.status_reason}" if item.status_reason else "")),
            ("Behaviours addressed", item.behaviours),
            ("Risks addressed", item.risks),
            ("Risks to the provider", item.provider_risks),
        ]
        if getattr(item, "dbs_warning", None):
            rows.append(("DBS warning", item.dbs_warning))
        if getattr(item, "consent_flag", None):
            rows.append(("Consent warning", item.consent_flag))
        doc.key_values(rows)
        if item.progress:
            doc.paragraph("Progress", bold=True)
            _note_left_out(doc, item.progress, "progress_updates")
            doc.key_values(
                [
                    (
                        long_date(update.occurred_on),
                        update.text
                        + (f" (status: {update.get_status_display().lower()})" if update.status else "")
                        + f" — {who(update.author)}",
                    )
                    for update in item.progress
                ],
                key_width=35,
            )


# --- Tasks ---------------------------------------------------------------------------------------
def _tasks(doc: PdfDocument, summary: CaseSummary) -> None:
    doc.heading("Tasks")
    if not summary.tasks:
        doc.paragraph("None.")
    _note_left_out(doc, summary.tasks, "tasks")
    for task in summary.tasks:
        status = task.get_status_display()
        if getattr(task, "is_overdue", False):
            status += " – overdue"
        doc.heading(task.title, 3)
        rows = [
            ("Assigned to", who(task.assignee)),
            ("Set by", f"{who(task.created_by)}, {when(task.created_at)}"),
            ("Due", long_date(task.due_date)),
            ("Status", status),
            ("Description", task.description),
        ]
        if task.completed_at:
            rows.append(("Finished", when(task.completed_at)))
        if task.completion_note:
            rows.append(("Note", task.completion_note))
        doc.key_values(rows)
