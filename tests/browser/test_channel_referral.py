"""The public Prevent referral page on a phone, under the real content security policy:
accessible (axe), no sideways scrolling, errors then a reference number, and the GOV.UK
"Exit this page" button leaves the site."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AXE_JS, SCREENS
from tests.browser.test_accessibility import describe
from tests.panels.factories import PanelFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
AXE_URL = "/__axe__.js"  # served by the test itself, from the same origin, so the CSP allows it
ELSEWHERE = "https://www.bbc.co.uk/weather"


def _axe(page) -> list:
    page.add_script_tag(url=AXE_URL)
    return page.evaluate("async () => (await axe.run()).violations")


def test_a_member_of_the_public_refers_someone_from_a_phone(new_context, live_server):
    from tests.factories import AreaFactory

    PanelFactory(area=AreaFactory(name="Northshire"))
    page = new_context(**PHONE).new_page()
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
    page.route(f"{ELSEWHERE}*", lambda route: route.fulfill(body="<title>Weather</title>", content_type="text/html"))

    page.goto("/refer/")
    expect(page.get_by_text("If someone is in immediate danger, call 999.").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"
    violations = _axe(page)
    assert not violations, describe(violations)

    # Sent empty: the error summary names each problem, and is accessible too.
    page.get_by_role("button", name="Send the referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the person's first name")
    expect(summary).to_contain_text("Describe your concern")
    violations = _axe(page)
    assert not violations, describe(violations)

    page.get_by_label("First name").fill("Riley")
    page.get_by_label("Last name").fill("Ashworth")
    page.get_by_label("If you do not know their date of birth, their approximate age").fill("15")
    page.get_by_label("What is your concern?").fill("Watches videos praising attacks and says he wants to act.")
    page.get_by_label("Talking about, justifying or planning violence").check()
    page.get_by_role("group", name="How urgent is this?").get_by_label("Urgent").check()
    page.get_by_role("group", name="Does the person know you are making this referral?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("group", name="Do their family or carers know?").get_by_label("I do not know").check()
    page.get_by_role("group", name="Did the person").get_by_label("They have not been asked").check()
    page.get_by_label("Your name", exact=True).fill("A relative")
    page.get_by_label("Family or friend").check()
    page.get_by_label("Your phone number").fill("01632 960 001")
    page.get_by_role("button", name="Send the referral").click()

    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()
    expect(page.locator(".govuk-panel__body")).to_contain_text(re.compile(r"PR-[A-Z0-9]{4}-[A-Z0-9]{4}"))
    expect(page.get_by_text("Riley")).to_have_count(0)  # nothing sent is shown back
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "channel-referral-sent-phone.png"), full_page=True)

    # "Exit this page" works under our CSP: the button, and the Shift key pressed 3 times,
    # which only the component's script (same-origin, no inline code) can do.
    page.get_by_role("button", name="Emergency Exit this page").click()
    expect(page).to_have_url(ELSEWHERE)
    page.goto("/refer/")
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_url(ELSEWHERE)


def test_the_public_page_draws_the_panels_own_referral_form_on_a_phone(new_context, live_server):
    """A panel that chose its own referral form (the standard one plus a question of its own,
    shown only for one answer): GOV.UK rendering, error summary, conditional reveal, axe,
    no sideways scrolling; the referral and every answer reach the case."""
    import copy

    from roundtable.channel.models import Referral
    from roundtable.formbuilder.models import PanelFormChoice
    from roundtable.formbuilder.standard import CHANNEL_REFERRAL
    from tests.browser.test_formbuilder import _govuk_conditional_reveal
    from tests.factories import AreaFactory
    from tests.formbuilder.factories import published_definition

    panel = PanelFactory(area=AreaFactory(name="Northshire"))
    doc = copy.deepcopy(CHANNEL_REFERRAL)
    doc["sections"][1]["questions"].insert(
        4,
        {
            "id": "q_where",
            "kind": "short_text",
            "label": "Which website or app",
            "required": True,
            "show_if": {"question": "urgency", "op": "equals", "value": "urgent"},
        },
    )
    definition = published_definition(panel.area, doc)
    PanelFormChoice.objects.create(panel=panel, purpose="referral", definition=definition)

    page = new_context(**PHONE).new_page()
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
    page.goto("/refer/")
    expect(page.get_by_text("If someone is in immediate danger, call 999.").first).to_be_visible()
    expect(page.get_by_role("button", name="Emergency Exit this page")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"

    page.get_by_role("button", name="Send the referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the person's first name")
    expect(summary).to_contain_text("Describe your concern")
    expect(summary).to_contain_text("Enter an e-mail address or a phone number")
    violations = []
    for violation in _axe(page):
        if violation["id"] == "aria-allowed-attr":  # GOV.UK's own conditional reveal (see test_formbuilder)
            violation["nodes"] = [node for node in violation["nodes"] if not _govuk_conditional_reveal(node)]
        if violation["nodes"]:
            violations.append(violation)
    assert not violations, describe(violations)

    page.get_by_label("First name").fill("Riley")
    page.get_by_label("Last name").fill("Ashworth")
    page.get_by_label("If you do not know their date of birth, their approximate age").fill("15")
    page.get_by_label("What is your concern?").fill("Watches videos praising attacks and says he wants to act.")
    where = page.get_by_label("Which website or app")
    expect(where).to_be_hidden()
    page.get_by_role("group", name="How urgent is this?").get_by_label("Urgent").check()
    expect(where).to_be_visible()  # the GOV.UK conditional reveal
    where.fill("A gaming chat server")
    page.get_by_role("group", name="Does the person know you are making this referral?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("group", name="Do their family or carers know?").get_by_label("I do not know").check()
    page.get_by_role("group", name="Did the person").get_by_label("They have not been asked").check()
    page.get_by_label("Your name", exact=True).fill("A relative")
    page.get_by_label("Family or friend").check()
    page.get_by_label("Your phone number").fill("01632 960 001")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "channel-referral-own-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Send the referral").click()

    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()
    expect(page.get_by_text("Riley")).to_have_count(0)
    referral = Referral.objects.get()
    assert referral.approximate_age == 15 and referral.urgency == "urgent"
    assert referral.form_submission.answers["q_where"] == "A gaming chat server"
