"""Roundtable is used on phones by practitioners out on visits."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, sign_in
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


def test_the_home_page_on_a_phone_sized_screen_does_not_scroll_sideways(new_context):
    user = UserFactory(
        full_name="Bartholomew Featherstonehaugh-Worthington",
        email="bartholomew.featherstonehaugh-worthington@example.test",
        organisation=OrganisationFactory(name="Northshire and Southshire Integrated Care Board Safeguarding Team"),
    )
    page = new_context(**PHONE).new_page()

    sign_in(page, user)

    assert page.evaluate("window.innerWidth") == 390
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "home-phone.png"), full_page=True)
    assert scroll_width <= 390, f"the page is {scroll_width}px wide on a 390px screen: it scrolls sideways"
    sign_out = page.get_by_role("banner").get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    box = sign_out.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
