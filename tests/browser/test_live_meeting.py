"""A panel meeting in three browsers — the chair's, the administrator's and a member's.

The chair starts the meeting and moves through the items; the member's page follows
without a reload (its stage and the meeting's status tag, sent on the socket); the
decision and the action the administrator records appear on the chair's and the member's
pages without a reload; the chair closes the meeting and approves the minutes, whose PDF
holds the decision and the action.

Channels over a real ASGI server (uvicorn in a thread, as the live chronology's browser
test does, whose fixtures this reuses) and Debian's Chromium through Playwright. Like that
test it runs on PostgreSQL only: an in-memory SQLite database shared by the server's
threads and the test is flaky."""

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from roundtable.accounts.models import Role
from tests.cases.test_live_browser import _signed_in_page, asgi_server, chromium  # noqa: F401
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.meetings.factories import BehaviourPanelFactory, ItemFactory, MeetingFactory, publish


@pytest.fixture(scope="session")
def _leftover_connections_end_with_the_run(django_db_setup, django_db_blocker):
    """The server's worker threads keep the database connection of the last request each one
    served; on PostgreSQL that stops the test database being dropped at the end of the run.
    They are ended then, not after this test: ending them earlier also ends the connections
    that later tests' threads (Channels, asgiref executors) still hold in this process."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def server(asgi_server, _leftover_connections_end_with_the_run):  # noqa: F811
    return asgi_server


@pytest.mark.browser
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="The live server's threads and the test share an in-memory SQLite database, which is flaky; "
    "proved on PostgreSQL (as tests/cases/test_live_browser.py).",
)
def test_the_room_follows_the_chair_and_sees_what_is_recorded_without_a_reload(server, chromium, area):  # noqa: F811
    council = OrganisationFactory(name="Northshire County Council", area=area)
    school = OrganisationFactory(name="Northshire Academy", area=area, sector="education")
    chair = UserFactory(organisation=council, full_name="Chloe Chair", role=Role.PANEL_CHAIR)
    admin = UserFactory(organisation=council, full_name="Adam Admin", role=Role.PANEL_ADMIN)
    member = UserFactory(organisation=school, full_name="Mina Member")
    panel = BehaviourPanelFactory(area=area, name="Northshire Behaviour Panel", chair=chair, administrators=[admin],
                                  members=[member])  # fmt: skip
    first = CaseFactory(owner=chair, area=area, members=[admin, member])
    second = CaseFactory(owner=chair, area=area, members=[admin, member])
    meeting = MeetingFactory(panel=panel)
    ItemFactory(meeting=meeting, case=first, position=1, added_by=chair)
    ItemFactory(meeting=meeting, case=second, position=2, added_by=chair)
    publish(meeting)
    live = reverse("meetings:live", args=[meeting.pk])

    chair_page, chair_errors = _signed_in_page(chromium, server, chair)
    admin_page, admin_errors = _signed_in_page(chromium, server, admin)
    member_page, member_errors = _signed_in_page(chromium, server, member)
    for page, errors in ((chair_page, chair_errors), (admin_page, admin_errors), (member_page, member_errors)):
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(live)
        expect(page.locator("#meeting-stage")).to_have_attribute("data-live", "connected")
    member_stage = member_page.locator("#meeting-stage")
    member_status = member_page.locator("[data-meeting-status]")
    expect(member_stage).to_contain_text("The meeting has not started")
    expect(member_status).to_contain_text("Planned")
    for page in (chair_page, member_page):
        page.evaluate("window.stillTheSamePage = true")

    # The chair starts: everyone's screen shows item 1; then moves on to item 2.
    chair_page.get_by_role("button", name="Start the meeting").click()
    expect(chair_page.locator("#meeting-stage")).to_contain_text(first.reference)
    expect(member_stage).to_contain_text(first.reference)
    expect(member_stage).to_contain_text("Item 1 of 2")
    expect(member_status).to_contain_text("In session")  # the header's tag follows, too
    chair_page.get_by_role("button", name="Next item").click()
    expect(member_stage).to_contain_text(second.reference)
    expect(member_stage).to_contain_text("Item 2 of 2")
    expect(member_page.locator("[aria-current=step]")).to_contain_text(second.reference)

    # The administrator records the decision and an action on item 2.
    expect(admin_page.locator("#meeting-stage")).to_contain_text(second.reference)
    admin_page.get_by_role("link", name=re.compile("Record minutes, the decision and actions")).click()
    admin_page.get_by_label("Decision").fill("Offer a mentor through the school")
    admin_page.get_by_label("Reasons").fill("Attendance is falling and the family agree.")
    admin_page.get_by_role("button", name="Record the decision").click()
    expect(admin_page.get_by_text("The decision on item 2 is recorded.")).to_be_visible()
    due = timezone.localdate() + timezone.timedelta(days=14)
    admin_page.get_by_label("Action", exact=True).fill("Find a mentor at the school")
    admin_page.get_by_label("Who will do it").select_option(label=f"Mina Member ({school.name})")
    admin_page.get_by_label("Day").fill(str(due.day))
    admin_page.get_by_label("Month").fill(str(due.month))
    admin_page.get_by_label("Year").fill(str(due.year))
    admin_page.get_by_role("button", name="Set the action").click()
    expect(admin_page.get_by_text("The action is set")).to_be_visible()

    for stage in (member_stage, chair_page.locator("#meeting-stage")):
        expect(stage).to_contain_text("Offer a mentor through the school")
        expect(stage).to_contain_text("Find a mentor at the school")
    # Nobody's page was reloaded: the chair's controls are sent in the background too.
    assert member_page.evaluate("window.stillTheSamePage") is True
    assert chair_page.evaluate("window.stillTheSamePage") is True

    # The chair closes the meeting and approves the minutes; their PDF holds what was decided.
    chair_page.get_by_role("button", name="Close the meeting").click()
    expect(chair_page.locator("#meeting-stage")).to_contain_text("The meeting is closed")
    expect(member_stage).to_contain_text("The meeting is closed")
    expect(member_status).to_contain_text("Closed")
    chair_page.goto(reverse("meetings:minutes", args=[meeting.pk]))
    chair_page.get_by_role("button", name="Approve the minutes").click()
    expect(chair_page.get_by_text("The minutes are approved")).to_be_visible()
    pdf = member_page.context.request.get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    assert pdf.status == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Offer a mentor through the school" in text and "Find a mentor at the school" in text
    assert not chair_errors and not admin_errors and not member_errors
    for page in (chair_page, admin_page, member_page):
        page.context.close()  # sockets closed before the server stops
