"""Settings for Better Way collaboration health check.

One file, driven by the environment. With no environment at all it runs in development mode on the
embedded SQLite database; production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A guessable key would let anyone forge sessions and password-reset links.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the app refuses to start without a secret key: "
            "set the SECRET_KEY environment variable to a long random string."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_tasks_db",
    "places",
    "assessments",
    "assessments.respond",
    "actions",
    "workshops",
    "django_htmx",
]

# The middleware that set security headers come first (outermost), so that every response
# passes back through them: an error page made by a middleware further down (a refused Host
# header, a CSRF failure, a crash) gets the headers as a page does.
MIDDLEWARE = [
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "betterway.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "betterway.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
    {
        # The respondent's pages only, in assessments/respond/jinja2/ (see its templating.py).
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "assessments.respond.templating.environment"},
    },
]

WSGI_APPLICATION = "betterway.wsgi.application"

# Connections are kept between requests (CONN_MAX_AGE seconds) and checked before a request's
# first query (CONN_HEALTH_CHECKS), so one the server has dropped is replaced, not an error.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # Server-side binding lets psycopg prepare a statement once a connection has run it 5 times:
    # PostgreSQL then plans it once per connection instead of on every request (the personal
    # link's lookup joins five tables). Django lists the queries it cannot bind this way
    # (parameters inside a GROUP BY expression, ticket #34255); the PostgreSQL test run in CI
    # runs the whole suite with it on. Turn it off (DB_PREPARED_STATEMENTS=false) behind a pooler
    # in transaction mode, which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two concurrent writers wait for
    # each other instead of failing half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20

if DEBUG:
    # The benchmark and its load data generator (bench/, docs/PERFORMANCE.md): in development
    # and CI only. The app never imports it.
    INSTALLED_APPS.append("bench")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's own backend behind the sign-in throttle, so every authenticate() call is throttled.
AUTHENTICATION_BACKENDS = ["places.throttle.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link is good for one day

SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email goes through Django's MAILERS. In development the console backend (prints emails) is the
# default, so trying the app out needs no mail server; production defaults to SMTP.
_email_backend = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
# These keep every email on the server instead of sending it: the console backend prints it, its
# personal link included, into the server's log; the file backend writes it to disk; the in-memory
# one holds it until the process ends. In production that is a leak (or lost invitations), so it
# must be asked for by name.
_LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
if (
    not DEBUG
    and _email_backend in _LOCAL_EMAIL_BACKENDS
    and not env_bool("ALLOW_LOCAL_EMAIL_BACKEND", False)
):
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND is {_email_backend}, which keeps every email (personal links included) "
        "on this server, in its log, its files or its memory, instead of sending it. With DEBUG "
        "off the app refuses to start with it: send email over SMTP (EMAIL_HOST, EMAIL_PORT, "
        "EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; see the README), or set "
        "ALLOW_LOCAL_EMAIL_BACKEND=true if that is really what you want."
    )
_email_options: dict = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        # Without a timeout an unanswering mail server would hold the sender forever.
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "health-check@localhost")

# Where links in emails point (invitations are emailed outside any request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Number of reverse proxies in front of the app that append to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Hours before the same person may be reminded again.
REMINDER_INTERVAL_HOURS = int(os.environ.get("REMINDER_INTERVAL_HOURS", "72"))
# Owners of an action are reminded this many days before it falls due (send_action_reminders).
ACTION_REMINDER_DAYS = int(os.environ.get("ACTION_REMINDER_DAYS", "7"))
# Invitees' names and email addresses are erased this many days after their round's results are
# released (manage.py erase_personal_data, run daily): long enough for the results email and
# the follow-up of the action plan, no longer.
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "90"))

# Background work (emails, scheduled opening and closing) goes through Django's task framework,
# stored in the app's own database: web servers only enqueue, and `manage.py db_worker` processes
# on any number of machines run the tasks (README, "Operations").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Every email is a delivery record (assessments/delivery.py). A worker holds a delivery for
# DELIVERY_LEASE_SECONDS while it sends it; `sweep_deliveries` hands on those held longer (their
# worker died). A failed attempt is tried again after DELIVERY_RETRY_SECONDS, doubling each time,
# until DELIVERY_MAX_ATTEMPTS attempts have failed.
DELIVERY_LEASE_SECONDS = float(os.environ.get("DELIVERY_LEASE_SECONDS", "600"))
DELIVERY_RETRY_SECONDS = float(os.environ.get("DELIVERY_RETRY_SECONDS", "300"))
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "6"))

# Content Security Policy, enforced by Django's own middleware: no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Plain HTTP goes to the public HTTPS address of SITE_URL. Redirecting to the host the request
    # named instead would make SecurityMiddleware refuse an unknown host from inside itself, and
    # that 400 would then miss its headers.
    if SITE_URL.startswith("https://"):
        SECURE_SSL_HOST = SITE_URL.removeprefix("https://").split("/", 1)[0]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tokens": {"()": "betterway.logging.RedactInvitationTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # On the loggers too, so records are clean before they propagate anywhere.
        "django.request": {"filters": ["redact_tokens"]},
        "django.security": {"filters": ["redact_tokens"]},
    },
}
