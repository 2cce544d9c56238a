"""Minutes: drafted from the meeting's record, edited and approved by the chair, then a
page and a PDF distributed by link, with each case's part landing in its chronology.

- The draft assembles itself (``assemble``): who attended or sent apologies, every item
  in agenda order with its minutes, decision and reasons, and the actions set (each a
  task: who, by when). While the minutes are a draft the assembly is redone every time
  they are read, so what the administrator recorded in the room is always there; the
  chair's own words (an introduction, corrections, other matters) are ``Minutes.text``.
- The chair approves (``do_approve_minutes``) what they read: the approval form carries
  the minutes' version and a fingerprint of the assembly it showed, so an approval can
  never cover text the chair did not see (a late edit, a late action: EditConflict or
  "read them again"). Approval freezes the assembly into ``Minutes.structured``, moves the
  meeting to "minutes approved", records each case item's part in that case's chronology
  (kind "meeting"; a decision in the panel's own words also as a "decision" entry —
  Channel decisions already made theirs through the workflow engine) and tells the
  people of the meeting, by in-app notice and e-mail, with a link only.
- Reading (``minutes_for``) honours membership: the panel's chair and administrators (who
  recorded them) read every item; anyone else reads a case item only while they may see
  its case, and otherwise sees "Item N – restricted to members of the case". Items of
  other business are for everyone the minutes are for.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from roundtable.access import policy
from roundtable.access.rules.meetings import runs_panel
from roundtable.audit.services import record
from roundtable.cases.live import publish_entry_changed
from roundtable.cases.models import Case, ChronologyEntry
from roundtable.core.conflicts import save_if_unchanged
from roundtable.meetings.live import restricted_label
from roundtable.meetings.models import Action, AgendaItem, Attendance, Meeting, Minutes
from roundtable.notifications.services import notify

STATUS_ORDER = {Attendance.Status.PRESENT: 0, Attendance.Status.APOLOGIES: 1, Attendance.Status.ABSENT: 2}


def day(value) -> str:
    """ "3 March 2026" (Europe/London)."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


def when(meeting: Meeting) -> str:
    local = timezone.localtime(meeting.starts_at)
    return f"{day(local)} at {local:%H:%M}"


def minutes_url(meeting: Meeting) -> str:
    return reverse("meetings:minutes", args=[meeting.pk])


# --- Assembly ------------------------------------------------------------------------------------------
def assemble(meeting: Meeting) -> dict:
    """The meeting's record as minutes: a plain dict (stored as JSON on approval)."""
    panel = meeting.panel
    attendance = sorted(
        Attendance.objects.filter(meeting=meeting).select_related("user"),
        key=lambda a: (STATUS_ORDER.get(a.status, 9), a.name.lower()),
    )
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("case", "case__person", "lead", "decision_event")
        .order_by("position", "pk")
    )
    actions: dict[int, list] = {}
    for action in (
        Action.objects.filter(item__meeting=meeting)
        .select_related("task", "task__assignee", "task__assignee__organisation")
        .order_by("task__due_date", "pk")
    ):
        task = action.task
        actions.setdefault(action.item_id, []).append(
            {
                "task_id": task.pk,
                "title": task.title,
                "assignee": task.assignee.full_name,
                "organisation": task.assignee.organisation.name,
                "due_date": task.due_date.isoformat(),
                "due": day(task.due_date),
            }
        )
    return {
        "meeting": {
            "id": meeting.pk,
            "panel": panel.name,
            "panel_kind": panel.get_kind_display(),
            "when": when(meeting),
            "place": meeting.place,
            "video": bool(meeting.video_link),
            "chair": panel.chair.full_name,
            "started_at": timezone.localtime(meeting.started_at).strftime("%H:%M") if meeting.started_at else "",
            "closed_at": timezone.localtime(meeting.closed_at).strftime("%H:%M") if meeting.closed_at else "",
        },
        "attendance": [
            {
                "name": a.name,
                "organisation": a.organisation_label,
                "status": a.status,
                "status_label": a.get_status_display(),
            }
            for a in attendance
        ],
        "items": [
            {
                "id": item.pk,
                "number": number,
                "kind": item.kind,
                "kind_label": item.get_kind_display(),
                "case_id": item.case_id,
                "case_reference": item.case.reference if item.case_id else "",
                "person": str(item.case.person) if item.case_id and item.case.person_id else "",
                "title": item.title,
                "lead": item.lead.full_name if item.lead_id else "",
                "minutes": item.minutes_text,
                "decision": item.decision,
                "reasons": item.decision_reasons,
                "by_workflow": item.decision_event_id is not None,
                "actions": actions.get(item.pk, []),
            }
            for number, item in enumerate(items, start=1)
        ],
    }


def fingerprint(structured: dict, text: str) -> str:
    """What the chair read: changes whenever anything in the minutes does."""
    payload = json.dumps({"structured": structured, "text": text}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def ensure_draft(meeting: Meeting) -> Minutes:
    minutes, _ = Minutes.objects.get_or_create(meeting=meeting, defaults={"structured": assemble(meeting)})
    return minutes


def current_structured(minutes: Minutes) -> dict:
    """The approved snapshot, or (for a draft) the meeting's record as it is now. Minutes
    approved without a snapshot (imported, or the demo's) are read from the record."""
    if minutes.status == Minutes.Status.APPROVED and minutes.structured.get("items") is not None:
        return minutes.structured
    return assemble(minutes.meeting)


# --- Editing and approving ----------------------------------------------------------------------------
@transaction.atomic
def do_save_minutes_text(actor, minutes: Minutes, expected_version: int, text: str) -> Minutes:
    """The chair's (or an administrator's) words around the assembled record. Raises
    EditConflict when someone else saved the text since this person loaded it."""
    policy.permit(actor, "minutes.edit", minutes.meeting)
    text = text.strip()
    if len(text) > 50_000:
        raise ValidationError({"text": "The minutes' text must be 50,000 characters or fewer"})
    updated = save_if_unchanged(minutes, expected_version, {"text": text})
    Minutes.objects.filter(pk=minutes.pk).update(structured=assemble(minutes.meeting))
    record(actor, "meeting.minutes_edited", minutes.meeting, length=len(text))
    updated.refresh_from_db()
    return updated


class MinutesChanged(ValidationError):
    """The record changed since the chair opened the minutes: they must read them again."""


def _case_part(meeting_data: dict, item: dict) -> str:
    lines = [f"{meeting_data['panel']}, meeting on {meeting_data['when']}: item {item['number']}."]
    if item["minutes"]:
        lines += ["", item["minutes"]]
    if item["decision"]:
        lines += ["", f"Decision: {item['decision']}"]
        if item["reasons"]:
            lines.append(f"Reasons: {item['reasons']}")
    if item["actions"]:
        lines += ["", "Actions:"]
        lines += [f"- {a['title']} – {a['assignee']} ({a['organisation']}), due {a['due']}" for a in item["actions"]]
    return "\n".join(lines)


@transaction.atomic
def do_approve_minutes(actor, minutes: Minutes, *, expected_version: int, seen: str) -> Minutes:
    """The chair approves the minutes they read (``seen``: the fingerprint on their page)."""
    meeting = minutes.meeting
    policy.permit(actor, "minutes.approve", meeting)
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    structured = assemble(meeting)
    if locked.version != expected_version or fingerprint(structured, locked.text) != seen:
        raise MinutesChanged(
            "The minutes changed while you were reading them (something was recorded or edited). "
            "Read them again, then approve."
        )
    now = timezone.now()
    save_if_unchanged(
        locked,
        expected_version,
        {"status": Minutes.Status.APPROVED, "structured": structured, "approved_by": actor, "approved_at": now},
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.MINUTES_APPROVED, updated_at=now)
    entries = _record_in_chronologies(actor, meeting, structured, now)
    record(
        actor,
        "meeting.minutes_approved",
        meeting,
        items=len(structured["items"]),
        case_ids=sorted({item["case_id"] for item in structured["items"] if item["case_id"]}),
        entries=entries,
    )
    _tell_people(actor, meeting)
    minutes.refresh_from_db()
    meeting.refresh_from_db()
    return minutes


def _record_in_chronologies(actor, meeting: Meeting, structured: dict, now) -> list[int]:
    """Each case item's part of the minutes, as an entry in that case's chronology."""
    cases = {
        case.pk: case
        for case in Case.objects.filter(pk__in=[i["case_id"] for i in structured["items"] if i["case_id"]])
    }
    made = []
    for item in structured["items"]:
        case = cases.get(item["case_id"])
        if case is None:
            continue
        summary = f"{structured['meeting']['panel']} meeting: minutes"[:200]
        entry = ChronologyEntry.objects.create(
            case=case,
            kind=ChronologyEntry.Kind.MEETING,
            summary=summary,
            body=_case_part(structured["meeting"], item),
            occurred_at=meeting.starts_at,
            author=actor,
            organisation=actor.organisation,
        )
        made.append(entry.pk)
        record(actor, "entry.recorded", case, case_id=case.pk, person_id=case.person_id, entry=entry.pk, kind="meeting")
        publish_entry_changed(case.pk, entry.pk)
        if item["decision"] and not item["by_workflow"]:
            decision = ChronologyEntry.objects.create(
                case=case,
                kind=ChronologyEntry.Kind.DECISION,
                summary=f"Panel decision: {item['decision']}"[:200],
                body=f"Reasons: {item['reasons']}" if item["reasons"] else "",
                occurred_at=meeting.starts_at,
                author=actor,
                organisation=actor.organisation,
            )
            made.append(decision.pk)
            record(
                actor, "entry.recorded", case, case_id=case.pk, person_id=case.person_id, entry=decision.pk,
                kind="decision",
            )  # fmt: skip
            publish_entry_changed(case.pk, decision.pk)
        Case.objects.filter(pk=case.pk).update(updated_at=now)
    return made


def _tell_people(actor, meeting: Meeting) -> None:
    from roundtable.meetings.services import people_of

    url = minutes_url(meeting)
    for person in people_of(meeting):
        if person.pk != actor.pk:
            notify(person, "The minutes of a panel meeting you are on have been approved", url, email=True)


# --- Reading -----------------------------------------------------------------------------------------------
@dataclass
class MinutesItem:
    data: dict
    visible: bool

    @property
    def number(self) -> int:
        return self.data["number"]

    @property
    def restricted_label(self) -> str:
        return restricted_label(self.number)


@dataclass
class MinutesView:
    minutes: Minutes
    structured: dict
    items: list = field(default_factory=list)
    fingerprint: str = ""

    @property
    def meeting_data(self) -> dict:
        return self.structured["meeting"]

    @property
    def attendance(self) -> list:
        return self.structured["attendance"]

    @property
    def present(self) -> list:
        return [a for a in self.attendance if a["status"] == Attendance.Status.PRESENT]

    @property
    def apologies(self) -> list:
        return [a for a in self.attendance if a["status"] == Attendance.Status.APOLOGIES]

    @property
    def absent(self) -> list:
        return [a for a in self.attendance if a["status"] == Attendance.Status.ABSENT]

    @property
    def withheld(self) -> int:
        return sum(1 for item in self.items if not item.visible)

    @property
    def shown_case_ids(self) -> list[int]:
        return sorted({item.data["case_id"] for item in self.items if item.visible and item.data["case_id"]})


def minutes_for(user, minutes: Minutes) -> MinutesView:
    """The minutes as ``user`` may read them (the caller checked ``minutes.view``)."""
    structured = current_structured(minutes)
    meeting = minutes.meeting
    case_ids = [item["case_id"] for item in structured["items"] if item["case_id"]]
    if runs_panel(user, meeting.panel):
        readable = set(case_ids)
    else:
        readable = set(policy.visible(user, Case.objects.filter(pk__in=case_ids)).values_list("pk", flat=True))
    items = [MinutesItem(item, not item["case_id"] or item["case_id"] in readable) for item in structured["items"]]
    return MinutesView(minutes, structured, items, fingerprint(structured, minutes.text))


def audit_read(user, view: MinutesView, action: str = "meeting.minutes_viewed", **details) -> None:
    with transaction.atomic():
        record(
            user,
            action,
            view.minutes.meeting,
            case_ids=view.shown_case_ids,
            withheld=view.withheld,
            status=view.minutes.status,
            **details,
        )


# --- PDF ---------------------------------------------------------------------------------------------------------
def render_pdf(view: MinutesView):
    """The minutes as a PDF, exactly as their reader may see them (core/pdf.py)."""
    from roundtable.core.pdf import PdfDocument

    meeting = view.meeting_data
    minutes = view.minutes
    draft = minutes.status != Minutes.Status.APPROVED
    title = "Draft minutes" if draft else "Minutes"
    doc = PdfDocument(
        title=f"{title}: {meeting['panel']}, {meeting['when']}",
        reference=f"Meeting {meeting['id']}",
        author="Roundtable",
        subject="Panel meeting minutes",
    )
    rows = [("Panel", meeting["panel"]), ("Meeting", meeting["when"]), ("Place", meeting["place"] or "Online"),
            ("Chair", meeting["chair"])]  # fmt: skip
    if minutes.approved_at:
        rows.append(("Approved", f"{day(minutes.approved_at)} by {minutes.approved_by.full_name}"))
    else:
        rows.append(("Status", "Draft: not yet approved by the chair"))
    doc.heading(title, 1)
    doc.key_values(rows)
    if view.withheld:
        doc.notice(
            f"{view.withheld} item{'s' if view.withheld != 1 else ''} of these minutes "
            f"{'are' if view.withheld != 1 else 'is'} about cases you are not a member of and "
            f"{'are' if view.withheld != 1 else 'is'} not included."
        )
    doc.heading("Attendance", 2)
    for label, people in (("Present", view.present), ("Apologies", view.apologies), ("Absent", view.absent)):
        if people:
            doc.paragraph(label, bold=True)
            doc.bullets(f"{p['name']}{' (' + p['organisation'] + ')' if p['organisation'] else ''}" for p in people)
    if not view.attendance:
        doc.paragraph("No attendance was recorded.", muted=True)
    if minutes.text:
        doc.heading("Chair's notes", 2)
        doc.paragraph(minutes.text)
    doc.heading("Items", 2)
    for item in view.items:
        data = item.data
        if not item.visible:
            doc.heading(item.restricted_label, 3)
            continue
        label = f"{data['case_reference']} – {data['person']}" if data["case_id"] else data["title"]
        doc.heading(f"Item {data['number']}: {label}", 3)
        doc.paragraph(data["kind_label"], small=True, muted=True)
        doc.paragraph(data["minutes"] or "No minutes were recorded for this item.")
        if data["decision"]:
            doc.key_values([("Decision", data["decision"]), ("Reasons", data["reasons"])])
        if data["actions"]:
            doc.table(
                ["Action", "Who", "Due"],
                [[a["title"], f"{a['assignee']} ({a['organisation']})", a["due"]] for a in data["actions"]],
                widths=(90, 55, 29),
            )
    return doc.render()


@transaction.atomic
def do_export_pdf(user, minutes: Minutes):
    """The PDF for ``user`` (who may view the minutes), with an audit event naming what it held."""
    view = minutes_for(user, minutes)
    rendered = render_pdf(view)
    digest = hashlib.sha256(rendered.content).hexdigest()
    audit_read(user, view, "meeting.minutes_exported", pages=rendered.pages, sha256=digest)
    return rendered, view
