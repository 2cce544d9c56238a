"""The live meeting: the chair's screen, "follow the chair" on members' own devices, and
what the administrator records in the room (minutes, decisions, actions).

Real time (docs: DESIGN.md "Real time"): every change publishes, after its transaction
commits, a message on the meeting's channel group carrying IDs only —
``{"type": "meeting.moved", "meeting": M, "item": I}`` when the chair moves (I is None
before the first item and after closing) and ``{"type": "item.changed", "meeting": M,
"item": I}`` when something is recorded on an item (and an opaque token naming the
message). The channel layer never carries content. Each app process's socket consumer
(consumers.py, follow.py) then renders the item once as every agenda reader may see it
and, follower by follower, asks the access policy which view that follower may have:
"Item 3 – restricted to members of the case" for someone who may not see its case, the
shared view (audited) for a reader of it, or — for the people whose view differs (the
panel's chair and administrators, whose screens carry controls; someone who may read a
restricted entry shown) — the IDs only, and the browser fetches the item through the
ordinary permission-checked fragment view (views_live.py). Joining the group and every
message delivered are checked by the access policy.

Two people typing minutes for the same item (``do_record_minutes``): optimistic locking,
field by field. The form carries the item's version and the text it was loaded with. The
save goes through when nobody saved the item since, or when the minutes text is still what
the form loaded (someone else only recorded the decision). Otherwise nothing is
overwritten: ``EditConflict`` carries the text saved meanwhile and the page shows both
texts side by side with a merged text (``merge_texts``: the saved text, then the lines
this person added) to check and save again.
"""

import difflib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.core.conflicts import EditConflict, FieldConflict
from roundtable.meetings.models import Action, AgendaItem, Attendance, Meeting
from roundtable.tasks.models import Task

log = logging.getLogger(__name__)

Status = Meeting.Status
RECENT_ENTRIES = 5
OPEN_TASKS_SHOWN = 10
# The Channel workflow steps a panel takes in the room (a decision on a new referral, a
# review, exit, post-exit review, starting support).
MEETING_STEPS = ("panel_decision", "support", "review", "exit", "post_exit")


def _case_ids(case: Case | None) -> dict:
    return {"case_id": case.pk, "person_id": case.person_id} if case is not None else {}


# --- Publishing (IDs only, after commit) ---------------------------------------------------------
def meeting_group(meeting_id: int) -> str:
    return f"meeting-{int(meeting_id)}"


def moved_message(meeting_id: int, item_id: int | None) -> dict:
    return {"type": "meeting.moved", "meeting": int(meeting_id), "item": int(item_id) if item_id else None}


def item_changed_message(meeting_id: int, item_id: int) -> dict:
    return {"type": "item.changed", "meeting": int(meeting_id), "item": int(item_id)}


def send(meeting_id: int, message: dict) -> None:
    """Publish on the meeting's group. The token names this one message, so each app process
    renders the item's shared view once for all its followers (consumers.py)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(meeting_group(meeting_id), {**message, "token": secrets.token_hex(8)})
    except Exception:  # noqa: BLE001 - a dropped live update must never undo or fail a saved change
        log.warning("Could not publish %s for meeting %s", message.get("type"), meeting_id, exc_info=True)


def publish_moved(meeting_id: int, item_id: int | None) -> None:
    transaction.on_commit(lambda: send(meeting_id, moved_message(meeting_id, item_id)))


def publish_item_changed(meeting_id: int, item_id: int) -> None:
    transaction.on_commit(lambda: send(meeting_id, item_changed_message(meeting_id, item_id)))


# --- Items in order -------------------------------------------------------------------------------
def ordered_items(meeting: Meeting):
    return meeting.items.order_by("position", "pk")


def item_number(item: AgendaItem) -> int:
    """The item's number on the agenda (1, 2, 3…), as everyone sees it."""
    before = AgendaItem.objects.filter(meeting_id=item.meeting_id).filter(
        Q(position__lt=item.position) | Q(position=item.position, pk__lt=item.pk)
    )
    return before.count() + 1


def restricted_label(number: int) -> str:
    return f"Item {number} – restricted to members of the case"


# --- Driving the meeting --------------------------------------------------------------------------
def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)


def _move(actor, meeting: Meeting, item: AgendaItem | None, action: str) -> Meeting:
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(current_item=item, version=F("version") + 1, updated_at=now)
    if item is not None and item.discussed_at is None:
        AgendaItem.objects.filter(pk=item.pk, discussed_at__isnull=True).update(discussed_at=now)
    details = {"item": item.pk} if item is not None else {}
    record(actor, action, meeting, **details, **_case_ids(item.case if item is not None else None))
    publish_moved(meeting.pk, item.pk if item is not None else None)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def do_start_meeting(actor, meeting: Meeting) -> Meeting:
    """Planned → in session; the screen shows the first item."""
    policy.permit(actor, "meeting.drive", meeting)
    meeting = _locked(meeting)
    if meeting.status != Status.PLANNED:
        raise ValidationError(f"The meeting is already {meeting.get_status_display().lower()}")
    first = ordered_items(meeting).select_related("case").first()
    Meeting.objects.filter(pk=meeting.pk).update(status=Status.IN_SESSION, started_at=timezone.now())
    return _move(actor, meeting, first, "meeting.started")


@transaction.atomic
def do_move_to(actor, meeting: Meeting, item: AgendaItem) -> Meeting:
    policy.permit(actor, "meeting.drive", meeting)
    meeting = _locked(meeting)
    if meeting.status != Status.IN_SESSION:
        raise ValidationError("Start the meeting before moving between items")
    if item.meeting_id != meeting.pk:
        raise ValidationError("That item is not on this meeting's agenda")
    return _move(actor, meeting, item, "meeting.moved")


@transaction.atomic
def do_step(actor, meeting: Meeting, direction: str) -> Meeting:
    """Move to the next (``"next"``) or previous (``"previous"``) item from where the
    meeting is now — read under a lock, so two quick presses move twice, never skip."""
    policy.permit(actor, "meeting.drive", meeting)
    if direction not in ("next", "previous"):
        raise ValidationError("Move to the next or the previous item")
    meeting = _locked(meeting)
    if meeting.status != Status.IN_SESSION:
        raise ValidationError("Start the meeting before moving between items")
    items = list(ordered_items(meeting).select_related("case"))
    if not items:
        raise ValidationError("There is nothing on the agenda")
    ids = [item.pk for item in items]
    if meeting.current_item_id not in ids:
        target = items[0] if direction == "next" else items[-1]
    else:
        index = ids.index(meeting.current_item_id) + (1 if direction == "next" else -1)
        if not 0 <= index < len(items):
            raise ValidationError("This is the last item" if direction == "next" else "This is the first item")
        target = items[index]
    return _move(actor, meeting, target, "meeting.moved")


@transaction.atomic
def do_close_meeting(actor, meeting: Meeting) -> Meeting:
    """In session → closed. Agenda access to case papers ends here (access/rules/meetings.py);
    the draft minutes assemble themselves (minutes.py)."""
    from roundtable.access.rules.meetings import forget
    from roundtable.meetings.minutes import ensure_draft

    policy.permit(actor, "meeting.drive", meeting)
    meeting = _locked(meeting)
    if meeting.status != Status.IN_SESSION:
        raise ValidationError("Only a meeting in session can be closed")
    Meeting.objects.filter(pk=meeting.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    meeting = _move(actor, meeting, None, "meeting.closed")
    ensure_draft(meeting)
    forget(actor)
    return meeting


# --- Recording on an item ---------------------------------------------------------------------------
def merge_texts(theirs: str, yours: str, original: str = "") -> str:
    """One text keeping both people's words: what is saved now, then the lines this person
    added to the text they started from (or, without it, the lines not already saved)."""
    theirs, yours = theirs.rstrip(), yours.rstrip()
    if not theirs.strip() or theirs == original.rstrip():
        return yours
    if not yours.strip() or yours == original.rstrip() or yours in theirs:
        return theirs
    if original.strip():
        added = [line[2:] for line in difflib.ndiff(original.splitlines(), yours.splitlines()) if line[:2] == "+ "]
    else:
        saved = {line.strip() for line in theirs.splitlines()}
        added = [line for line in yours.splitlines() if line.strip() not in saved]
    added = [line for line in added if line.strip()]
    return f"{theirs}\n\n" + "\n".join(added) if added else theirs


def _fields_save(item: AgendaItem, expected_version: int, changes: dict, originals: dict | None) -> AgendaItem:
    """Save ``changes`` if nobody saved the item since ``expected_version`` — or if they did,
    but the fields being saved still hold ``originals`` (what this person's form loaded)."""
    current = AgendaItem.objects.select_for_update().get(pk=item.pk)
    untouched = originals is not None and all(getattr(current, name) == value for name, value in originals.items())
    if current.version != expected_version and not untouched:
        conflicts = []
        for name, yours in changes.items():
            theirs = getattr(current, name)
            if theirs != yours:
                label = str(AgendaItem._meta.get_field(name).verbose_name).capitalize()
                conflicts.append(FieldConflict(name, label, theirs, yours))
        raise EditConflict(current, conflicts)
    AgendaItem.objects.filter(pk=item.pk).update(**changes, version=F("version") + 1, updated_at=timezone.now())
    current.refresh_from_db()
    return current


@transaction.atomic
def do_record_minutes(
    actor, item: AgendaItem, *, expected_version: int, text: str, original: str | None = None
) -> AgendaItem:
    """The minutes of one item. Raises EditConflict (nothing saved) when someone else
    changed the minutes since this person's form was loaded."""
    policy.permit(actor, "meeting.record", item)
    text = text.strip()
    if len(text) > 20_000:
        raise ValidationError({"minutes_text": "The minutes of an item must be 20,000 characters or fewer"})
    originals = {"minutes_text": original.strip()} if original is not None else None
    updated = _fields_save(item, expected_version, {"minutes_text": text}, originals)
    record(actor, "meeting.minutes_recorded", item.meeting, item=item.pk, length=len(text), **_case_ids(item.case))
    publish_item_changed(item.meeting_id, item.pk)
    return updated


def channel_case_of(item: AgendaItem):
    """The Channel case behind a case item of a Channel panel (decided through the workflow), or None."""
    if item.case_id is None or not item.meeting.panel.is_channel:
        return None
    from roundtable.channel.models import ChannelCase

    return ChannelCase.objects.filter(case_id=item.case_id, panel_id=item.meeting.panel_id).first()


def decides_by_workflow(item: AgendaItem) -> bool:
    return channel_case_of(item) is not None


@transaction.atomic
def do_record_decision(
    actor,
    item: AgendaItem,
    *,
    expected_version: int,
    decision: str,
    reasons: str,
    original: tuple[str, str] | None = None,
) -> AgendaItem:
    """A decision in the panel's own words, with reasons (panels without a workflow, and other
    business). A Channel case's decision goes through the workflow: ``do_record_transition``."""
    policy.permit(actor, "meeting.record", item)
    if decides_by_workflow(item):
        raise ValidationError("Record this case's decision through the Channel workflow")
    decision, reasons = decision.strip(), reasons.strip()
    errors = {}
    if not decision:
        errors["decision"] = "Enter the decision"
    elif len(decision) > 200:
        errors["decision"] = "The decision must be 200 characters or fewer (put the detail in the reasons)"
    if not reasons:
        errors["decision_reasons"] = "Enter the reasons for the decision"
    if errors:
        raise ValidationError(errors)
    originals = None
    if original is not None:
        originals = {"decision": original[0].strip(), "decision_reasons": original[1].strip()}
    updated = _fields_save(
        item, expected_version, {"decision": decision, "decision_reasons": reasons, "decision_event": None}, originals
    )
    record(actor, "meeting.decision_recorded", item.meeting, item=item.pk, **_case_ids(item.case))
    publish_item_changed(item.meeting_id, item.pk)
    return updated


def meeting_transitions(user, item: AgendaItem) -> list:
    """The Channel workflow's meeting steps out of the case's state, each with what blocks it for ``user``."""
    from roundtable.core.workflow import available_transitions

    channel_case = channel_case_of(item)
    if channel_case is None:
        return []
    return [a for a in available_transitions(user, channel_case) if a.transition.step in MEETING_STEPS]


@transaction.atomic
def do_record_transition(actor, item: AgendaItem, name: str, data: dict | None = None) -> AgendaItem:
    """A Channel panel's decision (or review, exit…) on a case item, made through the
    workflow engine (its actors, guards, records, history, chronology and audit), then
    noted on the item for the minutes."""
    from roundtable.core.workflow import do_transition

    policy.permit(actor, "meeting.record", item)
    channel_case = channel_case_of(item)
    if channel_case is None:
        raise ValidationError("This item has no Channel case to decide on")
    transition = channel_case.workflow.transitions.get(name)
    if transition is None or transition.step not in MEETING_STEPS:
        raise ValidationError("Choose one of the panel's decisions")
    event = do_transition(actor, channel_case, name, data)
    reasons = event.data.get("reasons") or event.data.get("summary") or event.data.get("comment") or ""
    AgendaItem.objects.filter(pk=item.pk).update(
        decision=transition.label[:200],
        decision_reasons=str(reasons),
        decision_event=event,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    record(actor, "meeting.decision_recorded", item.meeting, item=item.pk, event=event.pk, **_case_ids(item.case))
    publish_item_changed(item.meeting_id, item.pk)
    return AgendaItem.objects.get(pk=item.pk)


@transaction.atomic
def do_record_action(actor, item: AgendaItem, *, title: str, assignee, due_date: date, description: str = ""):
    """An action agreed on the item: a task for someone on the case, due on a date, set now
    (tasks' rules decide who may set it and for whom) and shown to everyone at once."""
    from roundtable.meetings.services import do_add_action

    policy.permit(actor, "meeting.record", item)
    if item.case_id is None:
        raise ValidationError("Actions need a case: set them on a case item")
    if not policy.can(actor, "task.create", item.case):
        raise ValidationError(
            f"You are not a contributor on case {item.case.reference}, so you cannot set its actions: "
            "ask the chair or the case's owner to add you to the case, or to set this action"
        )
    if assignee is None:
        raise ValidationError({"assignee": "Choose who will do it"})
    if due_date is None:
        raise ValidationError({"due_date": "Enter the date it is due"})
    action = do_add_action(actor, item=item, title=title, assignee=assignee, due_date=due_date, description=description)
    publish_item_changed(item.meeting_id, item.pk)
    return action


def assignable(actor, item: AgendaItem):
    """Whom an action on this item may be set for: the case's members."""
    from roundtable.tasks.services import assignable_members

    if item.case_id is None:
        return []
    return assignable_members(actor, item.case).order_by("full_name")


# --- What a person sees of an item -----------------------------------------------------------------
@dataclass
class Stage:
    """One item as one person sees it on the live screen."""

    meeting: Meeting
    item: AgendaItem | None
    number: int = 0
    total: int = 0
    visible: bool = False  # the person may see the item (for a case item: its case)
    case_readable: bool = False  # … and read the case's papers
    entries: list = field(default_factory=list)
    assessment: object = None
    open_tasks: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    summary: object = None
    channel_state: str = ""

    @property
    def restricted_label(self) -> str:
        return restricted_label(self.number)

    @property
    def is_first(self) -> bool:
        return self.number <= 1

    @property
    def is_last(self) -> bool:
        return self.number >= self.total


def _latest_assessment(case):
    """The case's latest completed, uncorrected assessment — what assessments.services.
    latest_assessment gives a reader of the case (assessments are visible with their case)."""
    try:
        from roundtable.assessments.models import Assessment
    except ImportError:  # pragma: no cover - the assessments app is optional to this page
        return None
    return (
        Assessment.objects.filter(case=case, status=Assessment.Status.COMPLETED, superseded_by=None)
        .select_related("assessed_by")
        .order_by("-assessed_on", "-completed_at", "-id")
        .first()
    )


def stage_for(user, meeting: Meeting, item: AgendaItem | None) -> Stage:
    """What ``user`` may see of ``item`` on the live screen: for a case item they may read,
    the recent chronology (restricted entries as placeholders), the latest assessment, the
    case's open tasks, the pre-meeting updates and the actions set here.

    Every follower asks this on every move, so it asks the policy once for the item
    (``meeting.see_item``) and once for the case (``case.view``), then reads what the
    policy makes visible *with* them directly: actions and tasks are visible with their case
    (access/rules/tasks.py, meetings.py), as are assessments (assessments.py); pre-meeting
    updates with their item. Chronology entries go through the case's content-visibility
    rule (``content_visible_q``), entry by entry, so a restricted entry is only ever a
    placeholder. tests/meetings/test_live.py proves the
    shortcuts show exactly what the policy's querysets would."""
    from roundtable.access.rules.cases import content_visible_q

    stage = Stage(meeting=meeting, item=item, total=meeting.items.count())
    if item is None:
        return stage
    stage.number = item_number(item)
    stage.visible = policy.can(user, "meeting.see_item", item)
    if not stage.visible or item.case_id is None:
        return stage
    stage.case_readable = policy.can(user, "case.view", item.case)
    if stage.case_readable:
        _fill_papers(stage, content_visible_q(user))
    return stage


def shared_stage(meeting: Meeting, item: AgendaItem | None) -> tuple[Stage, Stage]:
    """The item as every follower who is not running the panel sees it, in its two forms:
    ``(reader, restricted)``. ``reader`` is what someone who may read the item's case sees
    when they may read none of its restricted entries (every restricted entry a
    placeholder); ``restricted`` is "Item N – restricted to members of the case". Nothing
    here is for a particular person: follow.py decides, follower by follower, through the
    policy, which of the two (if either) that follower is shown."""
    reader = Stage(meeting=meeting, item=item, total=meeting.items.count())
    if item is None:
        return reader, reader
    reader.number = item_number(item)
    restricted = Stage(meeting=meeting, item=item, total=reader.total, number=reader.number)
    reader.visible = True
    if item.case_id is not None:
        reader.case_readable = True
        _fill_papers(reader, Q(is_restricted=False))
    return reader, restricted


def _fill_papers(stage: Stage, content_visible: Q) -> None:
    """The case papers on the stage, for a reader of the case; ``content_visible`` decides,
    entry by entry, whether a chronology entry's text is shown or only its placeholder."""
    from roundtable.cases.models import ChronologyEntry

    item = stage.item
    case = item.case
    stage.actions = list(
        Action.objects.filter(item=item).select_related("task", "task__assignee", "task__assignee__organisation")
    )
    readable = ExpressionWrapper(content_visible, output_field=BooleanField())
    stage.entries = list(
        ChronologyEntry.objects.filter(case_id=case.pk)
        .annotate(content_visible=readable)
        .select_related("author", "organisation", "retracted_by")
        .prefetch_related("restricted_to")
        .order_by("-occurred_at", "-pk")[:RECENT_ENTRIES]
    )
    stage.assessment = _latest_assessment(case)
    today = timezone.localdate()
    stage.open_tasks = list(
        Task.objects.filter(case=case, status__in=Task.OPEN_STATES)
        .select_related("assignee")
        .order_by("due_date", "pk")[:OPEN_TASKS_SHOWN]
    )
    for task in stage.open_tasks:
        task.is_overdue = task.due_date < today
    stage.summary = _update_summary(item)
    channel_case = channel_case_of(item)
    if channel_case is not None:
        stage.channel_state = channel_case.state_label


@dataclass
class UpdateSummary:
    latest: list = field(default_factory=list)  # each organisation's latest pre-meeting update

    @property
    def total(self) -> int:
        return len(self.latest)


def _update_summary(item: AgendaItem) -> UpdateSummary:
    from roundtable.meetings.models import PreMeetingUpdate

    summary, seen = UpdateSummary(), set()
    for update in (
        PreMeetingUpdate.objects.filter(item=item).select_related("organisation").order_by("-created_at", "-id")
    ):
        if update.organisation_id not in seen:
            seen.add(update.organisation_id)
            summary.latest.append(update)
    return summary


def audit_stage_view(user, stage: Stage, action: str = "meeting.live_item_viewed") -> None:
    """A read of case content is an event: one per item shown with its case's papers."""
    if stage.item is None or not stage.case_readable:
        return
    with transaction.atomic():
        record(user, action, stage.meeting, item=stage.item.pk, **_case_ids(stage.item.case))


@dataclass
class AgendaLine:
    item: AgendaItem
    number: int
    visible: bool

    @property
    def restricted_label(self) -> str:
        return restricted_label(self.number)


def agenda_lines(user, meeting: Meeting) -> list[AgendaLine]:
    """Every item of the meeting, numbered, each marked whether ``user`` may see it."""
    items = list(ordered_items(meeting).select_related("meeting__panel", "case", "case__person"))
    return [
        AgendaLine(item, number, policy.can(user, "meeting.see_item", item))
        for number, item in enumerate(items, start=1)
    ]


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    counts = dict.fromkeys(Attendance.Status.values, 0)
    for status in Attendance.objects.filter(meeting=meeting).values_list("status", flat=True):
        counts[status] += 1
    return counts
