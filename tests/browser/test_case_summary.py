"""The case summary page on a phone: the case owner follows the link from the case, asks for
dates holding too many chronology entries and is told so with the dates kept, then downloads
a PDF whose first page names the dates. Accessible (axe) and no sideways scrolling at 390 px."""

import io
import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import AXE_JS, sign_in
from tests.browser.test_accessibility import describe
from tests.factories import CaseFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
AXE_URL = "/__axe__.js"  # served by the test itself, from the same origin, so the CSP allows it


def _axe(page) -> list:
    page.add_script_tag(url=AXE_URL)
    return page.evaluate("async () => (await axe.run()).violations")


def _fits_a_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"


def _fill_dates(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_a_case_owner_chooses_the_dates_of_a_case_summary_and_downloads_it_on_a_phone(new_context, settings):
    settings.CASE_SUMMARY_MAX_ENTRIES = 2
    owner = UserFactory(full_name="Olga Owner")
    case = CaseFactory(owner=owner, title="Concerns about online contact")
    for day in (1, 2, 3):
        EntryFactory(case=case, author=owner, summary=f"Day {day} visit",
                     occurred_at=timezone.make_aware(datetime(2026, 3, day, 12)))  # fmt: skip

    page = new_context(**PHONE).new_page()
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
    sign_in(page, owner)
    page.goto(reverse("cases:detail", args=[case.pk]))
    page.get_by_role("button", name="Case summary (PDF)").or_(
        page.get_by_role("link", name="Case summary (PDF)")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case summary (PDF)")
    expect(
        page.get_by_text("You may see 3 chronology entries on this case. One summary holds at most 2")
    ).to_be_visible()
    _fits_a_phone(page)
    violations = _axe(page)
    assert not violations, describe(violations)

    # Three entries in a summary that holds two: refused, saying both numbers, dates kept.
    _fill_dates(page, "Entries from", "1", "3", "2026")
    _fill_dates(page, "Entries up to and including", "3", "3", "2026")
    page.get_by_role("button", name="Download case summary (PDF)").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(
        "The dates you chose hold 3 chronology entries, and a case summary can hold at most 2."
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    from_dates = page.get_by_role("group", name="Entries from")
    expect(from_dates.get_by_label("Day")).to_have_value("1")
    expect(from_dates.get_by_label("Year")).to_have_value("2026")
    expect(page.get_by_role("group", name="Entries up to and including").get_by_label("Day")).to_have_value("3")
    _fits_a_phone(page)
    violations = _axe(page)
    assert not violations, describe(violations)

    # Two days: the PDF, its first page naming them.
    page.get_by_role("group", name="Entries from").get_by_label("Day").fill("2")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download case summary (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("case-summary-") and download.suggested_filename.endswith(".pdf")
    content = open(download.path(), "rb").read()  # noqa: SIM115  (the download's temporary file)
    assert content.startswith(b"%PDF")
    first_page = " ".join((PdfReader(io.BytesIO(content)).pages[0].extract_text() or "").split())
    assert "the 2 entries from 2 March 2026 to 3 March 2026 (the dates chosen)" in first_page
    assert "1 entry is not in this summary: 1 before 2 March 2026." in first_page
