"""An information request answered on the information return form the case's panel chose
(a form builder definition with a question of the panel's own), in a real browser: the police
officer asks the school; a teacher signs in on a phone, opens the request from the home page,
sees the panel's questions (no sideways scrolling, axe-core passes), sends once without the
panel's required question and is told so in the GOV.UK error summary with everything typed
kept, then answers; the officer reads every answer, the panel's question included, on the
request page.

Both sign in through the real sign-in page with a code (tests/browser/conftest.py's
``sign_in``). Nothing is screenshotted into the repository."""

import copy

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from roundtable.accounts.models import Role, Sector
from roundtable.formbuilder import choices
from roundtable.formbuilder.models import Submission
from roundtable.formbuilder.standard import INFORMATION_RETURN
from roundtable.inforequests.models import RequestRecipient
from tests.browser.conftest import AXE_JS, SCREENS, sign_in
from tests.browser.test_accessibility import describe
from tests.browser.test_formbuilder import _govuk_conditional_reveal
from tests.channel.factories import submit
from tests.factories import AreaFactory, OrganisationFactory, UserFactory
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
RECORDS = "Records checked"
OUTCOME = "Does your organisation know this person?"
SHARED = "Information you are sharing"
TYPED = "Excluded twice this term for sharing violent videos in class."
AXE_URL = "/__axe__.js"  # served by the test itself, from the same origin, so the CSP allows it


def _return_form(panel, chair):
    """The panel's own information return form: the standard one plus a required question."""
    from tests.formbuilder.factories import published_definition

    doc = copy.deepcopy(INFORMATION_RETURN)
    doc["name"] = "Northshire Channel information return"
    doc["sections"][0]["questions"].append(
        {
            "id": "records",
            "kind": "short_text",
            "label": RECORDS,
            "hint": "The systems you searched, for example SIMS.",
            "required": True,
        }
    )
    definition = published_definition(panel.area, doc)
    choices.do_choose_for_panel(chair, panel, "information_return", definition)
    return definition


def _cast():
    area = AreaFactory(name="Northshire")
    council = OrganisationFactory(name="Northshire County Council", area=area)
    police = OrganisationFactory(name="Northshire Police", area=area, sector=Sector.POLICE)
    school = OrganisationFactory(name="Millford Academy", area=area, sector=Sector.EDUCATION)
    people = {
        "chair": UserFactory(organisation=council, full_name="Chris Chair", role=Role.PANEL_CHAIR),
        "officer": UserFactory(organisation=police, full_name="Owen Officer"),
        "teacher": UserFactory(organisation=school, full_name="Tess Teacher"),
    }
    panel = PanelFactory(
        area=area, name="Northshire Channel Panel", chair=people["chair"], prevent_team=[people["officer"]]
    )
    return people, panel


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a phone ({width}px wide)"


def _axe(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
    page.add_script_tag(url=AXE_URL)
    violations = []
    for violation in page.evaluate("async () => (await axe.run()).violations"):
        if violation["id"] == "aria-allowed-attr":  # GOV.UK's own conditional reveal (see test_formbuilder)
            violation["nodes"] = [node for node in violation["nodes"] if not _govuk_conditional_reveal(node)]
        if violation["nodes"]:
            violations.append(violation)
    assert not violations, f"axe found violations on {name}:\n{describe(violations)}"


def _page(new_context, **options) -> Page:
    page = new_context(**options).new_page()
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
    return page


def test_a_partner_answers_on_the_panels_own_information_return_form_from_a_phone(new_context):
    people, panel = _cast()
    definition = _return_form(panel, people["chair"])
    case = submit(panel, given_name="Riley", family_name="Ashworth").case

    # The officer asks the school what it holds.
    officer = _page(new_context)
    sign_in(officer, people["officer"])
    officer.goto(reverse("inforequests:create", args=[case.pk]))
    officer.get_by_label("Millford Academy (Education)").check()
    officer.get_by_label("Legal duty to co-operate with the Channel panel").check()
    officer.get_by_label("Consent not sought").check()
    officer.get_by_label("Why consent was not sought").fill("Asking could alert others and put him at risk.")
    officer.get_by_role("button", name="Send request").click()
    expect(officer.get_by_text("Information request sent to 1 recipient")).to_be_visible()
    request_url = officer.url

    # A teacher at the school signs in on a phone and opens the request from the home page.
    phone = _page(new_context, **PHONE)
    sign_in(phone, people["teacher"])
    phone.get_by_role("link", name="See requests to answer").click()
    phone.get_by_role("link", name="Riley Ashworth").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("What do you know about Riley Ashworth?")
    phone.get_by_role("link", name="Answer this request").click()

    # The panel's form, not the fixed one: its questions, with its own among them.
    form = phone.locator("form.rt-fill-form")
    expect(phone.get_by_text(f"Answer on “{definition.name}” (version 1)")).to_be_visible()
    expect(form.get_by_role("group", name=OUTCOME)).to_be_visible()
    expect(form.get_by_label(RECORDS)).to_be_visible()
    expect(phone.get_by_label("Your answer")).to_have_count(0)  # the fixed form's box
    expect(phone.get_by_role("main")).not_to_contain_text("{#")  # no template comment printed on the page
    _no_sideways_scroll(phone)
    _axe(phone, "information-return-own-form-phone")

    # Sent without the panel's required question: the error summary names it, nothing is lost.
    form.get_by_role("group", name=OUTCOME).get_by_label("Known to us – information provided").check()
    shared = form.get_by_label(SHARED)
    expect(shared).to_be_visible()  # revealed by the choice
    shared.fill(TYPED)
    phone.get_by_role("button", name="Send answer").click()
    summary = phone.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(phone.get_by_role("main")).not_to_contain_text("{#")
    expect(summary.get_by_role("link", name="Enter records checked")).to_be_visible()
    expect(phone).to_have_title("Error: Answer an information request – Roundtable")
    expect(form.get_by_role("group", name=OUTCOME).get_by_label("Known to us – information provided")).to_be_checked()
    expect(shared).to_have_value(TYPED)
    records = form.get_by_label(RECORDS)
    expect(records).to_have_attribute("aria-describedby", "f-records-hint f-records-error")
    summary.get_by_role("link", name="Enter records checked").click()
    expect(records).to_be_focused()  # the summary's link goes to the question
    assert RequestRecipient.objects.get(request__case=case).status == "pending" and not Submission.objects.exists()
    _no_sideways_scroll(phone)
    _axe(phone, "information-return-own-form-errors-phone")

    records.fill("SIMS attendance and behaviour logs")
    phone.get_by_role("button", name="Send answer").click()
    expect(phone.get_by_text("Your answer has been sent to Owen Officer.")).to_be_visible()

    # The officer reads every answer on the request page, the panel's own question included.
    officer.goto(request_url)
    answer = officer.locator(".moj-ticket-panel")
    expect(answer).to_contain_text("Known to us – information provided")
    expect(answer).to_contain_text(TYPED)
    expect(answer).to_contain_text("Answered by Tess Teacher (Millford Academy)")
    every = answer.locator("details")
    every.get_by_text(f"Every answer given on “{definition.name}”, version 1").click()
    expect(every.get_by_text(RECORDS)).to_be_visible()
    expect(every.get_by_text("SIMS attendance and behaviour logs")).to_be_visible()
    _axe(officer, "information-return-own-form-answered")
    submission = RequestRecipient.objects.get(request__case=case).form_submission
    assert submission.version == definition.latest_version
    assert submission.answers["records"] == "SIMS attendance and behaviour logs"
