"""Follow the chair without thirty page requests per move.

When the chair moves (or something is recorded on the item on screen), every follower's
screen must change within a second — with 30 followers on a small machine, 30 separate
permission-checked fragment requests took nearly two seconds. So the socket consumer
(consumers.py) delivers the new item itself:

1. ``render_shared`` — once per message and app process — renders the item as any agenda
   reader may see it (``live.shared_stage``): the *reader* view, with every restricted
   chronology entry a placeholder, and the *restricted* view ("Item 3 – restricted to
   members of the case"). Nothing in either is particular to a person.
2. ``deliver_all`` — for the followers of one app process together, on every message —
   re-reads each follower's session and user (signed out, deactivated, password changed,
   second factor removed, session limits passed: the socket closes), asks the policy for
   each whether they are still one of the people of the meeting (``meeting.follow``:
   someone removed from the meeting stops receiving and is disconnected), then which view
   they may have:

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

   What this needs from the database is read for all the followers at once (sessions,
   users, devices; the panel's people and the case's members through
   ``rules.meetings.remember_for_meeting``, which the rules then answer from), and the
   reads are audited with ``audit.record_many``: the number of queries per move does not
   grow with the number of followers (tests/meetings/test_follow.py).

The channel layer itself still carries IDs only (DESIGN.md "Real time"): the content is
rendered inside each process, from the database, and handed to a follower only after the
policy has been asked for that follower.
"""

import time
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib import auth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from roundtable.access import policy
from roundtable.accounts.middleware import LAST_SEEN, LAST_SEEN_RESOLUTION_SECONDS
from roundtable.audit.services import Pending, record_many
from roundtable.core.request_context import RequestInfo
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
    shows_case: bool = False  # the html holds the item's case papers: a read to audit


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


# --- Each follower ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Follower:
    session: object  # the socket's session (re-read from the store for each message)
    request_info: RequestInfo  # where the socket comes from, for the audit event of a read


def _stored_sessions(followers: list[Follower]) -> list[dict | None]:
    """Each follower's session as stored now — not as it was at connect: signing out deletes
    it — read together (None: gone or expired)."""
    engine = import_module(settings.SESSION_ENGINE)
    keys = [getattr(follower.session, "session_key", None) for follower in followers]
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        stores = [engine.SessionStore(session_key=key) if key else None for key in keys]
        return [dict(store.items()) or None if store is not None else None for store in stores]
    rows = dict(
        engine.SessionStore.get_model_class()
        .objects.filter(session_key__in=[key for key in keys if key], expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
    )
    decoder = engine.SessionStore()
    return [(decoder.decode(rows[key]) or None) if key in rows else None for key in keys]


def _signed_in_users(sessions: list[dict | None]) -> list:
    """The user of each session while it is still signed in as the HTTP middleware requires
    on every request — the user active and the session's password hash current (as
    django.contrib.auth.get_user checks), the second factor's device still confirmed (when
    required), within the idle and absolute limits (as cases.consumers._session_is_live) —
    else None. Users, devices: one query each for all the sessions."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    from roundtable.accounts.backends import UserBackend
    from roundtable.accounts.middleware import SIGNED_IN_AT
    from roundtable.accounts.models import User

    def user_id(session):
        try:
            return int(session[auth.SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            return None

    ids = {user_id(session) for session in sessions if session}
    users = {user.pk: user for user in User.objects.select_related("organisation").filter(pk__in=ids - {None})}
    devices = {}
    if settings.REQUIRE_2FA:
        wanted: dict[str, set[int]] = {}
        for session in sessions:
            label, _, pk = str((session or {}).get(DEVICE_ID_SESSION_KEY) or "").rpartition("/")
            if label and pk.isdigit():
                wanted.setdefault(label, set()).add(int(pk))
        for label, pks in wanted.items():
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                continue
            if issubclass(model, Device):
                devices.update({f"{label}/{device.pk}": device for device in model.objects.filter(pk__in=pks)})
    now, backend = time.time(), UserBackend()
    signed_in = []
    for session in sessions:
        user = users.get(user_id(session)) if session else None
        if user is not None:
            live = (
                session.get(auth.BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
                and backend.user_can_authenticate(user)
                and constant_time_compare(session.get(auth.HASH_SESSION_KEY, ""), user.get_session_auth_hash())
                and now - session.get(SIGNED_IN_AT, 0) <= settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
                and now - session.get(LAST_SEEN, 0) <= settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            )
            if live and settings.REQUIRE_2FA:
                device = devices.get(str(session.get(DEVICE_ID_SESSION_KEY)))
                live = device is not None and device.user_id == user.pk and device.confirmed
            if not live:
                user = None
        signed_in.append(user)
    return signed_in


def _touch(follower: Follower, session: dict) -> None:
    """Being shown the meeting counts as activity, as fetching it did: move the idle clock
    on, at most once a minute (as SessionLimitsMiddleware does)."""
    now = time.time()
    if now - session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=follower.session.session_key)
        if store.keys():
            store[LAST_SEEN] = now
            store.save()


def _readers_of(entry_ids, users) -> set[int]:
    """Which of ``users`` may read one of the restricted entries ``entry_ids``: their author or
    someone it is shared with (content_visible_q, for many users at once)."""
    from roundtable.cases.models import ChronologyEntry

    if not entry_ids:
        return set()
    ids = {user.pk for user in users}
    named = ChronologyEntry.restricted_to.through.objects.filter(chronologyentry_id__in=entry_ids, user_id__in=ids)
    authors = ChronologyEntry.objects.filter(pk__in=entry_ids, author_id__in=ids)
    return set(named.values_list("user_id", flat=True)) | set(authors.values_list("author_id", flat=True))


def _decide(user, meeting: Meeting | None, item: AgendaItem | None, shared: SharedView | None, readers) -> Delivery:
    """One follower's view of one message (see the module's docstring), from the policy."""
    from roundtable.access.rules.meetings import runs_panel

    if user is None or meeting is None or not policy.can(user, "meeting.follow", meeting):
        return Delivery(allowed=False)
    if shared is None or runs_panel(user, meeting.panel):
        return Delivery()
    if shared.item_id is None:
        return Delivery(html=shared.reader_html)
    if item is None:
        return Delivery()
    if not policy.can(user, "meeting.see_item", item):
        return Delivery(html=shared.restricted_html)
    if item.case_id is not None:
        if not policy.can(user, "case.view", item.case):
            return Delivery()  # sees the item but not its papers: only the panel's runners (above)
        if user.pk in readers:
            return Delivery()  # may read a restricted entry shown: fetches their own view
        return Delivery(html=shared.reader_html, shows_case=True)
    return Delivery(html=shared.reader_html)


def deliver_all(meeting_id: int, shared: SharedView | None, followers: list[Follower]) -> list[Delivery]:
    """What each of ``followers`` (the sockets of one app process) is sent for one message,
    in order. Everything is read for all of them together — sessions, users, devices, the
    meeting and item, what the rules need to know about these people and this meeting
    (rules.meetings.remember_for_meeting) — then the policy is asked for each follower,
    and the reads are audited together (one transaction, one wait for the audit chain)
    before anything is sent."""
    from roundtable.access.rules.meetings import remember_for_meeting

    sessions = _stored_sessions(followers)
    users = _signed_in_users(sessions)
    meeting = Meeting.objects.select_related("panel").filter(pk=meeting_id).first()
    item = None
    if meeting is not None and shared is not None and shared.item_id is not None:
        item = AgendaItem.objects.select_related("case").filter(pk=shared.item_id, meeting_id=meeting.pk).first()
        if item is not None:
            item.meeting = meeting
    present = list({user.pk: user for user in users if user is not None}.values())
    if meeting is not None:
        remember_for_meeting(present, meeting, item.case_id if item is not None else None)
    readers = _readers_of(shared.restricted_entry_ids if shared is not None else (), present)
    deliveries, reads = [], []
    for follower, session, user in zip(followers, sessions, users, strict=True):
        delivery = _decide(user, meeting, item, shared, readers)
        deliveries.append(delivery)
        if delivery.html is None:
            continue
        if delivery.shows_case:
            reads.append(Pending(user, "meeting.live_item_viewed", meeting, follower.request_info,
                                 person_id=item.case.person_id, case_id=item.case_id,
                                 details={"item": item.pk, "delivered": "socket"}))  # fmt: skip
        _touch(follower, session)
    record_many(reads)
    return deliveries
