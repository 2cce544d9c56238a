import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management.commands import flush
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from roundtable.accounts.models import Role
from roundtable.core import append_only
from tests.factories import AreaFactory, OrganisationFactory, UserFactory


def _own_redis_database_per_worker() -> None:
    """Test processes (pytest-xdist workers) share one Redis server. The cache fixture's clear()
    is FLUSHDB and Channels groups are named after primary keys that every worker's database
    repeats, so each worker takes its own Redis database: 15, 14, … counting down from the URL's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = getattr(settings, "REDIS_URL", None)
    if not url or not worker.startswith("gw"):
        return
    parts = urlsplit(url)
    number = (int(parts.path.strip("/") or 0) - int(worker[2:])) % 16
    own = parts._replace(path=f"/{number}").geturl()
    settings.REDIS_URL = own
    os.environ["REDIS_URL"] = own
    settings.CACHES["default"]["LOCATION"] = own
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = own
    if getattr(settings, "RQ_QUEUES", None):
        settings.RQ_QUEUES["default"]["URL"] = own


_own_redis_database_per_worker()

# Every test that reads through an access scope also proves the scope's kept SQL is still
# what its build makes (roundtable.access.policy.compiled_subquery).
settings.VERIFY_COMPILED_SUBQUERIES = True

# Property tests judge our code, not the machine: CI shares two cores with PostgreSQL and
# Chromium, so neither a slow example nor slow input generation is a failure.
hypothesis_settings.register_profile("roundtable", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("roundtable")

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously from that thread in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `make test`; never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (Playwright's sync API allows one instance per thread).
    Not per session: while Playwright runs, its event loop counts as running in this thread,
    and later tests that call async_to_sync (ASGI, Channels) would be refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_original_flush = flush.Command.handle


def _flush_around_audit_triggers(self, *args, **options):
    """Between transactional tests Django empties every table; the append-only tables (audit
    log, workflow history) refuse that by design, so lift their triggers for the flush only
    and put them straight back."""
    from django.db import connections

    connection = connections[options.get("database", "default")]
    for table in append_only.TABLES:
        append_only.drop(connection, table)
    try:
        return _original_flush(self, *args, **options)
    finally:
        for table in append_only.TABLES:
            append_only.install(connection, table)


flush.Command.handle = _flush_around_audit_triggers


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests serve static files from their sources (no collectstatic manifest needed).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Look static files up on request: otherwise WhiteNoise walks every file in node_modules'
    # GOV.UK and MOJ packages each time a test client loads the middleware (seconds per client).
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user):
    """Sign in through the real two-step flow, so session state is what a browser gets."""
    from tests.factories import PASSWORD

    response = client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    response = client.post("/sign-in/code/", {"code": current_code(user)})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def area():
    return AreaFactory(name="Northshire")


@pytest.fixture
def organisation(area):
    return OrganisationFactory(name="Northshire County Council", area=area)


@pytest.fixture
def other_organisation():
    """An organisation in another area: its users must see nothing of ours."""
    return OrganisationFactory(name="Southshire Police", area=AreaFactory(name="Southshire"))


@pytest.fixture
def cast(organisation, other_organisation):
    """One user per role in our organisation, plus an administrator of another organisation."""
    people = {role.value: UserFactory(organisation=organisation, role=role) for role in Role}
    people["other_org_admin"] = UserFactory(organisation=other_organisation, role=Role.ORG_ADMIN)
    people["other_org_practitioner"] = UserFactory(organisation=other_organisation, role=Role.PRACTITIONER)
    return people


@pytest.fixture
def signed_in(client):
    def _sign_in(user):
        return sign_in(client, user)

    return _sign_in


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def force_sign_in(client, user):
    """A verified session without going through the forms (for tests about other things)."""
    import time

    from django_otp import DEVICE_ID_SESSION_KEY

    from roundtable.accounts.middleware import LAST_SEEN, SIGNED_IN_AT

    client.force_login(user, backend="roundtable.accounts.backends.UserBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session[SIGNED_IN_AT] = session[LAST_SEEN] = time.time()
    session.save()
    return client
