"""Roundtable settings, read from the environment (see README "Configuration").

ROUNDTABLE_ENV=development (the default, used by ``make run`` and tests) gives the
embedded set-up: SQLite under var/, in-memory channel layer and cache, e-mail on the
console. ROUNDTABLE_ENV=production refuses to start unless the configuration is safe.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from roundtable.envconf import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("ROUNDTABLE_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env("ROUNDTABLE_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"ROUNDTABLE_ENV must be development or production, not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"

DEVELOPMENT_SECRET_KEY = "development-only-not-secret-roundtable-key-0123456789abcdef"
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
DEBUG = envbool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
REQUIRE_2FA = envbool("REQUIRE_2FA", True)
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A Server-Timing header (app time, SQL time, query count) on every response, for
# benchmarks and for looking at a slow page; off in production (see roundtable/core/timing.py).
SERVER_TIMING = envbool("SERVER_TIMING", False)
# Rebuild every kept access-scope subquery on reuse and refuse one that changed (see
# access.policy.compiled_subquery). On in the test suite; it costs the CPU the store saves.
VERIFY_COMPILED_SUBQUERIES = envbool("VERIFY_COMPILED_SUBQUERIES", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "channels",
    "ninja",
    "roundtable.core",
    "roundtable.audit",
    "roundtable.accounts",
    "roundtable.access",
    "roundtable.api",
    "roundtable.notifications",
    "roundtable.people",
    "roundtable.cases",
    "roundtable.tasks",
    "roundtable.documents",
    "roundtable.formbuilder",
    "roundtable.support",
    "roundtable.inforequests",
    "roundtable.panels",
    "roundtable.channel",
    "roundtable.assessments",
    "roundtable.casesummary",
    "roundtable.meetings",
    "roundtable.datagen",
]

MIDDLEWARE = [
    # First, so its figures cover the whole stack; removes itself unless SERVER_TIMING is on.
    "roundtable.core.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "roundtable.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "roundtable.accounts.middleware.SessionLimitsMiddleware",
    "roundtable.accounts.middleware.RequireVerifiedUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roundtable.urls"
ASGI_APPLICATION = "roundtable.asgi.application"
WSGI_APPLICATION = "roundtable.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "roundtable" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "roundtable.core.context_processors.shell",
                "roundtable.notifications.context_processors.unread_notices",
            ],
        },
    },
]
FORM_RENDERER = "roundtable.core.forms.GovukFormRenderer"

# --- Database -----------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'roundtable.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=envint("DB_CONN_MAX_AGE", 0))
}
# PostgreSQL connection pool (psycopg_pool), per app process. Under an ASGI server Django runs
# each request's synchronous code in a fresh thread, so persistent connections
# (DB_CONN_MAX_AGE) are never reused and every request would open a new connection (a
# PostgreSQL backend process each time); a pool hands out open ones. On by default in
# production; 0 turns it off.
DB_POOL_MAX_SIZE = envint("DB_POOL_MAX_SIZE", 10 if PRODUCTION else 0)
if DB_POOL_MAX_SIZE < 0:
    raise ImproperlyConfigured(f"DB_POOL_MAX_SIZE must be 0 (off) or more, not {DB_POOL_MAX_SIZE}")
if DB_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("DB_CONN_MAX_AGE must be 0 when DB_POOL_MAX_SIZE pools connections")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_MAX_SIZE),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": envint("DB_POOL_TIMEOUT", 10),  # seconds a request waits for a free connection
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue
    # instead of failing with "database is locked" half-way through (audit chain).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and channel layer --------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # A socket timeout longer than channels_redis's 5-second blocking read (redis-py's default
    # is 5 seconds too): otherwise every idle live socket is dropped after 5 seconds.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Authentication -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading with the user what every page asks of it (see the module).
    "roundtable.accounts.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"

SESSION_IDLE_TIMEOUT_MINUTES = envint("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_ABSOLUTE_TIMEOUT_HOURS = envint("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12)
# The stored session lives as long as the absolute limit; the idle limit is enforced by
# SessionLimitsMiddleware so it can tell the user why they were signed out.
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600

SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
INVITATION_VALID_DAYS = envint("INVITATION_VALID_DAYS", 7)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Roundtable")

# Lock an account after repeated failures (password or one-time code).
AXES_FAILURE_LIMIT = envint("LOCKOUT_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "roundtable.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- Security headers -----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if envbool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail ------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Roundtable <no-reply@roundtable.invalid>")

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["roundtable.formats"]

# --- Static files: built from npm packages and assets/ at install time ------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("moj", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    # Both libraries expect their images under one assets path (see assets/scss/roundtable.scss).
    ("assets", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"),
    ("assets", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj" / "assets"),
    BASE_DIR / "assets" / "static",
    VAR_DIR / "build",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# PDFs (case summaries, minutes) are drawn with DejaVu Sans from the npm package dejavu-fonts-ttf.
PDF_FONT_DIR = env("PDF_FONT_DIR", str(BASE_DIR / "node_modules" / "dejavu-fonts-ttf" / "ttf"))
# The most chronology entries one case summary holds: bounds the time and memory of one
# export (about 2 seconds per 1,000 entries) and keeps the PDF readable (docs/case-summary.md).
CASE_SUMMARY_MAX_ENTRIES = envint("CASE_SUMMARY_MAX_ENTRIES", 1000)
if CASE_SUMMARY_MAX_ENTRIES < 1:
    raise ImproperlyConfigured("CASE_SUMMARY_MAX_ENTRIES must be 1 or more")
# The most records of each other kind (documents, information requests, assessments, consent
# decisions, interventions, progress updates of one intervention, tasks) one case summary
# holds, the newest: the rest are counted and named in the PDF, never silently dropped.
CASE_SUMMARY_MAX_RECORDS = envint("CASE_SUMMARY_MAX_RECORDS", 200)
if CASE_SUMMARY_MAX_RECORDS < 1:
    raise ImproperlyConfigured("CASE_SUMMARY_MAX_RECORDS must be 1 or more")

# --- API -------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}


def _refuse_unsafe_production() -> None:
    problems = []
    if DEBUG:
        problems.append("DEBUG is on")
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY is missing, the development key, or shorter than 50 characters")
    if not REQUIRE_2FA:
        problems.append("REQUIRE_2FA is off")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")


if PRODUCTION:
    _refuse_unsafe_production()

# Lock-out is per account. Locking by IP address too would lock out a whole council or
# police station behind one NAT address after five typos; rate-limit IPs at the proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Documents (roundtable/documents, docs/documents.md) ---------------------------------
# Largest file a user may upload, in bytes (default 1 GiB). Uploads stream to a temporary
# file on disk and then to storage; they never sit whole in memory. Set the same limit (a
# little more, for the form around the file) as the reverse proxy's request body limit.
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_BYTES", 1024**3)
# Where uploads are spooled while they arrive. Keep it on disk, not on a RAM-backed tmpfs.
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR") or None
# filesystem (default: VAR_DIR/media) or s3 (any S3-compatible object store, via django-storages).
DOCUMENT_STORAGE = env("DOCUMENT_STORAGE", "filesystem")
if DOCUMENT_STORAGE == "s3":
    if not env("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("DOCUMENT_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            # Empty: boto3 finds credentials itself (instance role, AWS_* variables, ~/.aws).
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "location": env("AWS_LOCATION", "roundtable"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
elif DOCUMENT_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"DOCUMENT_STORAGE must be filesystem or s3, not {DOCUMENT_STORAGE!r}")

# --- Background jobs (tasks app: assignment e-mails and reminders) ------------------------
# django-tasks (the django.tasks API of Django 6). The embedded default runs each job
# in-process as it is enqueued; in production set TASKS_BACKEND to a worker backend
# (django_tasks_db.DatabaseBackend or django_tasks_rq.RQBackend, installed separately)
# and run its worker. See docs/tasks.md.
TASKS_BACKEND = env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
INSTALLED_APPS += ["django_tasks"]
if not TASKS_BACKEND.startswith("django_tasks."):
    # A worker backend is an app of its own (its models, its worker command).
    INSTALLED_APPS += [TASKS_BACKEND.split(".")[0]]
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
if TASKS_BACKEND.startswith("django_tasks_rq") and REDIS_URL:
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}

# --- Information requests (roundtable/inforequests, docs/inforequests.md) -------------------
# Working days a partner has to answer a formal information request, unless the sender
# chooses otherwise (1 to 30) on the form.
INFO_REQUEST_DEFAULT_DAYS = envint("INFO_REQUEST_DEFAULT_DAYS", 5)
if not 1 <= INFO_REQUEST_DEFAULT_DAYS <= 30:
    raise ImproperlyConfigured(f"INFO_REQUEST_DEFAULT_DAYS must be between 1 and 30, not {INFO_REQUEST_DEFAULT_DAYS}")

# --- Channel referrals (roundtable/channel, docs/channel.md) --------------------------------------
# The public referral page accepts this many referrals per client address per window; more
# get a "too many referrals" page (429). Counted in the cache, so set REDIS_URL when running
# more than one process.
REFERRAL_RATE_LIMIT = envint("REFERRAL_RATE_LIMIT", 5)
REFERRAL_RATE_WINDOW_MINUTES = envint("REFERRAL_RATE_WINDOW_MINUTES", 60)
if REFERRAL_RATE_LIMIT < 1 or REFERRAL_RATE_WINDOW_MINUTES < 1:
    raise ImproperlyConfigured("REFERRAL_RATE_LIMIT and REFERRAL_RATE_WINDOW_MINUTES must be 1 or more")

# --- Panel meetings (roundtable/meetings, docs/meetings.md) ---------------------------------------
# Publish a meeting's agenda at least this many days before it starts (papers sent ahead);
# publishing later needs the administrator to confirm they are publishing late.
MEETING_AGENDA_PUBLISH_DAYS = envint("MEETING_AGENDA_PUBLISH_DAYS", 5)
if not 0 <= MEETING_AGENDA_PUBLISH_DAYS <= 60:
    raise ImproperlyConfigured(
        f"MEETING_AGENDA_PUBLISH_DAYS must be between 0 and 60, not {MEETING_AGENDA_PUBLISH_DAYS}"
    )
