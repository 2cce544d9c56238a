"""Every list in a case summary is bounded, not only the chronology: at most
CASE_SUMMARY_MAX_RECORDS of each kind of record, and the section says plainly how many it
leaves out and which case page shows them all. Nothing is silently dropped."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from tests.cases.factories import TaskFactory
from tests.casesummary.conftest import pdf_text
from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db

LIMIT = 2


@pytest.fixture
def three_of_each(team, settings):
    """Three records of every bounded kind on the case (one more than the limit of 2), named
    so the test can tell the oldest, which must be the one left out, from the others."""
    from tests.assessments.factories import completed_assessment
    from tests.documents.factories import DocumentFactory
    from tests.inforequests.factories import InformationRequestFactory
    from tests.support.factories import ConsentFactory, InterventionFactory, UpdateFactory

    settings.CASE_SUMMARY_MAX_RECORDS = LIMIT
    case, contributor = team["case"], team["contributor"]
    today = timezone.localdate()
    for n in (1, 2, 3):
        DocumentFactory(case=case, title=f"Open document {n}")
        DocumentFactory(case=case, title=f"Locked document {n}", uploaded_by=contributor, restricted_to=[contributor])
        InformationRequestFactory(case=case, consent_detail=f"Request number {n}")
        completed_assessment(case, days_ago=10 - n, conclusion=f"Assessment conclusion {n}")
        ConsentFactory(case=case, occurred_on=today - timedelta(days=10 - n), notes=f"Consent note {n}")
        TaskFactory(case=case, title=f"Finished task {n}", status="done")
    for n in (1, 2, 3):
        intervention = InterventionFactory(case=case, starts_on=today - timedelta(days=10 - n),
                                           behaviours=f"Intervention behaviours {n}")  # fmt: skip
    for n in (1, 2, 3):
        UpdateFactory(intervention=intervention, occurred_on=today - timedelta(days=10 - n), text=f"Progress {n}")
    return case


def summary_text(client, team, case) -> str:
    force_sign_in(client, team["owner"])
    response = client.get(reverse("casesummary:pdf", args=[case.pk]))
    assert response.status_code == 200
    return pdf_text(response.content)


@pytest.mark.parametrize(
    ("statement", "kept", "left_out"),
    [
        ("2 of the 3 documents on this case that you may see (the newest). 1 document is not included",
         ["Open document 2", "Open document 3"], "Open document 1"),
        ("2 of the 3 restricted documents on this case that you may see (the newest). 1 restricted document is "
         "not included", [], ""),
        ("2 of the 3 information requests on this case that you may see (the newest). 1 information request is "
         "not included", ["Request number 2", "Request number 3"], "Request number 1"),
        ("2 of the 3 completed assessments on this case that you may see (the newest). 1 completed assessment is "
         "not included", ["Assessment conclusion 2", "Assessment conclusion 3"], "Assessment conclusion 1"),
        ("2 of the 3 consent decisions on this case that you may see (the newest). 1 consent decision is not "
         "included", ["Consent note 2", "Consent note 3"], "Consent note 1"),
        ("2 of the 3 interventions on this case that you may see (active support first, then the latest to "
         "start). 1 intervention is not included", ["Intervention behaviours 2", "Intervention behaviours 3"],
         "Intervention behaviours 1"),
        ("2 of the 3 progress updates on this case that you may see (the newest). 1 progress update is not "
         "included", ["Progress 2", "Progress 3"], "Progress 1"),
        ("2 of the 3 tasks on this case that you may see (open tasks first, then the newest). 1 task is not "
         "included", ["Finished task 2", "Finished task 3"], "Finished task 1"),
    ],
)  # fmt: skip
def test_each_bounded_section_at_one_over_the_limit_says_what_it_leaves_out_and_where_to_see_it(
    client, team, three_of_each, statement, kept, left_out
):
    text = summary_text(client, team, three_of_each)
    assert f"This summary holds {statement}: one summary holds at most 2 of each kind of record." in text
    assert all(name in text for name in kept)
    if left_out:
        assert left_out not in text


def test_each_note_names_the_case_page_that_shows_every_record(client, team, three_of_each):
    text = summary_text(client, team, three_of_each)
    for page, notes in (("Documents", 2), ("Information requests", 1), ("Assessments", 1),
                        ("Consent and support", 3), ("Tasks", 1)):  # fmt: skip
        assert text.count(f"See them all on the case's {page} page in Roundtable.") == notes


def test_the_first_page_names_every_section_that_is_not_whole(client, team, three_of_each):
    from tests.casesummary.conftest import pdf_pages

    force_sign_in(client, team["owner"])
    first_page = " ".join(pdf_pages(client.get(reverse("casesummary:pdf", args=[three_of_each.pk])).content)[0].split())
    assert (
        "Other sections leave records out too. Not included: 1 document, 1 restricted document, 1 information "
        "request, 1 completed assessment, 1 consent decision, 1 intervention, 1 progress update, 1 task." in first_page
    )


def test_a_section_at_the_limit_says_nothing_is_left_out(client, team, three_of_each, settings):
    settings.CASE_SUMMARY_MAX_RECORDS = 3
    text = summary_text(client, team, three_of_each)
    assert "of each kind of record" not in text and "Other sections leave records out" not in text
    assert "Open document 1" in text and "Finished task 1" in text and "Progress 1" in text


def test_the_audit_event_records_each_sections_counts_as_the_chronology_does(client, team, three_of_each):
    summary_text(client, team, three_of_each)
    details = AuditEvent.objects.get(action="case.summary_exported", case_id=three_of_each.pk).details
    assert details["record_limit"] == 2
    for name in ("documents", "withheld_documents", "information_requests", "assessments", "consent_decisions",
                 "interventions", "progress_updates", "tasks"):  # fmt: skip
        assert (details[name], details[f"{name}_total"], details[f"{name}_not_included"]) == (2, 3, 1), name


def test_the_latest_consent_decision_still_decides_the_consent_shown(client, team, three_of_each):
    from tests.support.factories import ConsentFactory

    ConsentFactory(case=three_of_each, decision="withdrawn", occurred_on=timezone.localdate())
    text = summary_text(client, team, three_of_each)
    assert "Support cannot start: consent was withdrawn on" in text
