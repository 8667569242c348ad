"""Settings for Reol, read from the environment with safe defaults.

Every knob an operator may turn is a ``REOL_*`` environment variable; nothing secret is in the
repository. Without any variables set, Reol runs on an embedded SQLite database in ``./var/``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("REOL_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _secret_key() -> str:
    """The key from REOL_SECRET_KEY, else one generated once into var/ and kept there."""
    if key := os.environ.get("REOL_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Old keys, still accepted for signatures and sealed secrets after a change (reol/core/sealed.py)
SECRET_KEY_FALLBACKS = _env_list("REOL_SECRET_KEY_FALLBACKS", "")
DEBUG = _env_bool("REOL_DEBUG")
ALLOWED_HOSTS = _env_list("REOL_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("REOL_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "reol.core",
    "reol.catalog",
    "reol.patrons",
    "reol.rosters",
    "reol.circulation",
    "reol.bookings",
    "reol.acquisitions",
    "reol.external",
    "reol.reading",
    "reol.opac",
    "reol.planning",
    "reol.reports",
    "reol.competence",
    "reol.technology",
    "reol.workshop",
    "reol.protocols",
    "reol.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

# Background work (imports): rows in the database, run by `reol jobs work` (see core/tasks.py).
# REOL_TASKS=immediate runs each task when it is queued (the tests do).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("REOL_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # An LTI launch inside a platform's frame: its own session, from the address.
    "reol.accounts.embed.EmbeddedLaunch",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "reol.core.middleware.SecondFactorGate",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "reol.core.middleware.ActiveSchoolMiddleware",
    # Innermost: who may frame an answer inside such a launch (read by the two above).
    "reol.accounts.embed.FrameForPlatform",
]
# Messages go by cookie, or in the session inside a platform's frame (reol/accounts/embed.py).
MESSAGE_STORAGE = "reol.accounts.embed.MessageStorage"

ROOT_URLCONF = "reol.urls"
WSGI_APPLICATION = "reol.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reol.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite in var/ by default: WAL, IMMEDIATE transactions (no upgrade deadlocks between
# concurrent writers) and a busy timeout so a second desk waits instead of failing.
DATABASE_URL = os.environ.get("REOL_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'reol.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] in ("django.db.backends.sqlite3", "reol.core.sqlite"):
    # Connections persist like PostgreSQL's: opening one per request made SQLite re-prepare every
    # statement, which cost about half of an API checkout (bench/circulation.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's SQLite backend, with writers queued on a lock file (reol/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "reol.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: PostgreSQL compiles any query estimated above jit_above_cost, and a report's
    # per-open-loan subquery (a loan's grade or class) lifts the estimate over it at a
    # municipality's size. Compiling took 100–185 ms of a 300–500 ms report (EXPLAIN ANALYZE,
    # bench/reports.py at full scale) and won nothing back: no query here runs for seconds.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # Parameters bound by the server (psycopg's own cursor, not Django's default client-side
    # binding): the values travel beside the statement instead of being quoted into it in
    # Python, which a checkout does for its fifteen statements at every scan
    # (bench/circulation.py, docs/architecture.md).
    options["server_side_binding"] = True
    # Prepared the fifth time a connection runs them (psycopg's default threshold; Django's is
    # never): a checkout's statements are then parsed and planned once, not at every scan
    # (reol/core/plans.py, which also keeps reports from generic plans). A connection pooler in
    # transaction mode needs prepared statements turned on (PgBouncer 1.21+:
    # max_prepared_statements), or REOL_DATABASE_PREPARE=0.
    options["prepare_threshold"] = 5 if _env_bool("REOL_DATABASE_PREPARE", True) else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People and sign-in -----------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "reol.core.auth.CardPinBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 8 characters for students, 12 for anyone with a staff role (ASVS 2.1.1).
    {"NAME": "reol.core.passwords.RoleLengthValidator"},
    # Django's list of common passwords and a larger one of common and breached passwords
    # shipped with Reol (reol/core/data/), checked as one rule.
    {"NAME": "reol.core.passwords.ReolCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins per account and per address before a pause, and the length of the pause.
REOL_LOGIN_MAX_FAILURES = int(os.environ.get("REOL_LOGIN_MAX_FAILURES", "5"))
REOL_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("REOL_LOGIN_LOCKOUT_SECONDS", "900"))
# The first delay after those failures; it doubles with each further failure (reol.core.auth).
REOL_LOGIN_DELAY_SECONDS = int(os.environ.get("REOL_LOGIN_DELAY_SECONDS", "2"))
# Two-step sign-in (reol/core/mfa.py): required of these roles and of superusers ("0" turns the
# requirement off, e.g. for a demo on a laptop; anyone may still turn it on for themself).
REOL_MFA_REQUIRED = os.environ.get("REOL_MFA_REQUIRED", "1") != "0"
REOL_MFA_REQUIRED_ROLES = [
    r.strip() for r in os.environ.get("REOL_MFA_REQUIRED_ROLES", "administrator").split(",")
]
REOL_MFA_ISSUER = os.environ.get("REOL_MFA_ISSUER", "Reol")
# Refused requests written to the audit log per person (or address) and minute (core/denials.py)
REOL_DENIALS_LOGGED_PER_MINUTE = int(os.environ.get("REOL_DENIALS_LOGGED_PER_MINUTE", "10"))
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
REOL_TRUSTED_PROXIES = _env_list("REOL_TRUSTED_PROXIES", "")
# Networks Reol may send a partner's messages to though they are loopback, link-local or the
# like (core/outbound.py); private networks are allowed anyway. Comma-separated.
REOL_OUTBOUND_ALLOW = _env_list("REOL_OUTBOUND_ALLOW", "")
# Password-reset mails per account and per address within an hour.
REOL_RESET_MAILS_PER_ACCOUNT = int(os.environ.get("REOL_RESET_MAILS_PER_ACCOUNT", "3"))
REOL_RESET_MAILS_PER_ADDRESS = int(os.environ.get("REOL_RESET_MAILS_PER_ADDRESS", "10"))

# Sessions end after a working day, and when the browser closes (shared desk computers).
SESSION_COOKIE_AGE = int(os.environ.get("REOL_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers -------------------------------------------------------------------------
HTTPS = _env_bool("REOL_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and _env_bool("REOL_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest MARC file the staff page takes (the command line has no limit).
REOL_MARC_UPLOAD_MAX_BYTES = int(os.environ.get("REOL_MARC_UPLOAD_MAX_MB", "200")) * 1024 * 1024
REOL_ROSTER_UPLOAD_MAX_BYTES = int(os.environ.get("REOL_ROSTER_UPLOAD_MAX_MB", "20")) * 1024 * 1024

# Catalogue search (reol/catalog/search): the index directory, this index's name in the
# SearchIndexState table (one per app server), synchronous mode (tests/development: the outbox is
# applied in-process before each read) and the municipality anonymous searches use by default.
REOL_SEARCH_DIR = Path(os.environ.get("REOL_SEARCH_DIR", VAR_DIR / "search"))
REOL_SEARCH_NAME = os.environ.get("REOL_SEARCH_NAME", "default")
REOL_SEARCH_SYNC = _env_bool("REOL_SEARCH_SYNC")
REOL_PUBLIC_MUNICIPALITY = os.environ.get("REOL_PUBLIC_MUNICIPALITY", "")
REOL_OAI_NAMESPACE = os.environ.get("REOL_OAI_NAMESPACE", "reol")
REOL_OAI_ADMIN_EMAIL = os.environ.get("REOL_OAI_ADMIN_EMAIL", "")

# --- Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("REOL_LANGUAGE", "da")
LANGUAGES = [("da", _("Danish")), ("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language everywhere (reol/core/formats/).
FORMAT_MODULE_PATH = ["reol.core.formats"]
# Required fields carry aria-required too (reol/core/formrender.py).
FORM_RENDERER = "reol.core.formrender.FormRenderer"
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("REOL_TIME_ZONE", "Europe/Copenhagen")

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and os.environ.get("REOL_STATIC_MANIFEST", "1") == "1"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail (console by default: password-reset links appear in the server's output) ----------
EMAIL_BACKEND = os.environ.get(
    "REOL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("REOL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("REOL_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("REOL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("REOL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("REOL_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("REOL_EMAIL_FROM", "reol@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "reol.core.logfilters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("REOL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["refusals"]},
        # pysaml2's schema library says at INFO that it loaded a schema, on every command.
        "xmlschema": {"level": "WARNING"},
    },
}
