"""Signing in, signing out, invitations, lock-out and session time-outs, in a real browser."""

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from roundtable.accounts.models import Invitation, Role, User
from roundtable.accounts.services import do_invite_user
from tests.browser.conftest import code_from_secret, enter_code, sign_in, sign_in_with_password, sign_out, unused_code
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser

NEW_PASSWORD = "tidy-lantern-orchard-42"
SIGN_IN_PATH = re.compile(r"/sign-in/(\?.*)?$")


def invite(full_name="Priya Shah", email="priya.shah@example.test"):
    organisation = OrganisationFactory(name="Northshire County Council")
    admin = UserFactory(organisation=organisation, role=Role.ORG_ADMIN)
    invitation, raw_token = do_invite_user(
        admin, email=email, full_name=full_name, organisation=organisation, role=Role.PRACTITIONER
    )
    return invitation, raw_token


def accept_invitation(page: Page, raw_token: str, password: str = NEW_PASSWORD) -> None:
    """Follow the invitation link, choose a password and confirm the authenticator app."""
    page.goto(f"/invitation/{raw_token}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Set up your account")
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("Type the password again").fill(password)
    # Someone who cannot scan the QR code opens the details and types the key into their app.
    secret = page.locator("#totp-secret")
    expect(secret).to_be_hidden()
    page.get_by_text("I cannot scan the QR code").click()
    expect(secret).to_be_visible()
    secret_text = secret.inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", secret_text), secret_text
    page.get_by_label("6-digit code from your authenticator app").fill(code_from_secret(secret_text))
    page.get_by_role("button", name="Finish setting up").click()


def test_an_invited_user_enrols_signs_out_and_signs_in_again_with_password_and_code(page):
    invitation, raw_token = invite()

    accept_invitation(page, raw_token)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya Shah")
    expect(page.get_by_text("Your account is ready. Welcome to Roundtable.")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Priya Shah")
    expect(page.get_by_role("banner")).to_contain_text("Northshire County Council")
    user = User.objects.get(email="priya.shah@example.test")
    assert user.is_active
    assert user.check_password(NEW_PASSWORD)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    invitation.refresh_from_db()
    assert invitation.state == "accepted"

    sign_out(page)
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_PATH)  # the session really ended

    sign_in_with_password(page, "Priya.Shah@example.test", NEW_PASSWORD)  # e-mail case does not matter
    expect(page).to_have_url(re.compile(r"/sign-in/code/"))
    page.goto("/")  # a password alone does not let anyone in
    expect(page).to_have_url(SIGN_IN_PATH)
    sign_in_with_password(page, "priya.shah@example.test", NEW_PASSWORD)
    enter_code(page, unused_code(user))
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya Shah")
    expect(page.get_by_role("navigation", name="Primary")).to_be_visible()

    sign_out(page)
    page.goto("/account/")
    expect(page).to_have_url(SIGN_IN_PATH)


def test_an_invitation_link_used_once_says_it_has_already_been_used_and_shows_no_form(page, new_context):
    _, raw_token = invite()
    accept_invitation(page, raw_token)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya Shah")

    # The link is opened again later, in another browser (say, from the e-mail on a phone).
    other = new_context().new_page()
    response = other.goto(f"/invitation/{raw_token}/")

    assert response.status == 410
    expect(other.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
    expect(other.locator("main")).to_contain_text("This invitation has already been used.")
    expect(other.locator("main form")).to_have_count(0)
    expect(other.locator("input[type=password]")).to_have_count(0)
    expect(other.locator("#totp-secret")).to_have_count(0)
    other.get_by_role("link", name="Go to the sign-in page").click()
    expect(other).to_have_url(SIGN_IN_PATH)


def test_five_wrong_passwords_lock_the_account_so_even_the_right_password_does_not_sign_in(page):
    user = UserFactory(full_name="Tom Baker")
    assert settings.AXES_FAILURE_LIMIT == 5

    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(page, user.email, f"wrong-password-{attempt}")
        expect(page.locator("#sign-in-error")).to_have_text("The e-mail address or password is not correct")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Roundtable")

    sign_in_with_password(page, user.email, "wrong-password-5")
    expect(page.get_by_role("heading", level=1)).to_contain_text("locked")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked for 15 minutes")

    sign_in_with_password(page, user.email)  # the right password, too late
    expect(page.get_by_role("heading", level=1)).to_contain_text("locked")
    expect(page).not_to_have_url(re.compile(r"/sign-in/code/"))
    page.goto("/sign-in/code/")
    expect(page).to_have_url(SIGN_IN_PATH)  # no half-finished sign-in was left in the session
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_PATH)


def a_wrong_code(key: bytes, drift: int = 0) -> str:
    """Six digits that match no code an authenticator with this key shows around now."""
    totp = TOTP(key, drift=drift)
    now = totp.t()
    acceptable = set()
    for step in range(now - 3, now + 4):
        totp.time = (step - drift) * totp.step
        acceptable.add(f"{totp.token():06d}")
    return next(code for code in ("000000", "111111", "123456", "999999") if code not in acceptable)


def test_a_wrong_one_time_code_shows_an_error_and_does_not_sign_in(page):
    user = UserFactory(full_name="Tom Baker")

    sign_in_with_password(page, user.email)
    expect(page).to_have_url(re.compile(r"/sign-in/code/"))
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    enter_code(page, a_wrong_code(device.bin_key, device.drift))

    message = "The code is not correct. Check your authenticator app and enter the code it shows now."
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.locator("#id_code-error")).to_contain_text(message)
    expect(page.get_by_label("6-digit code from your authenticator app")).to_have_attribute(
        "aria-describedby", re.compile(r"id_code-error")
    )
    expect(page).to_have_url(re.compile(r"/sign-in/code/"))
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_PATH)


def test_after_more_than_thirty_idle_minutes_the_next_page_is_sign_in_saying_why(page):
    user = UserFactory(full_name="Tom Baker")
    sign_in(page, user)
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30

    with time_machine.travel(datetime.now(tz=UTC) + timedelta(minutes=31), tick=True):
        page.goto("/account/")

        expect(page).to_have_url(SIGN_IN_PATH)
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Roundtable")
        expect(page.get_by_role("region", name="Important")).to_contain_text(
            "You were signed out because you had not done anything for 30 minutes."
        )
        assert "next=%2Faccount%2F" in page.url
        page.goto("/")
        expect(page).to_have_url(SIGN_IN_PATH)  # the session is gone, not just hidden


def test_signing_in_again_after_the_idle_timeout_returns_to_the_same_page_with_its_query(page):
    auditor = UserFactory(full_name="Aud Itor", role=Role.AUDITOR)
    sign_in(page, auditor)
    filtered = "/audit/?action=sign_in&user=example.test"
    page.goto(filtered)
    expect(page.get_by_label("Action starts with")).to_have_value("sign_in")

    with time_machine.travel(datetime.now(tz=UTC) + timedelta(minutes=31), tick=True):
        page.reload()
        expect(page).to_have_url(SIGN_IN_PATH)
        sign_in(page, auditor, expect_home=False)

        expect(page).to_have_url(re.compile(r"/audit/\?"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
        assert page.url.endswith(filtered), page.url
        expect(page.get_by_label("User's e-mail contains")).to_have_value("example.test")


def test_an_active_user_is_not_signed_out_by_the_idle_timeout(page):
    """The idle clock restarts with each request: 20 + 20 minutes of activity is not idleness."""
    user = UserFactory(full_name="Tom Baker")
    sign_in(page, user)
    start = datetime.now(tz=UTC)

    with time_machine.travel(start + timedelta(minutes=20), tick=True):
        page.goto("/account/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    with time_machine.travel(start + timedelta(minutes=40), tick=True):
        page.goto("/account/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def test_an_invitation_cannot_be_accepted_with_a_short_password_or_wrong_code(page):
    invitation, raw_token = invite()
    page.goto(f"/invitation/{raw_token}/")
    page.get_by_label("Choose a password").fill("short")
    page.get_by_label("Type the password again").fill("short")
    key = base64.b32decode(page.locator("#totp-secret").text_content().replace(" ", ""))
    page.get_by_label("6-digit code from your authenticator app").fill(a_wrong_code(key))
    page.get_by_role("button", name="Finish setting up").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("at least 12 characters")
    expect(summary).to_contain_text("The code is not correct")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Set up your account")
    invitation.refresh_from_db()
    assert invitation.state != "accepted"
    assert not User.objects.get(pk=invitation.user_id).is_active
    assert Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).exists()
