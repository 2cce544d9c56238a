"""Permission matrix rows for the assessments app (see matrix.py).

The practitioner owns two cases; the panel chair contributes to both and the panel
administrator is a viewer. The first case has a completed assessment and a finished draft
(ready to complete); the second has none (to start one). Everyone else, including users of
other organisations guessing IDs, gets 404. Factor lists are settings: system
administrators manage every area's, the panel chair their own area's."""

from roundtable.assessments import services
from roundtable.assessments.models import Factor
from roundtable.cases.models import CaseMembership
from tests.assessments.factories import answer_all, completed_assessment
from tests.factories import CaseFactory
from tests.security.rows import SIGNED_IN, Row, roles

MEMBERS = roles("practitioner", "panel_chair", "panel_admin")
CONTRIBUTORS = roles("practitioner", "panel_chair")
FACTOR_MANAGERS = roles("system_admin", "panel_chair")
FACTOR_READERS = SIGNED_IN - {"auditor"}


def _case(world):
    case = CaseFactory(owner=world["practitioner"], members=[world["panel_chair"]])
    CaseMembership.objects.create(case=case, user=world["panel_admin"], role=CaseMembership.Role.VIEWER)
    return case


def build(world):
    """Add the objects these rows need to the shared test world."""
    owner = world["practitioner"]
    case = _case(world)
    world["vaf_case"], world["vaf_empty_case"] = case, _case(world)
    world["vaf_done"] = completed_assessment(case, owner, days_ago=30)
    draft = services.do_start_assessment(owner, case)
    fields = {"conclusion": "Ready", "changes_since_last": "Nothing new"}
    world["vaf_draft"] = services.do_save_draft(owner, draft, draft.version, fields=fields, ratings=answer_all(draft))
    world["vaf_factor"] = Factor.objects.filter(area=case.area).order_by("dimension", "order").first()


def on_case(key):
    return lambda world: {"case_pk": world[key].pk}


def on(key):
    return lambda world: {"pk": world[key].pk}


def api_on(key):
    return lambda world: {"assessment_id": world[key].pk}


def on_area(world):
    return {"area_pk": world["vaf_case"].area_id}


ROWS: dict[str, Row] = {
    # --- pages -------------------------------------------------------------------------------
    "assessments:case_assessments": Row(MEMBERS, kwargs=on_case("vaf_case")),
    "assessments:start": Row(CONTRIBUTORS, kwargs=on_case("vaf_empty_case")),
    "assessments:detail": Row(MEMBERS, kwargs=on("vaf_done")),
    "assessments:edit": Row(CONTRIBUTORS, kwargs=on("vaf_draft")),
    "assessments:discard": Row(CONTRIBUTORS, kwargs=on("vaf_draft")),
    "assessments:correct": Row(CONTRIBUTORS, kwargs=on("vaf_done")),
    "assessments:factor_areas": Row(FACTOR_MANAGERS),
    "assessments:factors": Row(FACTOR_MANAGERS, kwargs=on_area),
    "assessments:factor_add": Row(FACTOR_MANAGERS, kwargs=on_area),
    "assessments:factor_edit": Row(FACTOR_MANAGERS, kwargs=on("vaf_factor")),
    "assessments:factor_retire": Row(FACTOR_MANAGERS, method="POST", ok=302, kwargs=on("vaf_factor")),
    "assessments:factor_restore": Row(FACTOR_MANAGERS, method="POST", ok=302, kwargs=on("vaf_factor")),
    "assessments:factor_move": Row(
        FACTOR_MANAGERS, method="POST", ok=302, kwargs=on("vaf_factor"), data=lambda w: {"direction": "down"}
    ),
    # --- API -----------------------------------------------------------------------------------
    "api:case_assessments": Row(MEMBERS, api=True, anonymous=401, kwargs=lambda w: {"case_id": w["vaf_case"].pk}),
    "api:create_assessment": Row(
        CONTRIBUTORS,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=lambda w: {"case_id": w["vaf_empty_case"].pk},
        data=lambda w: {"conclusion": "Starting"},
    ),
    "api:assessment_factors": Row(FACTOR_READERS, api=True, anonymous=401),
    "api:assessment_detail": Row(MEMBERS, api=True, anonymous=401, kwargs=api_on("vaf_done")),
    "api:update_assessment": Row(
        CONTRIBUTORS,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=api_on("vaf_draft"),
        data=lambda w: {"version": w["vaf_draft"].version, "management_plan": "Mentoring"},
    ),
    "api:complete_assessment": Row(
        CONTRIBUTORS,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=api_on("vaf_draft"),
        data=lambda w: {"version": w["vaf_draft"].version},
    ),
}
