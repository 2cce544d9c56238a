"""The case summary PDF: what it holds, for whom, and what producing it records."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from roundtable.api.services import do_create_token
from roundtable.audit.models import AuditEvent
from roundtable.audit.services import verify_chain
from tests.casesummary.conftest import ANSWER, RETRACTED_TEXT, SECRET, SECRET_DOCUMENT, pdf_pages, pdf_text
from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db


def download(client, user, case):
    force_sign_in(client, user)
    return client.get(reverse("casesummary:pdf", args=[case.pk]))


def api_download(client, user, case):
    _, raw = do_create_token(user, name="court bundle", days=1)
    return client.get(f"/api/v1/cases/{case.pk}/summary.pdf", headers={"Authorization": f"Bearer {raw}"})


def exports(case):
    return AuditEvent.objects.filter(action="case.summary_exported", case_id=case.pk)


# --- Who may produce it ----------------------------------------------------------------------------
def test_the_owner_gets_an_attachment_named_by_reference_that_no_cache_keeps(client, team):
    response = download(client, team["owner"], team["case"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"case-summary-{team['case'].reference}-{timezone.localdate():%Y-%m-%d}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    assert "Łukasiewicz" not in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_a_panel_chair_on_the_case_may_produce_it(client, team):
    assert download(client, team["chair"], team["case"]).status_code == 200


@pytest.mark.parametrize("who", ["contributor", "viewer", "colleague", "outsider"])
def test_everyone_else_gets_404_and_nothing_is_recorded_as_exported(client, team, who):
    assert download(client, team[who], team["case"]).status_code == 404
    assert not exports(team["case"]).exists()


def test_a_case_that_does_not_exist_is_404_like_one_you_may_not_see(client, team):
    assert download(client, team["owner"], team["case"]).status_code == 200
    assert client.get(reverse("casesummary:pdf", args=[team["case"].pk + 999])).status_code == 404


def test_the_summary_page_offers_the_download_only_to_those_who_may_produce_it(client, team):
    page = reverse("casesummary:page", args=[team["case"].pk])
    force_sign_in(client, team["owner"])
    assert page in client.get(reverse("cases:detail", args=[team["case"].pk])).text
    force_sign_in(client, team["viewer"])
    assert page not in client.get(reverse("cases:detail", args=[team["case"].pk])).text


# --- Audit ---------------------------------------------------------------------------------------
def test_producing_it_is_audited_with_the_page_count_and_a_fingerprint_of_the_file(client, team, chronology):
    response = download(client, team["owner"], team["case"])
    event = exports(team["case"]).get()
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    assert event.actor_id == team["owner"].pk
    assert event.person_id == team["person"].pk
    assert event.details["pages"] == pages > 1
    assert event.details["via"] == "page"
    assert event.details["entries"] == 4 and event.details["entries_withheld"] == 0
    import hashlib

    assert event.details["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert SECRET not in str(event.details) and verify_chain().ok


# --- What it holds ---------------------------------------------------------------------------------
def test_it_holds_the_cover_profile_case_and_members(client, team, profile):
    content = download(client, team["owner"], team["case"]).content
    pages = pdf_pages(content)
    cover = pages[0]
    assert team["case"].reference in cover and "Zoë Łukasiewicz" in cover
    assert "OFFICIAL-SENSITIVE" in cover and "Olga Owner, Northshire County Council" in cover
    assert team["person"].date_of_birth.strftime("%-d %B %Y") in cover
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert team["case"].reference in page and page.count("OFFICIAL-SENSITIVE") >= 2
    text = pdf_text(content)
    for expected in ("محمد", "12 Mill Lane", "Child in Need", "Youth diversion", "Concerns about online contact",
                     "Chandra Chair", "Nguyễn Văn An", "Vera Viewer", "Viewer"):  # fmt: skip
        assert expected in text, expected


def test_the_chronology_is_in_order_with_amendments_and_retractions(client, team, chronology):
    text = pdf_text(download(client, team["owner"], team["case"]).content)
    assert text.index("Home visit") < text.index("School call") < text.index("Retracted note")
    assert "The school reported twelve absences this term." in text
    assert "The school reported absences." in text and "Reason: Exact number" in text
    assert "Recorded on the wrong case" in text
    assert RETRACTED_TEXT not in text


def test_the_owner_named_on_a_restricted_entry_reads_it_and_sees_who_else_may(client, team, chronology):
    text = pdf_text(download(client, team["owner"], team["case"]).content)
    assert SECRET in text
    assert "Only Nguyễn Văn An, Olga Owner can read this entry." in text


def test_a_chair_not_named_on_a_restricted_entry_gets_only_that_it_exists_and_whom_to_ask(client, team, chronology):
    content = download(client, team["chair"], team["case"]).content
    text = pdf_text(content)
    assert SECRET not in text and "Secret summary" not in text
    assert "Restricted entry" in text and "Ask Nguyễn Văn An for access." in text
    assert SECRET.encode() not in content
    assert exports(team["case"]).get().details["entries_withheld"] == 1


def test_restricted_documents_are_listed_without_their_title(client, team, records):
    text = pdf_text(download(client, team["owner"], team["case"]).content)
    assert "Referral form" in text and "referral.pdf" in text
    assert SECRET_DOCUMENT not in text and "disclosure.pdf" not in text
    assert "Restricted document" in text and "Ask Nguyễn Văn An if you need to see it." in text


def test_an_answer_the_owner_may_not_read_is_withheld_but_the_chair_reads_it(client, team, records):
    owner_text = pdf_text(download(client, team["owner"], team["case"]).content)
    assert ANSWER not in owner_text
    assert "Asked: Northshire Health" in owner_text and "until it is shared with the case" in owner_text
    assert "Asked: Northshire Housing" in owner_text and "Waiting for an answer." in owner_text
    assert "Legal duty to co-operate with the Channel panel" in owner_text
    chair_text = pdf_text(download(client, team["chair"], team["case"]).content)
    assert ANSWER in chair_text and "Known to us – information provided" in chair_text


def test_assessments_consent_support_and_tasks_are_in_it(client, team, records):
    text = pdf_text(download(client, team["owner"], team["case"]).content)
    for expected in (
        "Vulnerability assessments",
        "Feelings of grievance and injustice",
        "Present (High). Seen at school",
        "Vulnerable; suitable for support",
        "Consent given",
        "Understood what support is offered",
        "Agreed at the family meeting.",
        "Consent to support is in force.",
        "Mentoring (including on ideology)",
        "Spends long hours on extremist forums",
        "Second mentoring session: talked about football.",
        "Ask the school for attendance records",
    ):
        assert expected in text, expected


def test_a_second_assessment_shows_what_changed(client, team, records):
    from tests.assessments.factories import completed_assessment

    completed_assessment(team["case"], present={"Feelings of grievance and injustice": "low"})
    text = pdf_text(download(client, team["owner"], team["case"]).content)
    assert "Attending mentoring." in text
    assert "Feelings of grievance and injustice: rated lower (present, high → present, low)" in text


# --- A Channel case ----------------------------------------------------------------------------------
def test_a_channel_case_shows_the_referral_and_each_decision_with_its_reasons(client, area):
    from roundtable.channel.services import do_channel_transition
    from tests.channel.factories import SCREENING_CLEAR, submit
    from tests.panels.factories import PanelFactory

    panel = PanelFactory(area=area)
    channel_case = submit(panel, given_name="Nguyễn", family_name="Thị Minh")
    do_channel_transition(panel.prevent_team.first(), channel_case, "screen_pass_to_local_authority", SCREENING_CLEAR)
    channel_case.refresh_from_db()
    do_channel_transition(panel.chair, channel_case, "next_step_panel_hearing",
                          {"reasons": "Vulnerable and appropriate for a panel.", "agreed": True})  # fmt: skip
    response = download(client, panel.chair, channel_case.case)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Prevent and Channel" in text and "Has been sharing extremist videos with classmates." in text
    assert "Low risk to others; vulnerable to online grooming." in text
    assert "Vulnerable and appropriate for a panel." in text
    assert text.index("Referral received") < text.index("Vulnerable and appropriate for a panel.")
    assert "Source Public referral page" in text and "in_app" not in text and "public_page" not in text


def test_the_chair_of_a_channel_panel_may_produce_it_whatever_their_account_role(client, area):
    from roundtable.access import policy
    from roundtable.accounts.models import Role
    from roundtable.channel.services import do_channel_transition
    from tests.channel.factories import SCREENING_CLEAR, submit
    from tests.factories import OrganisationFactory, UserFactory
    from tests.panels.factories import PanelFactory

    chair = UserFactory(role=Role.PRACTITIONER, organisation=OrganisationFactory(area=area))
    panel = PanelFactory(area=area, chair=chair)
    channel_case = submit(panel)
    assert not policy.can(chair, "case.export_summary", channel_case.case)  # not on the case yet
    do_channel_transition(panel.prevent_team.first(), channel_case, "screen_pass_to_local_authority", SCREENING_CLEAR)
    lead = panel.children_lead  # joins the case with the chair, as a contributor
    assert download(client, chair, channel_case.case).status_code == 200
    assert download(client, lead, channel_case.case).status_code == 404


# --- The API -------------------------------------------------------------------------------------------
def test_the_api_gives_the_same_pdf_and_records_it_came_through_the_api(client, team, chronology):
    response = api_download(client, team["owner"], team["case"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "attachment" in response["Content-Disposition"]
    assert exports(team["case"]).get().details["via"] == "api"


def test_the_api_answers_404_to_a_member_who_may_not_export_and_401_without_a_token(client, team):
    assert api_download(client, team["contributor"], team["case"]).status_code == 404
    assert client.get(f"/api/v1/cases/{team['case'].pk}/summary.pdf").status_code == 401
    assert not exports(team["case"]).exists()


def test_who_has_seen_this_shows_the_download_in_plain_words(client, team):
    download(client, team["chair"], team["case"])
    force_sign_in(client, team["owner"])
    page = client.get(reverse("cases:history", args=[team["case"].pk])).text
    assert "Downloaded the case summary (PDF)" in page and team["chair"].email in page
