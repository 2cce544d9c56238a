import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "failing"


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert len(response["X-Request-ID"]) == 32


def _manage(*args, **env):
    dropped = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


SAFE_PRODUCTION = {
    "ROUNDTABLE_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-a-long-and-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": "roundtable.example.org",
}


@pytest.mark.parametrize(
    "unsafe, complaint",
    [
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"REQUIRE_2FA": "false"}, "REQUIRE_2FA is off"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(unsafe, complaint):
    result = _manage("check", **{**SAFE_PRODUCTION, **unsafe})
    assert result.returncode != 0
    assert complaint in result.stderr


def test_a_setting_that_cannot_be_parsed_is_named():
    result = _manage("check", SESSION_IDLE_TIMEOUT_MINUTES="half an hour")
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT_MINUTES must be a whole number" in result.stderr


def test_a_safe_production_configuration_passes_the_deployment_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **SAFE_PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
