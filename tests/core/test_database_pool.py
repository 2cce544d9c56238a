"""PostgreSQL connections are pooled in production (DB_POOL_MAX_SIZE): under uvicorn every
request runs in a new thread, so without a pool each one would open a new connection."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "ROUNDTABLE_ENV": "production",
    "SECRET_KEY": "p" * 20 + "-a-long-and-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": "roundtable.example.org",
    "DATABASE_URL": "postgres://roundtable@db.invalid:5432/roundtable",  # read, never connected to
}
SHOW_POOL = (
    "import json, roundtable.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {}).get('pool')))"
)


def _settings(**env):
    dropped = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DB_CONN_MAX_AGE", "DB_POOL_MAX_SIZE", "ROUNDTABLE_ENV"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", SHOW_POOL], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_production_pools_postgresql_connections_by_default():
    result = _settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"min_size": 2, "max_size": 10, "timeout": 10}


def test_the_pool_size_is_set_and_zero_turns_it_off():
    assert json.loads(_settings(**PRODUCTION, DB_POOL_MAX_SIZE="4").stdout)["max_size"] == 4
    assert json.loads(_settings(**PRODUCTION, DB_POOL_MAX_SIZE="0").stdout) is None


def test_development_and_sqlite_do_not_pool():
    assert json.loads(_settings(DATABASE_URL=PRODUCTION["DATABASE_URL"]).stdout) is None
    assert json.loads(_settings(**{**PRODUCTION, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}).stdout) is None


def test_persistent_connections_and_the_pool_together_are_refused_by_name():
    result = _settings(**PRODUCTION, DB_CONN_MAX_AGE="60")
    assert result.returncode != 0
    assert "DB_CONN_MAX_AGE must be 0 when DB_POOL_MAX_SIZE pools connections" in result.stderr
