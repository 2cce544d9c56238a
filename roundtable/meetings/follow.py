"""Follow the chair without thirty page requests per move.

When the chair moves (or something is recorded on the item on screen), every follower's
screen must change within a second — with 30 followers on a small machine, 30 separate
permission-checked fragment requests took nearly two seconds. So the socket consumer
(consumers.py) delivers the new item itself:

1. ``render_shared`` — once per message and app process — renders the item as any agenda
   reader may see it (``live.shared_stage``): the *reader* view, with every restricted
   chronology entry a placeholder, and the *restricted* view ("Item 3 – restricted to
   members of the case"). Nothing in either is particular to a person.
2. ``deliver`` — for each follower, on every message — re-reads that follower's session and
   user (signed out, deactivated, second factor removed, session limits passed: the socket
   closes), asks the policy whether they are still one of the people of the meeting
   (``meeting.follow``: someone removed from the meeting stops receiving and is
   disconnected), then which view they may have:

   - the panel's chair and administrators: none — their screens carry the controls and the
     recording link, so their browsers fetch their own fragment (views_live.stage_item);
   - someone who may not see the item (``meeting.see_item``): the restricted view;
   - someone who may read the item's case (``case.view``) but none of the restricted
     entries shown: the reader view, after an audit event for the read
     (``meeting.live_item_viewed``, as the fragment view writes);
   - someone who may read a restricted entry shown (its author, someone it is shared
     with): none — their browser fetches their own fragment, which shows it.

   "None" means the browser gets the IDs only and fetches the item through the ordinary
   permission-checked view, as every follower did before.

The channel layer itself still carries IDs only (DESIGN.md "Real time"): the content is
rendered inside each process, from the database, and handed to a follower only after the
policy has been asked for that follower.
"""

import time
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib import auth
from django.template.loader import render_to_string

from roundtable.access import policy
from roundtable.accounts.middleware import LAST_SEEN, LAST_SEEN_RESOLUTION_SECONDS
from roundtable.audit.services import record
from roundtable.meetings import live
from roundtable.meetings.models import AgendaItem, Meeting

STAGE_TEMPLATE = "meetings/live/_stage.html"
# The meeting's own fields the shared view shows (the header's status tag, the stage).
MEETING_RELATED = ("panel", "panel__area", "panel__chair", "current_item")


@dataclass(frozen=True)
class SharedView:
    """One message's item, rendered once for every follower of one app process."""

    meeting_id: int
    item_id: int | None
    case_id: int | None
    person_id: int | None
    reader_html: str
    restricted_html: str
    restricted_entry_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Delivery:
    allowed: bool = True  # False: close the socket (no longer signed in or of the meeting)
    html: str | None = None  # None: send the IDs only (the browser fetches its own view)


def _html(meeting: Meeting, stage: live.Stage) -> str:
    # What views_live._stage_context gives someone who does not run the panel: no
    # controls, no recording link, and the minutes link only once they are approved.
    context = {
        "meeting": meeting,
        "stage": stage,
        "item": stage.item,
        "controls": False,
        "may_record": False,
        "may_see_minutes": stage.item is None and meeting.status == Meeting.Status.MINUTES_APPROVED,
    }
    return render_to_string(STAGE_TEMPLATE, context)


def render_shared(meeting_id: int, item_id: int | None, kind: str) -> SharedView | None:
    """The item of one message as the agenda's readers may see it, or None when there is
    nothing to share (the meeting or item is gone; a change on an item that is not on
    screen, which only the pinned recording pages of the chair and administrators show)."""
    meeting = Meeting.objects.select_related(*MEETING_RELATED).filter(pk=meeting_id).first()
    if meeting is None:
        return None
    if kind == "item.changed" and item_id != meeting.current_item_id:
        return None
    item = None
    if item_id is not None:
        item = meeting.items.select_related("case", "case__person", "lead").filter(pk=item_id).first()
        if item is None:
            return None
    reader, restricted = live.shared_stage(meeting, item)
    return SharedView(
        meeting_id=meeting.pk,
        item_id=item.pk if item is not None else None,
        case_id=item.case_id if item is not None else None,
        person_id=item.case.person_id if item is not None and item.case_id else None,
        reader_html=_html(meeting, reader),
        restricted_html=_html(meeting, restricted),
        restricted_entry_ids=tuple(entry.pk for entry in reader.entries if entry.is_restricted),
    )


# --- One follower ----------------------------------------------------------------------------------
def _fresh_session(session):
    """The follower's session as stored now (signing out deletes it), not as it was at connect."""
    key = getattr(session, "session_key", None)
    if not key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    # Loads it: a session deleted (signed out) or expired loads as empty.
    return store if store.keys() else None


def signed_in_user(session):
    """The user of ``session`` if it is still signed in with its second factor and within
    the session limits (what the HTTP middleware checks on every request), else None."""
    from roundtable.cases.consumers import _session_is_live

    fresh = _fresh_session(session)
    if fresh is None:
        return None, None
    user = auth.get_user(SimpleNamespace(session=fresh))  # verifies the session's auth hash
    if not user.is_authenticated or not user.is_active or not _session_is_live(user, fresh):
        return None, None
    return user, fresh


def _touch(session) -> None:
    """Being shown the meeting counts as activity, as fetching it did: move the idle clock
    on, at most once a minute (as SessionLimitsMiddleware does)."""
    now = time.time()
    if now - session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN] = now
        session.save()


def _may_read_a_restricted_entry(user, entry_ids) -> bool:
    from roundtable.access.rules.cases import content_visible_q
    from roundtable.cases.models import ChronologyEntry

    return bool(entry_ids) and ChronologyEntry.objects.filter(pk__in=entry_ids).filter(content_visible_q(user)).exists()


def deliver(session, meeting_id: int, shared: SharedView | None) -> Delivery:
    """What this follower is sent for one message (see the module's docstring)."""
    from roundtable.access.rules.meetings import runs_panel

    user, fresh = signed_in_user(session)
    if user is None:
        return Delivery(allowed=False)
    meeting = Meeting.objects.select_related("panel").filter(pk=meeting_id).first()
    if meeting is None or not policy.can(user, "meeting.follow", meeting):
        return Delivery(allowed=False)
    if shared is None or runs_panel(user, meeting.panel):
        return Delivery()
    if shared.item_id is None:
        _touch(fresh)
        return Delivery(html=shared.reader_html)
    item = AgendaItem.objects.select_related("case").filter(pk=shared.item_id, meeting_id=meeting.pk).first()
    if item is None:
        return Delivery()
    item.meeting = meeting
    if not policy.can(user, "meeting.see_item", item):
        _touch(fresh)
        return Delivery(html=shared.restricted_html)
    if item.case_id is not None:
        if not policy.can(user, "case.view", item.case):
            return Delivery()  # sees the item but not its papers: only the panel's runners (above)
        if _may_read_a_restricted_entry(user, shared.restricted_entry_ids):
            return Delivery()
        # The read is recorded before it is sent (record() is its own transaction).
        record(user, "meeting.live_item_viewed", meeting, item=item.pk, case_id=item.case_id,
               person_id=item.case.person_id, delivered="socket")  # fmt: skip
    _touch(fresh)
    return Delivery(html=shared.reader_html)
