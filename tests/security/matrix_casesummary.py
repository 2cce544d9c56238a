"""Permission matrix rows for the case summary page and PDF (see matrix.py).

The practitioner owns the case; the panel chair is a contributor on it (chairs on a case
may produce its summary); the panel administrator is a contributor and the organisation
administrator a viewer, who read the case but may not take it away as one document: 404,
like the other organisation's users guessing IDs and everyone who is not on the case."""

from roundtable.cases.models import CaseMembership
from tests.factories import CaseFactory, EntryFactory
from tests.security.rows import Row, roles

EXPORTERS = roles("practitioner", "panel_chair")


def build(world):
    """Add the objects these rows need to the shared test world."""
    case = CaseFactory(owner=world["practitioner"], members=[world["panel_chair"], world["panel_admin"]])
    CaseMembership.objects.create(case=case, user=world["org_admin"], role=CaseMembership.Role.VIEWER)
    EntryFactory(case=case, author=world["practitioner"])
    world["summary_case"] = case


ROWS: dict[str, Row] = {
    "casesummary:page": Row(EXPORTERS, kwargs=lambda w: {"pk": w["summary_case"].pk}),
    "casesummary:pdf": Row(EXPORTERS, kwargs=lambda w: {"pk": w["summary_case"].pk}),
    "api:case_summary_pdf": Row(EXPORTERS, api=True, anonymous=401, kwargs=lambda w: {"case_id": w["summary_case"].pk}),
}
