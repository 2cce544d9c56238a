import pytest
import time_machine
from django.utils import timezone

from roundtable.api.models import ApiToken, hash_token
from roundtable.api.services import do_create_token, do_revoke_token
from roundtable.audit.models import AuditEvent
from tests.conftest import force_sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def test_a_token_is_shown_once_and_only_its_hash_is_stored(client):
    user = UserFactory()
    force_sign_in(client, user)
    response = client.post("/account/api-tokens/", {"name": "nightly export", "days": "30"})
    page = response.content.decode()
    token = ApiToken.objects.get(user=user)
    raw = page.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("rt_")
    assert token.token_hash == hash_token(raw)
    assert raw not in client.get("/account/api-tokens/").content.decode()
    assert AuditEvent.objects.filter(action="api_token.created", actor_id=user.pk).exists()


def test_a_token_needs_a_name(client):
    force_sign_in(client, UserFactory())
    response = client.post("/account/api-tokens/", {"name": "", "days": "30"})
    assert "Say what the token is for" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_me_answers_with_the_tokens_user_and_every_call_is_audited(client):
    user = UserFactory()
    _, raw = do_create_token(user, name="script", days=30)
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email
    assert body["organisation"]["name"] == user.organisation.name
    assert AuditEvent.objects.filter(action="api.call", actor_id=user.pk, details__path="/api/v1/me").exists()


@pytest.mark.parametrize(
    "header, message",
    [
        (None, "Send your API token"),
        ("Token abc", "must be 'Bearer <token>'"),
        ("Bearer", "must be 'Bearer <token>'"),
        ("Bearer abc", "malformed"),
        ("Bearer rt_" + "x" * 40, "not recognised"),
    ],
)
def test_a_missing_or_malformed_token_gets_a_specific_401(client, header, message):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert message in response.json()["detail"]


def test_a_revoked_token_stops_working(client):
    user = UserFactory()
    token, raw = do_create_token(user, name="script", days=30)
    do_revoke_token(user, token)
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_expired_token_stops_working(client):
    user = UserFactory()
    _, raw = do_create_token(user, name="script", days=30)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=31)):
        response = client.get("/api/v1/me", headers=bearer(raw))
    assert "expired" in response.json()["detail"]


def test_a_deactivated_users_token_stops_working(client):
    user = UserFactory()
    _, raw = do_create_token(user, name="script", days=None)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_you_cannot_revoke_someone_elses_token(client):
    owner, other = UserFactory(), UserFactory()
    token, _ = do_create_token(owner, name="script", days=30)
    force_sign_in(client, other)
    assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_openapi_schema_lists_me(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in schema["paths"]


def test_the_interactive_docs_load_from_our_own_static_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
