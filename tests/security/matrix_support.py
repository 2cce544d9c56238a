"""Permission matrix rows for the consent and support app (see matrix.py).

The practitioner owns the case and the panel administrator contributes to it: both
record consent and manage support. The panel chair is a viewer: reads, changes nothing.
Everyone else, including users of other organisations guessing IDs, gets 404. The
provider register is read by everyone who works on cases (each sees their own area's)
and kept by the area's panel chairs and panel administrators."""

from roundtable.cases.models import CaseMembership
from roundtable.support.models import Intervention
from tests.factories import CaseFactory
from tests.security.rows import Row, roles
from tests.support.factories import ConsentFactory, InterventionFactory, ProviderFactory, days

MEMBERS = roles("practitioner", "panel_admin", "panel_chair")
WRITERS = roles("practitioner", "panel_admin")
CASE_WORKERS = roles(
    "org_admin", "panel_chair", "panel_admin", "practitioner", "other_org_admin", "other_org_practitioner"
)
REGISTER_KEEPERS = roles("panel_chair", "panel_admin")


def build(world):
    """Add the objects these rows need to the shared test world."""
    case = CaseFactory(owner=world["practitioner"], members=[world["panel_admin"]])
    CaseMembership.objects.create(case=case, user=world["panel_chair"], role=CaseMembership.Role.VIEWER)
    ConsentFactory(case=case)
    provider = ProviderFactory(created_by=world["panel_chair"])
    world["support_case"] = case
    world["support_provider"] = provider
    world["support_intervention"] = InterventionFactory(case=case, provider=provider, status=Intervention.Status.ACTIVE)


def on_case(world):
    return {"case_pk": world["support_case"].pk}


def on_intervention(world):
    return {"pk": world["support_intervention"].pk}


def api_case(world):
    return {"case_id": world["support_case"].pk}


def api_intervention(world):
    return {"intervention_id": world["support_intervention"].pk}


def consent_body(world):
    return {
        "decision": "withdrawn",
        "decided_by": "person",
        "occurred_on": days(0).isoformat(),
        "how": "phone",
        "capacity_note": "Has capacity: understood and decided.",
    }


def support_body(world):
    return {
        "support_type": "careers",
        "provider_organisation_id": world["support_case"].lead_organisation_id,
        "starts_on": days(0).isoformat(),
        "behaviours": "Disengaged",
        "risks": "Isolation",
        "provider_risks": "None identified",
    }


ROWS: dict[str, Row] = {
    # --- pages -------------------------------------------------------------------------------
    "support:case_support": Row(MEMBERS, kwargs=on_case),
    "support:record_consent": Row(WRITERS, kwargs=on_case),
    "support:create_intervention": Row(WRITERS, kwargs=on_case),
    "support:intervention": Row(MEMBERS, kwargs=on_intervention),
    "support:edit_intervention": Row(WRITERS, kwargs=on_intervention),
    "support:intervention_status": Row(WRITERS, kwargs=on_intervention),
    "support:add_progress": Row(WRITERS, kwargs=on_intervention),
    "support:providers": Row(CASE_WORKERS),
    "support:create_provider": Row(REGISTER_KEEPERS),
    "support:edit_provider": Row(REGISTER_KEEPERS, kwargs=lambda w: {"pk": w["support_provider"].pk}),
    # --- API -----------------------------------------------------------------------------------
    "api:support_consent": Row(MEMBERS, api=True, anonymous=401, kwargs=api_case),
    "api:support_record_consent": Row(
        WRITERS, api=True, anonymous=401, method="POST", ok=201, kwargs=api_case, data=consent_body
    ),
    "api:support_interventions": Row(MEMBERS, api=True, anonymous=401, kwargs=api_case),
    "api:support_create_intervention": Row(
        WRITERS, api=True, anonymous=401, method="POST", ok=201, kwargs=api_case, data=support_body
    ),
    "api:support_intervention": Row(MEMBERS, api=True, anonymous=401, kwargs=api_intervention),
    "api:support_intervention_status": Row(
        WRITERS,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=api_intervention,
        data=lambda w: {"status": "paused", "reason": "Exams", "version": w["support_intervention"].version},
    ),
    "api:support_add_progress": Row(
        WRITERS,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=api_intervention,
        data=lambda w: {"occurred_on": days(0).isoformat(), "text": "Attended"},
    ),
    "api:support_providers": Row(CASE_WORKERS, api=True, anonymous=401),
}
