"""Panel meetings: who sees a meeting, its agenda, updates, attendance and actions, and
who may change them.

The people of a meeting are its panel's chair, administrators and standing members, and
whoever was invited to that one meeting. They see the meeting (date, place, who is
coming). The chair and administrators run it: schedule, build and publish the agenda,
take attendance, follow actions up.

Agenda access ("papers sent ahead"): once the agenda is published, each person of the
meeting may READ the cases on it — the case page, its chronology and documents — until
the meeting is closed. Restricted entries and documents stay restricted. Nothing is
granted for writing. After the meeting closes, access follows case membership only.
``open_agenda_case_ids`` is the one definition; roundtable/access/rules/cases.py uses it.

Agenda items: the chair and administrators see every item of their panel's meetings
(the case reference and the person's name, so they can run the panel). Others see
items only once the agenda is published, and a case item only while they may see its
case. Pre-meeting updates are visible with their item.

School visits (Behaviour Support – secondary) are the panel's own record: visible to the
panel's chair, administrators and standing members, and to whoever recorded the visit.
"""

from django.db.models import Exists, OuterRef, Q

from roundtable.access import policy
from roundtable.access.policy import compiled_subquery, rule, scope

RUNNERS = "runners"


# --- Who someone is to a panel or meeting -------------------------------------------------
def _runs_panel_q(user, prefix: str = "") -> Q:
    """Chair or administrator of the panel at ``prefix`` (e.g. "panel__" from a meeting)."""
    from roundtable.panels.models import Panel

    admins = Panel.administrators.through.objects.filter(panel_id=OuterRef(f"{prefix}pk"), user_id=user.pk)
    return Q(**{f"{prefix}chair_id": user.pk}) | Q(Exists(admins))


def _on_panel_q(user, prefix: str = "") -> Q:
    """Chair, administrator or standing member of the panel at ``prefix``."""
    from roundtable.panels.models import Panel

    members = Panel.members.through.objects.filter(panel_id=OuterRef(f"{prefix}pk"), user_id=user.pk)
    return _runs_panel_q(user, prefix) | Q(Exists(members))


def _people_q(user, prefix: str = "") -> Q:
    """The people of the meeting at ``prefix``: its panel's chair, administrators and members, or invitees."""
    from roundtable.meetings.models import MeetingInvitee

    invited = MeetingInvitee.objects.filter(meeting_id=OuterRef(f"{prefix}pk"), user_id=user.pk)
    return _on_panel_q(user, f"{prefix}panel__") | Q(Exists(invited))


def panels_on(user):
    """The panels ``user`` chairs, administers or sits on."""
    from roundtable.panels.models import Panel

    return Panel.objects.filter(_on_panel_q(user))


def runs_panel(user, panel) -> bool:
    if panel is None or user is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_panels_run", {})
    if panel.pk not in cache:
        cache[panel.pk] = panel.chair_id == user.pk or panel.administrators.filter(pk=user.pk).exists()
    return cache[panel.pk]


def on_panel(user, panel) -> bool:
    if runs_panel(user, panel):
        return True
    cache = user.__dict__.setdefault("_panels_on", {})
    if panel.pk not in cache:
        cache[panel.pk] = panel.members.filter(pk=user.pk).exists()
    return cache[panel.pk]


def is_person_of(user, meeting) -> bool:
    cache = user.__dict__.setdefault("_meetings_of", {})
    if meeting.pk not in cache:
        cache[meeting.pk] = on_panel(user, meeting.panel) or meeting.invitees.filter(user_id=user.pk).exists()
    return cache[meeting.pk]


# --- Agenda access to case papers -----------------------------------------------------------
def open_agenda_meetings(user):
    """Meetings whose published agenda gives ``user`` read access to its cases now."""
    from roundtable.meetings.models import Meeting

    return Meeting.objects.filter(status__in=Meeting.OPEN_STATUSES, agenda_published_at__isnull=False).filter(
        _people_q(user)
    )


def open_agenda_case_ids(user):
    """A subquery of the case ids on the open published agendas of ``user``'s meetings."""
    from roundtable.meetings.models import AgendaItem

    return AgendaItem.objects.filter(case__isnull=False, meeting__in=open_agenda_meetings(user).values("pk")).values(
        "case_id"
    )


def on_open_agenda(user, case) -> bool:
    """Whether ``case`` (a Case or its id) is on an open published agenda of ``user``'s.
    Remembered on the user object like case memberships (see cases.forget_memberships)."""
    case_id = getattr(case, "pk", case)
    if case_id is None or user is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_agenda_cases", {})
    if case_id not in cache:
        from roundtable.meetings.models import AgendaItem

        cache[case_id] = AgendaItem.objects.filter(
            case_id=case_id, meeting__in=open_agenda_meetings(user).values("pk")
        ).exists()
    return cache[case_id]


def forget(*users) -> None:
    """Drop what was remembered about users' panels and agendas after a change."""
    for user in users:
        if user is not None:
            for name in ("_agenda_cases", "_panels_run", "_panels_on", "_meetings_of", "_case_roles"):
                user.__dict__.pop(name, None)


def remember_for_meeting(users, meeting, case_id: int | None = None) -> None:
    """Learn, in a few queries for all of ``users`` at once, what the rules would otherwise
    ask one user at a time about ``meeting`` (and the case ``case_id`` on its agenda): who
    runs or sits on its panel, who is invited, their roles on the case, and the case's
    agenda access through this meeting. The rules then answer from what is remembered on
    each user, exactly as they do for the rest of one request (``forget`` drops it).

    For the live meeting's socket consumers: every follower of an app process is decided on
    for each move. Only what this meeting decides is remembered — agenda access through
    *another* meeting is left for the rule to look up. tests/meetings/test_follow.py
    proves the answers equal those of users the rules look up one by one."""
    from roundtable.cases.models import CaseMembership

    users = list(users)
    if not users:
        return
    panel = meeting.panel
    ids = {user.pk for user in users}
    admins = set(panel.administrators.filter(pk__in=ids).values_list("pk", flat=True))
    members = set(panel.members.filter(pk__in=ids).values_list("pk", flat=True))
    invited = set(meeting.invitees.filter(user_id__in=ids).values_list("user_id", flat=True))
    roles = {}
    on_agenda = False
    if case_id is not None:
        roles = dict(CaseMembership.objects.filter(case_id=case_id, user_id__in=ids).values_list("user_id", "role"))
        on_agenda = (
            meeting.status in meeting.OPEN_STATUSES
            and meeting.agenda_published_at is not None
            and meeting.items.filter(case_id=case_id).exists()
        )
    for user in users:
        runs = user.pk == panel.chair_id or user.pk in admins
        sits = user.pk in members  # on_panel remembers membership alone (it asks runs_panel first)
        person = runs or sits or user.pk in invited
        user.__dict__.setdefault("_panels_run", {})[panel.pk] = runs
        user.__dict__.setdefault("_panels_on", {})[panel.pk] = sits
        user.__dict__.setdefault("_meetings_of", {})[meeting.pk] = person
        if case_id is not None:
            user.__dict__.setdefault("_case_roles", {})[case_id] = roles.get(user.pk)
            if on_agenda and person:
                user.__dict__.setdefault("_agenda_cases", {})[case_id] = True


def _visible_case_ids(user):
    from roundtable.access.rules.cases import readable_case_ids

    return readable_case_ids(user)


def _meeting_ids(user):
    from roundtable.meetings.models import Meeting

    return compiled_subquery(user, "meeting_ids", lambda: meetings(user, Meeting.objects.all()).values("pk"))


def _agenda_item_ids(user):
    from roundtable.meetings.models import AgendaItem

    return compiled_subquery(user, "agenda_item_ids", lambda: agenda_items(user, AgendaItem.objects.all()).values("pk"))


# --- Scopes -------------------------------------------------------------------------------------
@scope("meetings.meeting")
def meetings(user, qs):
    return qs.filter(_people_q(user))


@scope("meetings.meetinginvitee")
@scope("meetings.attendance")
@scope("meetings.minutes")
def meeting_parts(user, qs):
    return qs.filter(meeting_id__in=_meeting_ids(user))


@scope("meetings.agendaitem")
def agenda_items(user, qs):
    from roundtable.meetings.models import Meeting

    runs = compiled_subquery(
        user, "meetings_run", lambda: Meeting.objects.filter(_runs_panel_q(user, "panel__")).values("pk")
    )
    published = compiled_subquery(
        user,
        "published_meetings",
        lambda: meetings(user, Meeting.objects.filter(agenda_published_at__isnull=False)).values("pk"),
    )
    readable = Q(case__isnull=True) | Q(case_id__in=_visible_case_ids(user))
    return qs.filter(Q(meeting_id__in=runs) | (Q(meeting_id__in=published) & readable))


@scope("meetings.premeetingupdate")
def updates(user, qs):
    return qs.filter(item_id__in=_agenda_item_ids(user))


@scope("meetings.action")
def actions(user, qs):
    from roundtable.meetings.models import SchoolVisit
    from roundtable.tasks.models import Task

    tasks = compiled_subquery(user, "task_ids", lambda: policy.visible(user, Task.objects.all()).values("pk"))
    visits = compiled_subquery(
        user, "school_visit_ids", lambda: school_visits(user, SchoolVisit.objects.all()).values("pk")
    )
    return qs.filter(task_id__in=tasks).filter(Q(item_id__in=_agenda_item_ids(user)) | Q(visit_id__in=visits))


@scope("meetings.schoolvisit")
def school_visits(user, qs):
    return qs.filter(_on_panel_q(user, "panel__") | Q(recorded_by_id=user.pk))


@scope("meetings.panelcase")
def panel_cases(user, qs):
    from roundtable.panels.models import Panel

    runs = compiled_subquery(user, "panels_run", lambda: Panel.objects.filter(_runs_panel_q(user)).values("pk"))
    return qs.filter(Q(panel_id__in=runs) | Q(case_id__in=_visible_case_ids(user)))


# --- Rules ----------------------------------------------------------------------------------------
@rule("meeting.list")
def list_meetings(user, panel):
    """A panel's meetings page: its chair, administrators and standing members."""
    if panel is None:
        return True  # "My meetings": everyone signed in sees the meetings they are a person of
    return on_panel(user, panel)


@rule("meeting.create")
def create_meeting(user, panel):
    return panel.is_active and runs_panel(user, panel)


@rule("meeting.view")
def view_meeting(user, meeting):
    return meetings(user, type(meeting).objects.filter(pk=meeting.pk)).exists()


@rule("meeting.manage")
def manage_meeting(user, meeting):
    """Change the meeting, its agenda, invitees and attendance; publish; follow up."""
    return runs_panel(user, meeting.panel)


@rule("meeting.send_apologies")
def send_apologies(user, meeting):
    return meeting.status == meeting.Status.PLANNED and is_person_of(user, meeting)


@rule("meeting.add_update")
def add_update(user, item):
    """A pre-meeting update on a case item: a person of the meeting who may read the case,
    while the meeting is open and (for everyone but its runners) the agenda is published."""
    return item.case_id is not None and updates_open_to(user, item.meeting) and policy.can(user, "case.view", item.case)


def updates_open_to(user, meeting) -> bool:
    """The meeting-wide half of ``meeting.add_update`` (the other half: may they read the case)."""
    if not meeting.is_open or not (meeting.is_published or runs_panel(user, meeting.panel)):
        return False
    return is_person_of(user, meeting)


@rule("meeting.remind")
def remind(user, action):
    """A one-click reminder of an action: the chair and administrators of its panel."""
    panel = action.item.meeting.panel if action.item_id else action.visit.panel
    return (
        runs_panel(user, panel) and policy.visible(user, type(action.task).objects.filter(pk=action.task_id)).exists()
    )


@rule("panelcase.manage")
def manage_panel_cases(user, panel):
    """Which cases a (non-Channel) panel keeps under review: its chair and administrators."""
    return not panel.is_channel and runs_panel(user, panel)


@rule("visit.list")
def list_visits(user, panel):
    return panel.kind == panel.Kind.BEHAVIOUR_SECONDARY and on_panel(user, panel)


@rule("visit.record")
def record_visit(user, panel):
    return panel.is_active and list_visits(user, panel)
