import time

import pytest
import time_machine
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from tests.conftest import current_code, force_sign_in, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_password_alone_does_not_sign_you_in(client):
    user = UserFactory()
    response = client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/code/")
    assert client.get("/").status_code == 302  # still sent to sign in


def test_password_then_code_signs_you_in_and_is_audited(client):
    user = UserFactory()
    sign_in(client, user)
    response = client.get("/")
    assert response.status_code == 200
    assert user.full_name in response.content.decode()
    assert AuditEvent.objects.filter(action="sign_in.succeeded", actor_id=user.pk).count() == 1


def test_a_wrong_password_gets_a_clear_message_and_is_audited(client):
    user = UserFactory()
    response = client.post("/sign-in/", {"email": user.email, "password": "not-the-password"})
    assert response.status_code == 200
    assert "The e-mail address or password is not correct" in response.content.decode()
    event = AuditEvent.objects.get(action="sign_in.failed")
    assert event.actor_label == user.email
    assert "not-the-password" not in str(event.details)


def test_a_wrong_code_gets_a_clear_message(client):
    user = UserFactory()
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    wrong = "000000" if current_code(user) != "000000" else "111111"
    response = client.post("/sign-in/code/", {"code": wrong})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_with_a_specific_message(client):
    user = UserFactory()
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    response = client.post("/sign-in/code/", {"code": "12ab"})
    assert "Enter the 6-digit code, numbers only" in response.content.decode()


def test_the_code_page_without_a_password_first_sends_you_back(client):
    response = client.get("/sign-in/code/")
    assert response.status_code == 302
    assert response.url == "/sign-in/"


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"email": user.email, "password": "wrong-password-here"})
    response = client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert AuditEvent.objects.filter(action="sign_in.locked_out").exists()


def test_repeated_wrong_codes_lock_the_account(client, settings):
    user = UserFactory()
    client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    good = current_code(user)
    wrong = "000000" if good != "000000" else "111111"
    responses = [client.post("/sign-in/code/", {"code": wrong}) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert responses[-1].status_code == 429
    client.post("/sign-in/code/", {"code": good})
    assert client.get("/").status_code == 302  # the right code after the lock does not sign in
    assert client.post("/sign-in/", {"email": user.email, "password": PASSWORD}).status_code == 429


def test_next_only_redirects_within_the_site(client):
    user = UserFactory()
    client.post("/sign-in/?next=https://evil.example/", {"email": user.email, "password": PASSWORD})
    response = client.post("/sign-in/code/?next=https://evil.example/", {"code": current_code(user)})
    assert response.url == "/"


def test_signing_out_ends_the_session_and_is_audited(client):
    user = UserFactory()
    sign_in(client, user)
    client.post("/sign-out/")
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="sign_out", actor_id=user.pk).exists()


def test_an_idle_session_ends_after_the_idle_timeout(client, settings):
    user = UserFactory()
    force_sign_in(client, user)
    assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES + 1)):
        response = client.get("/")
    assert response.status_code == 302
    assert "ended=idle" in response.url
    assert "not done anything for 30 minutes" in client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action="sign_out", reason="session.timeout.idle").exists()


def test_an_active_session_still_ends_after_the_absolute_timeout(client, settings):
    user = UserFactory()
    force_sign_in(client, user)
    start = time.time()
    # Stay active every 20 minutes, so only the absolute limit can end the session.
    for minutes in range(20, settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 60, 20):
        with time_machine.travel(start + minutes * 60):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600 + 60):
        response = client.get("/")
    assert "ended=absolute" in response.url


def test_sign_out_everywhere_ends_every_session_of_the_user(client, django_user_model):
    from django.test import Client

    user = UserFactory()
    other_device = force_sign_in(Client(), user)
    force_sign_in(client, user)
    client.post("/account/sign-out-everywhere/")
    assert other_device.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite(client):
    user = UserFactory()
    sign_in(client, user)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(settings):
    user = UserFactory()
    assert user.password.startswith("argon2")
