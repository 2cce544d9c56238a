"""Permission matrix rows for the meetings app (see matrix.py).

The world gets a Behaviour Support – secondary panel in our area: the panel chair chairs
it, the panel administrator administers it and the practitioner is a standing member.
One planned meeting with a PUBLISHED agenda: a case owned by the chair and an item of
other business. The practitioner is not on the case, so reads it (and its items,
updates and actions) only through the published agenda. The chair set an action (a
task for themselves) on the case item, keeps the case on the panel's caseload and
recorded a school visit. Someone outside the matrix cast is invited to the meeting.

Everyone else — the organisation's other roles, system administrators (who manage panel
settings, not meetings), auditors and the other area's users — gets 404.
"""

from datetime import timedelta

from django.utils import timezone

from roundtable.meetings.models import Action, MeetingInvitee, PanelCase, SchoolVisit
from roundtable.panels.models import Panel
from roundtable.tasks.models import Task
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.meetings.factories import ItemFactory, MeetingFactory, publish
from tests.panels.factories import PanelFactory
from tests.security.rows import SIGNED_IN, Row, roles

RUNNERS = roles("panel_chair", "panel_admin")
ON_PANEL = roles("panel_chair", "panel_admin", "practitioner")


def build(world):
    chair, admin, member = world["panel_chair"], world["panel_admin"], world["practitioner"]
    organisation = world["organisation"]
    panel = PanelFactory(
        area=organisation.area,
        name="Matrix Behaviour Panel",
        kind=Panel.Kind.BEHAVIOUR_SECONDARY,
        chair=chair,
        administrators=[admin],
        members=[member],
        prevent_team=[],
        police_lead=None,
    )
    case = CaseFactory(owner=chair, area=organisation.area)
    meeting = MeetingFactory(panel=panel)
    item = ItemFactory(meeting=meeting, case=case, added_by=chair)
    ItemFactory(meeting=meeting, kind="other_business", title="Training dates", added_by=chair)
    publish(meeting)
    task = Task.objects.create(
        case=case,
        title="Ask the school for attendance figures",
        assignee=chair,
        created_by=chair,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    school = OrganisationFactory(area=organisation.area, sector="education", name="Matrix Academy")
    visit = SchoolVisit.objects.create(
        panel=panel,
        school=school,
        date=timezone.localdate(),
        slot_start="09:00",
        slot_end="11:00",
        work_done="Met the head of year about two pupils.",
        recorded_by=chair,
    )
    visit.cases.set([case])
    world.update(
        meetings_panel=panel,
        meetings_case=case,
        meeting=meeting,
        meeting_item=item,
        meeting_action=Action.objects.create(item=item, task=task),
        meeting_invitee=MeetingInvitee.objects.create(
            meeting=meeting, user=UserFactory(organisation=organisation), invited_by=chair
        ),
        panel_case=PanelCase.objects.create(panel=panel, case=case, added_by=chair),
        school_visit=visit,
    )


def panel(world):
    return {"panel_pk": world["meetings_panel"].pk}


def meeting(world):
    return {"pk": world["meeting"].pk}


def item(world):
    return {"pk": world["meeting_item"].pk}


def api_meeting(world):
    return {"meeting_id": world["meeting"].pk}


def api_item(world):
    return {"item_id": world["meeting_item"].pk}


ROWS: dict[str, Row] = {
    # --- pages -------------------------------------------------------------------------------------------
    "meetings:mine": Row(SIGNED_IN),
    "meetings:panel_meetings": Row(ON_PANEL, kwargs=panel),
    "meetings:create": Row(RUNNERS, kwargs=panel),
    "meetings:panel_cases": Row(RUNNERS, kwargs=panel),
    "meetings:panel_case_end": Row(RUNNERS, method="POST", ok=302, kwargs=lambda w: {"pk": w["panel_case"].pk}),
    "meetings:visits": Row(ON_PANEL, kwargs=panel),
    "meetings:visit_create": Row(ON_PANEL, kwargs=panel),
    "meetings:visit_detail": Row(ON_PANEL, kwargs=lambda w: {"pk": w["school_visit"].pk}),
    "meetings:detail": Row(ON_PANEL, kwargs=meeting),
    "meetings:edit": Row(RUNNERS, kwargs=meeting),
    "meetings:calendar": Row(ON_PANEL, kwargs=meeting),
    "meetings:agenda": Row(RUNNERS, kwargs=meeting),
    "meetings:add_proposed": Row(RUNNERS, method="POST", ok=302, kwargs=meeting),
    "meetings:add_case": Row(RUNNERS, method="POST", kwargs=meeting),  # no reference: the form says so (200)
    "meetings:add_other": Row(
        RUNNERS, method="POST", ok=302, kwargs=meeting, data=lambda w: {"title": "Date of the next meeting"}
    ),
    "meetings:publish": Row(RUNNERS, kwargs=meeting),
    "meetings:people": Row(ON_PANEL, kwargs=meeting),
    "meetings:uninvite": Row(
        RUNNERS,
        method="POST",
        ok=302,
        kwargs=lambda w: {"pk": w["meeting"].pk, "invitee_pk": w["meeting_invitee"].pk},
    ),
    "meetings:updates": Row(RUNNERS, kwargs=meeting),
    "meetings:attendance": Row(RUNNERS, kwargs=meeting),
    "meetings:apologies": Row(ON_PANEL, kwargs=meeting),
    "meetings:follow_up": Row(RUNNERS, kwargs=meeting),
    "meetings:item": Row(ON_PANEL, kwargs=item),
    "meetings:item_edit": Row(RUNNERS, kwargs=item),
    "meetings:item_move": Row(RUNNERS, method="POST", ok=302, kwargs=item, data=lambda w: {"direction": "down"}),
    "meetings:item_remove": Row(RUNNERS, kwargs=item),
    "meetings:add_update": Row(ON_PANEL, kwargs=item),
    "meetings:remind": Row(RUNNERS, method="POST", ok=302, kwargs=lambda w: {"pk": w["meeting_action"].pk}),
    # --- API ------------------------------------------------------------------------------------------------
    "api:panel_meetings": Row(ON_PANEL, api=True, anonymous=401, kwargs=lambda w: {"panel_id": w["meetings_panel"].pk}),
    "api:meeting_detail": Row(ON_PANEL, api=True, anonymous=401, kwargs=api_meeting),
    "api:meeting_attendance": Row(ON_PANEL, api=True, anonymous=401, kwargs=api_meeting),
    "api:record_attendance": Row(
        RUNNERS,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=api_meeting,
        data=lambda w: {"user_id": w["practitioner"].pk, "status": "present"},
    ),
    "api:send_apologies": Row(ON_PANEL, api=True, anonymous=401, method="POST", kwargs=api_meeting),
    "api:item_updates": Row(ON_PANEL, api=True, anonymous=401, kwargs=api_item),
    "api:add_update": Row(
        ON_PANEL,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=api_item,
        data=lambda w: {"status": "not_known"},
    ),
    "api:meeting_actions": Row(ON_PANEL, api=True, anonymous=401, kwargs=api_meeting),
    "api:remind_action": Row(
        RUNNERS, api=True, anonymous=401, method="POST", kwargs=lambda w: {"action_id": w["meeting_action"].pk}
    ),
}
