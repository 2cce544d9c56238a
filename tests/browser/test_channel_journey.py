"""One fictional Prevent referral through the whole Channel process, in a real browser
(issue 4's acceptance test): the public referral form; screening by a police Prevent officer
(signed in through the real sign-in page with a code); next steps by the chair; information
requests to two organisations, one answered by its recipient, the other left to go overdue
(the reminder job flags it in the grid); a vulnerability assessment; the panel adopts;
consent is recorded; support starts; two reviews, each with a new assessment whose scores and
changes the review shows; exit recommended and endorsed by the chair and the police Prevent
lead (two people); and the 6-month post-exit review task.

Everyone but the Prevent officer signs in with a session cookie (tests/conftest.py's
``force_sign_in``), and every page is reached by its address: the test is about the Channel
journey, and sign-in has its own browser tests. Nothing is screenshotted into the repository."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from roundtable.accounts.models import Role, Sector
from roundtable.assessments.defaults import DEFAULT_FACTORS
from roundtable.channel.models import ChannelCase, Referral
from roundtable.inforequests.models import InformationRequest, RequestRecipient
from roundtable.inforequests.services import send_information_request_reminders
from tests.browser.conftest import sign_in
from tests.conftest import force_sign_in
from tests.factories import AreaFactory, OrganisationFactory, UserFactory
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.browser

FACTORS = [label for _key, _dimension, label in DEFAULT_FACTORS]
GRIEVANCE = "Feelings of grievance and injustice"
IDENTITY = "A need for identity, meaning and belonging"
THEM_AND_US = "“Them and us” thinking"


def _cast():
    area = AreaFactory(name="Northshire")
    council = OrganisationFactory(name="Northshire County Council", area=area)
    police = OrganisationFactory(name="Northshire Police", area=area, sector=Sector.POLICE)
    school = OrganisationFactory(name="Millford Academy", area=area, sector=Sector.EDUCATION)
    health = OrganisationFactory(name="Northshire Health Trust", area=area, sector=Sector.HEALTH)
    mentors = OrganisationFactory(name="Northshire Youth Mentoring", area=area, sector=Sector.VOLUNTARY)
    people = {
        "chair": UserFactory(organisation=council, full_name="Chris Chair", role=Role.PANEL_CHAIR),
        "police_lead": UserFactory(organisation=police, full_name="Pat Lead"),
        "officer": UserFactory(organisation=police, full_name="Owen Officer"),
        "children_lead": UserFactory(organisation=council, full_name="Cara Children"),
        "adults_lead": UserFactory(organisation=council, full_name="Adam Adults"),
        "admin": UserFactory(organisation=council, full_name="Alex Admin", role=Role.PANEL_ADMIN),
        "teacher": UserFactory(organisation=school, full_name="Tess Teacher"),
        "nurse": UserFactory(organisation=health, full_name="Nia Nurse"),
    }
    PanelFactory(
        area=area,
        name="Northshire Channel Panel",
        chair=people["chair"],
        police_lead=people["police_lead"],
        children_lead=people["children_lead"],
        adults_lead=people["adults_lead"],
        prevent_team=[people["officer"]],
        administrators=[people["admin"]],
    )
    return people, mentors


def _assess(page, case_pk, present: dict[str, str], *, changes: str = "") -> None:
    """A whole vulnerability assessment through its pages: ``present`` factors (label: rating)
    with evidence, every other factor not present, then completed."""
    page.goto(reverse("assessments:start", args=[case_pk]))
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_text("The draft assessment is started.")).to_be_visible()
    for label in FACTORS:
        factor = page.get_by_role("group", name=label, exact=True)
        if label in present:
            factor.get_by_label("Yes, present").check()
            factor.get_by_label(present[label].capitalize(), exact=True).check()
            page.get_by_label(f"Evidence for “{label}”").fill("Seen by the school and the mentor.")
        else:
            factor.get_by_label("No, not present").check()
    if changes:
        page.get_by_label("What has changed since the last assessment").fill(changes)
    page.get_by_label("Overall conclusion").fill("Vulnerable to influence online; the risk to others is low.")
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("The assessment is completed.")).to_be_visible()


def _step(page, case_pk, step: str):
    page.goto(reverse("channel:step", args=[case_pk, step]))
    return page


def _recorded(page, what: str, state: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Recorded: {what}. The case is now “{state}”.")


def _review(page, case_pk, summary: str, scores: list[str]) -> None:
    _step(page, case_pk, "review")
    shown = page.locator("#review-assessment-scores")
    for text in scores:
        expect(shown).to_contain_text(text)
    page.get_by_label("Summary of the review").fill(summary)
    page.get_by_role("group", name="Do concerns remain?").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record a panel review").click()
    _recorded(page, "Record a panel review", "Receiving support")


def test_a_referral_from_the_public_form_to_exit_and_the_six_month_review(new_context, live_server):
    people, mentors = _cast()
    today = timezone.localdate()

    def as_user(user):
        """A page signed in as ``user`` through a session cookie."""
        client = Client()
        force_sign_in(client, user)
        context = new_context()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        return context.new_page()

    # 1. A relative refers on the public page: a reference number, nothing shown back.
    public = new_context().new_page()
    public.goto("/refer/")
    public.get_by_label("First name").fill("Riley")
    public.get_by_label("Last name").fill("Ashworth")
    public.get_by_label("If you do not know their date of birth, their approximate age").fill("15")
    public.get_by_label("What is your concern?").fill("Watches videos praising attacks and says he wants to act.")
    public.get_by_label("Talking about, justifying or planning violence").check()
    public.get_by_role("group", name="How urgent is this?").get_by_label("Urgent").check()
    public.get_by_role("group", name="Does the person know you are making this referral?").get_by_label(
        "No", exact=True
    ).check()
    public.get_by_role("group", name="Do their family or carers know?").get_by_label("I do not know").check()
    public.get_by_role("group", name="Did the person").get_by_label("They have not been asked").check()
    public.get_by_label("Your name", exact=True).fill("A relative")
    public.get_by_label("Family or friend").check()
    public.get_by_label("Your phone number").fill("01632 960 001")
    public.get_by_role("button", name="Send the referral").click()
    expect(public.get_by_role("heading", name="Referral sent")).to_be_visible()
    reference = re.search(r"PR-[A-Z0-9]{4}-[A-Z0-9]{4}", public.locator(".govuk-panel__body").inner_text())[0]
    channel_case = ChannelCase.objects.select_related("case").get(referral__reference=reference)
    case_pk = channel_case.case_id
    assert Referral.objects.get(reference=reference).source == Referral.Source.PUBLIC

    # 2. The Prevent officer signs in (password and code), finds it in the queue and screens it.
    officer = new_context().new_page()
    sign_in(officer, people["officer"])
    officer.goto(reverse("channel:queue"))
    expect(officer.get_by_role("main")).to_contain_text("Urgent")
    _step(officer, case_pk, "screening")
    officer.get_by_label("Pass to the local authority Prevent lead").check()
    officer.get_by_label("Deconfliction has been checked").check()
    checked_on = officer.get_by_role("group", name="Date deconfliction was checked")
    checked_on.get_by_label("Day").fill(str(today.day))
    checked_on.get_by_label("Month").fill(str(today.month))
    checked_on.get_by_label("Year").fill(str(today.year))
    officer.get_by_role("group", name="Deconfliction result").get_by_label("Clear", exact=True).check()
    officer.get_by_label("Initial view of risk").fill("Vulnerable to online influence; no known access to weapons.")
    officer.get_by_role("button", name="Record the decision").click()
    _recorded(officer, "Pass to the local authority Prevent lead", "With the local authority Prevent lead")

    # 3. The chair records the next step agreed with the police: a panel hearing.
    chair = as_user(people["chair"])
    _step(chair, case_pk, "next_step")
    chair.get_by_label("Arrange a panel hearing").check()
    chair.get_by_label("Reasons").fill("Credible concern; the family will talk to us.")
    chair.get_by_label("The chair and the police agreed this next step").check()
    chair.get_by_role("button", name="Record the decision").click()
    _recorded(chair, "Arrange a panel hearing", "Waiting for a panel hearing")

    # 4. The officer asks the school and the health trust what they hold.
    officer.goto(reverse("inforequests:create", args=[case_pk]))
    officer.get_by_label("Millford Academy (Education)").check()
    officer.get_by_label("Northshire Health Trust (Health)").check()
    officer.get_by_label("Legal duty to co-operate with the Channel panel").check()
    officer.get_by_label("Consent not sought").check()
    officer.get_by_label("Why consent was not sought").fill("Asking could alert others and put him at risk.")
    officer.get_by_role("button", name="Send request").click()
    expect(officer.get_by_text("Information request sent to 2 recipients")).to_be_visible()
    recipients = RequestRecipient.objects.filter(request__case_id=case_pk)
    school_row = recipients.get(organisation__name="Millford Academy")

    # The teacher answers in the browser; the health trust does not.
    teacher = as_user(people["teacher"])
    teacher.goto(reverse("inforequests:answer", args=[school_row.pk]))
    teacher.get_by_label("Known to us – information provided").check()
    teacher.get_by_label("Your answer").fill("Excluded twice this term for sharing violent videos in class.")
    teacher.get_by_role("button", name="Send answer").click()
    expect(teacher.get_by_text("Your answer has been sent to Owen Officer.")).to_be_visible()

    # The deadline passes (moved back, as the clock would move on) and the daily job runs.
    InformationRequest.objects.filter(case_id=case_pk).update(due_date=today - timedelta(days=1))
    report = send_information_request_reminders()
    assert report.overdue == 1 and report.requesters_told == 1
    officer.goto(reverse("inforequests:case_requests", args=[case_pk]))
    grid = officer.locator("table.govuk-table")
    expect(grid.locator("tr", has_text="Millford Academy")).to_contain_text("Answered")
    expect(grid.locator("tr", has_text="Northshire Health Trust")).to_contain_text("Overdue")
    expect(officer.get_by_role("main")).to_contain_text("1 of 2 answered")
    expect(officer.get_by_role("main").get_by_text("1 overdue", exact=True)).to_be_visible()

    # 5. The panel assesses vulnerability, and the chair confirms the decision to adopt.
    _assess(chair, case_pk, {GRIEVANCE: "high", IDENTITY: "medium", THEM_AND_US: "high"})
    _step(chair, case_pk, "panel_decision")
    chair.get_by_label("Adopt as a Channel case").check()
    chair.get_by_label("Reasons").fill("Vulnerable to radicalisation and appropriate for Channel.")
    chair.get_by_role("button", name="Record the decision").click()
    _recorded(chair, "Adopt as a Channel case", "Adopted as a Channel case")

    # 6. Consent (his mother's: he is 15), then support in the plan and started.
    chair.goto(reverse("support:record_consent", args=[case_pk]))
    chair.get_by_label("Consent was given").check()
    chair.get_by_label("A parent").check()
    chair.get_by_label("Name of the parent").fill("Dana Ashworth")
    chair.get_by_label("In person").check()
    # Only his approximate age is known, so he may be 16: capacity is considered.
    chair.get_by_label("How was Riley Ashworth's capacity to decide considered?").fill(
        "Spoken to with his mother; he understood what mentoring involves and agreed too."
    )
    chair.get_by_role("button", name="Save the decision").click()
    expect(chair.get_by_role("main")).to_contain_text("Consent given")
    chair.goto(reverse("support:create_intervention", args=[case_pk]))
    chair.get_by_label("Mentoring (including on ideology)").check()
    chair.get_by_label("A partner organisation").check()
    chair.get_by_label("Partner organisation", exact=True).select_option(label=mentors.name)
    chair.get_by_label("Start date").fill(today.isoformat())
    chair.get_by_label("Behaviours this support addresses").fill("Sharing violent material; isolation.")
    chair.get_by_label("Risks this support addresses").fill("Grooming online.")
    chair.get_by_label("Risks to the provider").fill("None identified.")
    chair.get_by_label("Yes, it is active now").check()
    chair.get_by_role("button", name="Add support").click()
    expect(chair.get_by_role("main")).to_contain_text("Mentoring (including on ideology)")
    _step(chair, case_pk, "support")
    start = chair.get_by_role("group", name="Date support started")
    start.get_by_label("Day").fill(str(today.day))
    start.get_by_label("Month").fill(str(today.month))
    start.get_by_label("Year").fill(str(today.year))
    chair.get_by_role("button", name="Start support").click()
    _recorded(chair, "Start support", "Receiving support")

    # 7. Two reviews, each re-assessing him: the review page shows the new scores beside the last.
    _step(chair, case_pk, "review")
    expect(chair.locator("#review-no-assessment")).to_contain_text(
        "No vulnerability assessment has been completed since the panel adopted the case."
    )
    _assess(chair, case_pk, {GRIEVANCE: "medium", THEM_AND_US: "high"}, changes="Meeting his mentor weekly.")
    _review(chair, case_pk, "Engaging with his mentor; still angry.", ["Engagement", "Intent"])
    _assess(chair, case_pk, {GRIEVANCE: "low"}, changes="Back in class full time; no longer talks of them and us.")
    _review(chair, case_pk, "Much calmer; the school reports no concerns.", ["Intent"])
    chair.goto(reverse("channel:case", args=[case_pk]))
    history = chair.locator(".moj-timeline")
    expect(history).to_contain_text("Back in class full time; no longer talks of them and us.")
    expect(history).to_contain_text("“Them and us” thinking: no longer present (present, high → not present)")
    chair.goto(reverse("assessments:case_assessments", args=[case_pk]))
    scores = chair.locator("table.govuk-table").first.locator("tbody tr")
    expect(scores).to_have_count(3)  # the chart's table: the first assessment and both reviews'

    # 8. Exit: the panel recommends; the chair and the police Prevent lead endorse.
    _step(chair, case_pk, "exit")
    chair.get_by_label("Reasons").fill("Risk has fallen; the family and school support him.")
    chair.get_by_role("button", name="Recommend exit").click()
    _recorded(chair, "Recommend exit", "Exit recommended – waiting for endorsements")
    _step(chair, case_pk, "exit")
    chair.get_by_label("Endorse the exit as chair").check()
    chair.get_by_role("button", name="Record the decision").click()
    _recorded(chair, "Endorse the exit as chair", "Exit recommended – waiting for endorsements")
    lead = as_user(people["police_lead"])
    _step(lead, case_pk, "exit")
    lead.get_by_label("Endorse the exit as police Prevent lead").check()
    lead.get_by_role("button", name="Record the decision").click()
    _recorded(lead, "Endorse the exit as police Prevent lead", "Exited Channel")

    # 9. The chair has the post-exit review tasks, the first due in 6 months.
    chair.goto(reverse("tasks:case_tasks", args=[case_pk]))
    expect(chair.get_by_role("main")).to_contain_text("Post-exit review: 6 months after exit")
    expect(chair.get_by_role("main")).to_contain_text("Post-exit review: 12 months after exit")
    channel_case.refresh_from_db()
    assert channel_case.state == "exited"
    assert channel_case.exit_chair_endorsed_by == people["chair"]
    assert channel_case.exit_police_endorsed_by == people["police_lead"]
