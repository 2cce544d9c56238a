"""Permission matrix rows for the form builder (see matrix.py).

Definitions belong to our area: case workers there may read them, panel administrators and
chairs build them; users of another area get 404. A panel's forms are chosen by its chair
and administrators only. Submissions are case content: the
practitioner is a member of the case and wrote the submission and the draft; everyone else
(including colleagues who are not members and other areas guessing IDs) gets 404."""

import json

from roundtable.formbuilder import services
from tests.factories import CaseFactory
from tests.formbuilder.factories import GOOD_ANSWERS, published_definition, submitted
from tests.panels.factories import PanelFactory
from tests.security.rows import Row, roles

CASE_WORKERS = roles("org_admin", "panel_chair", "panel_admin", "practitioner")
BUILDERS = roles("panel_chair", "panel_admin")
MEMBER = roles("practitioner")
# Lists answer every case worker, anywhere: another area's users get their own (empty) lists.
ANY_CASE_WORKER = CASE_WORKERS | roles("other_org_admin", "other_org_practitioner")


def build(world):
    """Add the objects these rows need to the shared test world."""
    practitioner = world["practitioner"]
    area = world["organisation"].area
    definition = published_definition(area)
    case = CaseFactory(owner=practitioner)
    world["form_definition"] = definition
    world["form_version"] = definition.latest_version
    world["form_case"] = case
    world["form_submission"] = submitted(practitioner, definition, case)
    world["form_draft"] = services.do_start_submission(practitioner, definition, case)
    world["form_unused"] = published_definition(area, name="Never used")
    # A panel the panel chair chairs and the panel administrator administers: they choose its forms.
    world["form_panel"] = PanelFactory(
        area=area, name="Forms Panel", chair=world["panel_chair"], administrators=[world["panel_admin"]]
    )


def on_definition(world):
    return {"pk": world["form_definition"].pk}


def on_unused(world):
    return {"pk": world["form_unused"].pk}


def on_section(world):
    return {"pk": world["form_definition"].pk, "section_id": "s1"}


def on_question(world):
    return {"pk": world["form_definition"].pk, "question_id": "q1"}


def on_case(world):
    return {"case_pk": world["form_case"].pk}


def on_submission(world):
    return {"pk": world["form_submission"].pk}


def on_draft(world):
    return {"pk": world["form_draft"].pk}


def _draft_version(world):
    return {"draft_version": world["form_definition"].version}


def builder(kwargs, **options):
    return Row(BUILDERS, kwargs=kwargs, **options)


def post(kwargs, ok=302, data=_draft_version, allowed=BUILDERS):
    return Row(allowed, kwargs=kwargs, method="POST", ok=ok, data=data)


def api(kwargs, **options):
    return Row(options.pop("allowed", CASE_WORKERS), kwargs=kwargs, api=True, anonymous=401, **options)


ROWS: dict[str, Row] = {
    # --- the builder ---------------------------------------------------------------------------
    "formbuilder:definition_list": Row(ANY_CASE_WORKER),
    "formbuilder:definition_create": Row(BUILDERS),
    "formbuilder:definition_import": Row(BUILDERS),
    "formbuilder:definition_detail": Row(CASE_WORKERS, kwargs=on_definition),
    "formbuilder:definition_settings": builder(on_definition),
    "formbuilder:section_add": post(on_definition),
    "formbuilder:section_edit": builder(on_section),
    "formbuilder:section_move": post(on_section),
    "formbuilder:section_remove": post(on_section),
    "formbuilder:question_add": post(
        on_definition, data=lambda w: {**_draft_version(w), "section": "s1", "kind": "date"}
    ),
    "formbuilder:question_edit": builder(on_question),
    "formbuilder:question_preview": post(on_question, ok=200, data=lambda w: {"label": "Who was seen?"}),
    "formbuilder:question_move": post(on_question, data=lambda w: {**_draft_version(w), "direction": "down"}),
    "formbuilder:question_remove": post(on_question),
    "formbuilder:definition_publish": post(on_definition),
    "formbuilder:definition_retire": post(on_unused),
    "formbuilder:definition_choose": post(on_definition),
    "formbuilder:definition_delete": builder(on_unused),
    "formbuilder:definition_export": Row(CASE_WORKERS, kwargs=on_definition),
    "formbuilder:version_export_csv": Row(BUILDERS, kwargs=lambda w: {"pk": w["form_version"].pk}),
    # --- which forms a panel uses: its chair and administrators ---------------------------------
    "formbuilder:panel_forms": Row(BUILDERS, kwargs=lambda w: {"pk": w["form_panel"].pk}),
    # --- filling in and reading: case content, members only ------------------------------------
    "formbuilder:case_forms": Row(MEMBER, kwargs=on_case),
    "formbuilder:submission_start": post(
        on_case, allowed=MEMBER, data=lambda w: {"definition": w["form_definition"].pk}
    ),
    "formbuilder:submission_search": Row(ANY_CASE_WORKER),
    "formbuilder:submission_detail": Row(MEMBER, kwargs=on_submission),
    "formbuilder:submission_fill": Row(MEMBER, kwargs=on_draft),
    "formbuilder:submission_autosave": post(on_draft, ok=200, allowed=MEMBER, data=lambda w: {"q1": "Typing…"}),
    # --- API -------------------------------------------------------------------------------------
    "api:form_definition_list": api(lambda w: {}, allowed=ANY_CASE_WORKER, denied=403),
    "api:form_definition_detail": api(lambda w: {"definition_id": w["form_definition"].pk}),
    "api:form_version_detail": api(lambda w: {"definition_id": w["form_definition"].pk, "number": 1}),
    "api:form_submission_detail": api(lambda w: {"submission_id": w["form_submission"].pk}, allowed=MEMBER),
    "api:form_submission_create": api(
        lambda w: {},
        allowed=MEMBER,
        method="POST",
        ok=201,
        data=lambda w: {
            "definition_id": w["form_definition"].pk,
            "case_id": w["form_case"].pk,
            "answers": json.dumps(GOOD_ANSWERS),
        },
    ),  # fmt: skip
}
