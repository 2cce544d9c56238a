"""Every foundation page passes axe-core's automated accessibility checks.

Each page is also saved as a full-page screenshot in /tmp/screens/ for a human to look at."""

import pytest
from playwright.sync_api import Page, expect

from roundtable.accounts.models import Role
from roundtable.accounts.services import do_invite_user
from roundtable.audit.services import record
from tests.browser.conftest import AXE_JS, SCREENS, sign_in, sign_in_with_password
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser


def _people():
    organisation = OrganisationFactory(name="Northshire County Council")
    return {
        "practitioner": UserFactory(organisation=organisation, role=Role.PRACTITIONER, full_name="Pat Practitioner"),
        "org_admin": UserFactory(organisation=organisation, role=Role.ORG_ADMIN, full_name="Olu Admin"),
        "auditor": UserFactory(organisation=organisation, role=Role.AUDITOR, full_name="Aud Itor"),
    }


def open_sign_in(page: Page, people) -> None:
    page.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Roundtable")


def open_code(page: Page, people) -> None:
    sign_in_with_password(page, people["practitioner"].email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")


def open_invitation(page: Page, people) -> None:
    admin = people["org_admin"]
    _, raw_token = do_invite_user(
        admin,
        email="new.person@example.test",
        full_name="New Person",
        organisation=admin.organisation,
        role="practitioner",
    )
    page.goto(f"/invitation/{raw_token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account, New Person")
    page.get_by_text("I cannot scan the QR code").click()  # check the key inside the details too
    expect(page.locator("#totp-secret")).to_be_visible()


def open_home(page: Page, people) -> None:
    sign_in(page, people["practitioner"])


def open_account(page: Page, people) -> None:
    sign_in(page, people["practitioner"])
    page.goto("/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def open_users(page: Page, people) -> None:
    sign_in(page, people["org_admin"])
    page.goto("/admin/users/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_role("link", name="Pat Practitioner")).to_be_visible()


def open_invite_with_errors(page: Page, people) -> None:
    sign_in(page, people["org_admin"])
    page.goto("/admin/users/invite/")
    page.get_by_label("E-mail address").fill("not an e-mail address")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a user")
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    expect(page.locator(".govuk-error-message").first).to_be_visible()


def open_audit_log(page: Page, people) -> None:
    record(people["org_admin"], "user.viewed", people["practitioner"])
    sign_in(page, people["auditor"])
    page.goto("/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.locator("tbody tr").first).not_to_contain_text("No events match")
    page.get_by_text("Filter events").click()  # the filter form is inside a details element


def open_api_tokens(page: Page, people) -> None:
    sign_in(page, people["practitioner"])
    page.goto("/account/api-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your API tokens")


PAGES = {
    "sign-in": open_sign_in,
    "sign-in-code": open_code,
    "invitation": open_invitation,
    "home": open_home,
    "account": open_account,
    "users": open_users,
    "invite-user-with-errors": open_invite_with_errors,
    "audit-log": open_audit_log,
    "api-tokens": open_api_tokens,
}


def run_axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run()")
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['description']}")
        lines.append(f"  help: {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_the_page_has_no_axe_accessibility_violations(name, new_context):
    people = _people()
    # Our CSP allows only same-origin scripts; axe is injected inline, so bypass CSP here only.
    page = new_context(bypass_csp=True).new_page()
    PAGES[name](page, people)
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    rules = page.evaluate("Array.from(document.styleSheets).reduce((n, sheet) => n + sheet.cssRules.length, 0)")
    assert rules > 100, "the compiled stylesheet did not load, so colour contrast cannot be checked"

    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
    violations = run_axe(page)

    if violations:
        report = f"axe found {len(violations)} violation(s) on the {name} page ({page.url}):\n{describe(violations)}"
        pytest.fail(report, pytrace=False)


def test_each_link_in_the_error_summary_moves_focus_to_the_field_it_names(page):
    people = _people()
    open_invite_with_errors(page, people)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend focuses the summary so screen readers announce it

    links = summary.get_by_role("link")
    expect(links).to_have_count(3)  # full name, e-mail address, role
    targets = [links.nth(i).get_attribute("href") for i in range(3)]
    assert targets[:2] == ["#id_full_name", "#id_email"], targets

    links.nth(0).click()
    expect(page.get_by_label("Full name")).to_be_focused()
    links.nth(1).click()
    expect(page.get_by_label("E-mail address")).to_be_focused()

    links.nth(2).click()  # Role: a set of radios, so the link should go to the first radio
    first_role = page.get_by_role("radio").first
    assert targets[2] == "#id_role_0"
    expect(first_role).to_be_focused()


def test_role_radios_are_drawn_as_gov_uk_radios_without_a_second_browser_radio_on_top(page):
    sign_in(page, _people()["org_admin"])
    page.goto("/admin/users/invite/")
    radio = page.get_by_role("radio", name="Practitioner")
    expect(radio).to_be_visible()
    page.locator("main form").get_by_text("Practitioner", exact=True).click()  # people click the label
    expect(radio).to_be_checked()

    assert "govuk-radios__input" in (radio.get_attribute("class") or "")
    assert radio.evaluate("el => getComputedStyle(el).opacity") == "0"
