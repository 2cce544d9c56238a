"""Playwright fixtures: one Debian Chromium for the whole run, a fresh context per test.

Browser tests talk to pytest-django's ``live_server`` (a real threaded HTTP server over a
transactional test database). Nothing here downloads a browser."""

import base64
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (re-exported for browser tests)
from tests.factories import PASSWORD

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = Path("/tmp/screens")


class _OneRequestAtATime(WSGIServer):
    """On SQLite the test database is in memory and the live server's threads all share the
    test's one connection: two overlapping requests (a live preview and a save) then fail with
    "database table is locked". Served one at a time (Django sends Connection: close from a
    server that is not threaded), they queue instead. PostgreSQL keeps the threaded server."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = _OneRequestAtATime

# Long enough for a cold live server on a busy machine, short enough to fail fast.
expect.set_options(timeout=10_000)


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts pointed at the live server; every one is closed after the test.

    Each context records uncaught page errors and console errors (a blocked script under our
    content security policy shows up there); the test fails if any occurred."""
    contexts = []
    problems = []

    def _new_context(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)

        def watch(page):
            def on_console(msg):
                if msg.type != "error":
                    return
                # Chromium logs every 4xx page as "Failed to load resource"; pages such as the
                # lock-out (429) and a used invitation (410) are meant to have those statuses.
                # A failing stylesheet or script is still reported.
                if msg.text.startswith("Failed to load resource") and msg.location.get("url") == page.url:
                    return
                problems.append(f"{page.url}: console error: {msg.text} ({msg.location.get('url')})")

            page.on("pageerror", lambda exc: problems.append(f"{page.url}: uncaught {exc}"))
            page.on("console", on_console)

        context.on("page", watch)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()
    assert not problems, "The browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


# --- Helpers used by several tests ------------------------------------------------------------


def code_from_secret(secret_text: str) -> str:
    """The code an authenticator app shows now for the key printed on the invitation page."""
    key = base64.b32decode(re.sub(r"\s+", "", secret_text))
    return f"{TOTP(key).token():06d}"


def unused_code(user) -> str:
    """A code the server will accept now for ``user``'s confirmed device.

    The server refuses a code from a time step it has already accepted (replay protection).
    A test that signs in twice within 30 seconds would otherwise have to wait for the next
    step, so use the next step's code, which the device's tolerance of one step accepts,
    exactly as it would from an app whose clock runs a little fast."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now_step = totp.t()
    if now_step <= device.last_t:
        totp.drift += device.last_t + 1 - now_step
        assert totp.t() - now_step <= device.tolerance, "the last accepted code is too far ahead of the clock"
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("6-digit code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, user, password: str = PASSWORD, *, expect_home: bool = True) -> None:
    """The whole two-step sign-in through the browser, from the sign-in page if already on it
    (keeping its ``next``), otherwise from a fresh one; by default expects to end on the home page."""
    if "/sign-in/" not in page.url:
        page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/sign-in/code/"))
    enter_code(page, unused_code(user))
    if expect_home:
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.full_name}")
    else:
        expect(page).not_to_have_url(re.compile(r"/sign-in/"))


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
