"""Permission matrix rows for the channel and panels apps (see matrix.py).

The world gets the Northshire Channel panel: the panel chair chairs it, the panel
administrator administers it, and the practitioner is its police Prevent lead and its
Prevent team (so owns every referral). Two referrals: one waiting for screening (only
the police see it) and one passed to the local authority (the chair joined it).

A police user of ANOTHER area sees nothing of ours: ``other_org_practitioner`` works for
Southshire Police and is the police Prevent lead and Prevent team of the Southshire
Channel panel (``world["other_area_police"]``), so they have a queue of their own; every
Northshire case, referral, step and panel answers them 404.
"""

from roundtable.accounts.models import Role
from roundtable.channel.services import do_channel_transition, do_submit_referral
from tests.channel.factories import SCREENING_CLEAR, referral_details
from tests.factories import UserFactory
from tests.panels.factories import PanelFactory
from tests.security.rows import EVERYONE, SIGNED_IN, Row, roles

REFERRERS = roles(
    "org_admin", "panel_chair", "panel_admin", "practitioner", "other_org_admin", "other_org_practitioner"
)
PREVENT_TEAMS = roles("practitioner", "other_org_practitioner")
POLICE = roles("practitioner")
ON_THE_CASE = roles("practitioner", "panel_chair")  # after screening passed it to the local authority
PANEL_PEOPLE = roles("system_admin", "panel_chair", "panel_admin", "practitioner")
PANEL_EDITORS = roles("system_admin", "panel_chair")


def build(world):
    police = world["practitioner"]
    area = world["organisation"].area
    lead = UserFactory(organisation=world["organisation"])
    panel = PanelFactory(
        area=area,
        name="Matrix Channel Panel",
        chair=world["panel_chair"],
        police_lead=police,
        prevent_team=[police],
        administrators=[world["panel_admin"]],
        adults_lead=lead,
        children_lead=lead,
    )
    other_police = world["other_org_practitioner"]
    southshire = other_police.organisation.area
    PanelFactory(
        area=southshire,
        name="Southshire Channel Panel",
        chair=UserFactory(organisation=other_police.organisation, role=Role.PANEL_CHAIR),
        police_lead=other_police,
        prevent_team=[other_police],
        administrators=[],
    )
    world["other_area_police"] = other_police
    world["channel_panel"] = panel
    referred = do_submit_referral(None, panel, referral_details(), source="public").channel_case
    passed = do_submit_referral(None, panel, referral_details(given_name="Casey"), source="public").channel_case
    do_channel_transition(police, passed, "screen_pass_to_local_authority", SCREENING_CLEAR)
    world["channel_referred"] = referred
    world["channel_passed"] = passed


def referred(world):
    return {"case_pk": world["channel_referred"].case_id}


def passed(world):
    return {"case_pk": world["channel_passed"].case_id}


def panel(world):
    return {"pk": world["channel_panel"].pk}


def api_referral(world):
    details = referral_details(panel_id=world["channel_panel"].pk)
    details["indicators"] = details["indicators"][0]
    return details


ROWS: dict[str, Row] = {
    # --- the public referral page: no sign-in ------------------------------------------------------
    "referral:refer": Row(EVERYONE),
    # Without a referral just sent, the acknowledgement sends everyone back to the form.
    "referral:sent": Row(EVERYONE, ok=302),
    # --- Channel pages -------------------------------------------------------------------------------
    "channel:refer": Row(REFERRERS),
    "channel:queue": Row(PREVENT_TEAMS),
    "channel:case": Row(ON_THE_CASE, kwargs=passed),
    "channel:referral": Row(ON_THE_CASE, kwargs=passed),
    "channel:step": Row(ON_THE_CASE, kwargs=lambda w: {**passed(w), "step": "next_step"}),
    "channel:transition": Row(POLICE, kwargs=lambda w: {**passed(w), "name": "escalate"}),
    # --- panels ------------------------------------------------------------------------------------------
    "panels:list": Row(SIGNED_IN - {"auditor"}),
    "panels:create": Row(roles("system_admin")),
    "panels:detail": Row(PANEL_PEOPLE, kwargs=panel),
    "panels:edit": Row(PANEL_EDITORS, kwargs=panel),
    # --- API -------------------------------------------------------------------------------------------------
    "api:channel_submit_referral": Row(REFERRERS, api=True, anonymous=401, method="POST", ok=201, data=api_referral),
    # Any referrer may read any referral panel's questions (the public page shows them to anyone).
    "api:channel_referral_form": Row(
        REFERRERS, api=True, anonymous=401, data=lambda w: {"panel_id": w["channel_panel"].pk}
    ),
    "api:channel_queue": Row(PREVENT_TEAMS, api=True, anonymous=401),
    "api:channel_case": Row(
        ON_THE_CASE, api=True, anonymous=401, kwargs=lambda w: {"case_id": w["channel_passed"].case_id}
    ),
    "api:channel_transition": Row(
        POLICE,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"case_id": w["channel_referred"].case_id, "name": "screen_no_further_action"},
        data=lambda w: SCREENING_CLEAR,
    ),
}
