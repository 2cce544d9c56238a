import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.oath import TOTP

from roundtable.accounts import services
from roundtable.accounts.models import Role, User
from roundtable.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-long-enough-pass-phrase"


def code_for_enrolment(user) -> str:
    device = services.enrolment_device(user)
    return f"{TOTP(device.bin_key).token():06d}"


@pytest.fixture
def invite(cast, organisation, django_capture_on_commit_callbacks):
    def _invite(**overrides):
        fields = {"email": "New.Person@Example.test", "full_name": "New Person", "organisation": organisation}
        fields.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return services.do_invite_user(cast["org_admin"], role=fields.pop("role", Role.PRACTITIONER), **fields)

    return _invite


def test_an_invitation_e_mails_a_one_use_link_without_personal_data(invite):
    invitation, token = invite()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.test"]
    assert f"/invitation/{token}/" in message.body
    assert invitation.token_hash != token  # only the hash is stored
    assert AuditEvent.objects.filter(action="user.invited", object_id=str(invitation.user_id)).exists()


def test_accepting_sets_the_password_enrols_the_authenticator_and_signs_in(client, invite):
    invitation, token = invite()
    assert client.get(f"/invitation/{token}/").status_code == 200
    user = User.objects.get(pk=invitation.user_id)
    response = client.post(
        f"/invitation/{token}/",
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": code_for_enrolment(user)},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200


def test_the_enrolment_page_shows_a_qr_code_and_the_key(client, invite):
    _, token = invite()
    page = client.get(f"/invitation/{token}/").content.decode()
    assert "<svg" in page
    assert 'id="totp-secret"' in page


def test_a_used_invitation_cannot_be_used_again(client, invite):
    invitation, token = invite()
    user = User.objects.get(pk=invitation.user_id)
    client.post(
        f"/invitation/{token}/",
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": code_for_enrolment(user)},
    )
    client.post("/sign-out/")
    response = client.get(f"/invitation/{token}/")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_an_expired_invitation_says_so(client, invite, settings):
    _, token = invite()
    with time_machine.travel(timezone.now() + timezone.timedelta(days=settings.INVITATION_VALID_DAYS, hours=1)):
        response = client.get(f"/invitation/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_made_up_invitation_link_says_it_is_not_valid(client):
    response = client.get("/invitation/not-a-real-token/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_a_weak_password_or_wrong_code_keeps_the_form_with_specific_errors(client, invite):
    _, token = invite()
    response = client.post(f"/invitation/{token}/", {"password": "short", "password_again": "short", "code": "123456"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "too short" in page
    assert "The code is not correct" in page


def test_mismatched_passwords_are_refused(client, invite):
    _, token = invite()
    response = client.post(
        f"/invitation/{token}/", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x", "code": "123456"}
    )
    assert "The passwords do not match" in response.content.decode()


def test_resending_revokes_the_earlier_link(client, invite, cast):
    invitation, first = invite()
    user = User.objects.get(pk=invitation.user_id)
    services.do_resend_invitation(cast["org_admin"], user)
    response = client.get(f"/invitation/{first}/")
    assert "replaced by a newer one" in response.content.decode()


def test_inviting_an_existing_e_mail_is_refused(invite, cast):
    with pytest.raises(ValidationError, match="already has an account"):
        invite(email=cast["practitioner"].email.upper())


def test_an_organisation_admin_cannot_invite_into_another_organisation(cast, other_organisation):
    with pytest.raises(PermissionDenied):
        services.do_invite_user(
            cast["org_admin"],
            email="x@example.test",
            full_name="X",
            organisation=other_organisation,
            role="practitioner",
        )


def test_an_organisation_admin_cannot_create_a_system_administrator(cast, organisation):
    with pytest.raises(PermissionDenied):
        services.do_invite_user(
            cast["org_admin"], email="x@example.test", full_name="X", organisation=organisation, role="system_admin"
        )


def test_the_invite_page_refuses_a_bad_e_mail_with_a_specific_message(client, cast, organisation):
    from tests.conftest import force_sign_in

    force_sign_in(client, cast["org_admin"])
    response = client.post(
        "/admin/users/invite/",
        {"full_name": "X", "email": "not-an-email", "organisation": organisation.pk, "role": "practitioner"},
    )
    assert response.status_code == 200
    assert "Enter an e-mail address in the correct format" in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_deactivating_ends_the_users_sessions_at_once(client, cast):
    from django.test import Client

    from tests.conftest import force_sign_in

    target = cast["practitioner"]
    their_browser = force_sign_in(Client(), target)
    assert their_browser.get("/").status_code == 200
    force_sign_in(client, cast["org_admin"])
    response = client.post(f"/admin/users/{target.pk}/deactivate/", {"reason": "Left the council"})
    assert response.status_code == 302
    assert their_browser.get("/").status_code == 302
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.reason == "Left the council"


def test_deactivating_needs_a_reason(client, cast):
    from tests.conftest import force_sign_in

    force_sign_in(client, cast["org_admin"])
    response = client.post(f"/admin/users/{cast['practitioner'].pk}/deactivate/", {"reason": ""})
    assert response.status_code == 400
    assert "Say why you are deactivating this account" in response.content.decode()


def test_a_role_change_is_audited_with_before_and_after(cast):
    target = cast["practitioner"]
    services.do_change_role(cast["org_admin"], target, Role.PANEL_CHAIR)
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.details == {"before": "practitioner", "after": "panel_chair"}


def test_an_organisation_admin_cannot_manage_another_organisations_user(cast):
    with pytest.raises(PermissionDenied):
        services.do_deactivate_user(cast["org_admin"], cast["other_org_practitioner"])


def test_a_deactivated_user_cannot_sign_in(client, cast):
    from tests.factories import PASSWORD

    target = UserFactory(organisation=cast["practitioner"].organisation)
    services.do_deactivate_user(cast["org_admin"], target, "Left")
    response = client.post("/sign-in/", {"email": target.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
