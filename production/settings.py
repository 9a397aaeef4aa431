"""Slate's settings, read from the environment.

Local use needs nothing set: `make run` sets DEBUG=1 and uses the SQLite file
beside manage.py. Production sets DEBUG off (the default), SECRET_KEY,
ALLOWED_HOSTS and usually DATABASE_URL; a missing SECRET_KEY stops Slate at
once rather than running with a guessable key.
"""

import datetime as dt
import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise SystemExit(
            "Slate: set SECRET_KEY (a long random string) in the environment, "
            "or DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "production",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, which answers static files (public, cached a year)
    # before this sees them; before the rest, so their answers are private too.
    "production.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the session's user read beside the session.
    "production.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "production.middleware.HtmxNotFoundMiddleware",
    "production.middleware.HtmxLoginMiddleware",
    "production.middleware.RefuseNulMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "production.urls"
WSGI_APPLICATION = "production.wsgi.application"

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
                "production.words.words",
                "production.changes.live_context",
                "production.csrf_tokens.tokens",
            ],
        },
    },
    {
        # For the partials too hot for the template language (the board's
        # cards): Jinja2, with markupsafe's escaping. Django's stay the default.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "production.jinja_env.environment",
            "context_processors": ["production.csrf_tokens.tokens"],
        },
    },
]

# SQLite by default: WAL lets readers run beside the one writer, IMMEDIATE
# takes the write lock at BEGIN so writers queue on the busy timeout instead
# of failing mid-transaction with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
    ),
}


def without_parallel_workers(database: dict) -> None:
    """Slate's queries are small and read through indexes; PostgreSQL ran the
    calendar's union of a month's parts in parallel workers, whose start took
    three times what the parts take (BENCHMARKS.md), and each request's
    workers compete for the same few cores."""
    options = database.setdefault("OPTIONS", {})
    options["options"] = (
        options.get("options", "") + " -c max_parallel_workers_per_gather=0"
    ).strip()


def with_prepared_statements(database: dict) -> None:
    """Planning a query cost PostgreSQL more than running it: the bell's
    count 0.9-1.3 ms a request against 0.2 prepared (BENCHMARKS.md). Values
    are sent apart from the SQL (server-side binding), so psycopg prepares
    each statement a connection has run `prepare_threshold` times (its own
    default, 5) and runs it by name after. Behind PgBouncer in transaction
    mode this needs PgBouncer 1.21's max_prepared_statements.

    A prepared statement runs its generic plan, made once: by default
    PostgreSQL keeps planning a statement anew while plans made for its
    values look cheaper than the generic one, which it did for the
    producer's queries (the bell 0.82 ms against the AP's 0.57 on the same
    statement). Slate's statements find their rows through an index whatever
    the values, so the generic plan is the plan."""
    options = database.setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", 5)
    options["options"] = (
        options.get("options", "") + " -c plan_cache_mode=force_generic_plan"
    ).strip()


def url_database(url: str) -> dict:
    """The database at `url` (DATABASE_URL's form), its connections kept a
    minute and checked before reuse; on PostgreSQL without parallel workers
    and with prepared statements."""
    database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if database["ENGINE"].endswith("postgresql"):
        without_parallel_workers(database)
        with_prepared_statements(database)
    return database


def sqlite_database(path) -> dict:
    """The SQLite database at `path`. Its connection is kept between
    requests, as PostgreSQL's are: a new one starts with an empty page cache
    and compiles every statement of the page again."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": SQLITE_OPTIONS,
        "CONN_MAX_AGE": 60,
    }


DATABASES = {
    "default": url_database(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else sqlite_database(BASE_DIR / "db.sqlite3")
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "production.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-work"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a session's user with a query compiled
    # once (production/sessions.py).
    "production.sessions.UserBackend",
]

# Login throttling: 5 failures for one username from one address lock that
# pair out for 15 minutes, and 20 from one address across any usernames lock
# that address out; a success clears the pair's count.
USERNAME_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
AXES_FAILURE_LIMIT = "production.login_protection.failure_limit"
# How many proxies in front of Slate append to X-Forwarded-For (0: none, the
# connection's address is the client's). Set it to the number of proxies
# really there: one too many lets a client choose its own address.
TRUSTED_PROXY_COUNT = os.environ.get("TRUSTED_PROXY_COUNT") or "0"
if not TRUSTED_PROXY_COUNT.isdigit():
    raise SystemExit("Slate: TRUSTED_PROXY_COUNT must be a number, like 1.")
TRUSTED_PROXY_COUNT = int(TRUSTED_PROXY_COUNT)
AXES_CLIENT_IP_CALLABLE = "production.login_protection.client_address"
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "production.login_protection.axes_username"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The site's clock, and the zone a new production starts with. A misspelt
# zone would only fail at the first page, so it stops Slate at once.
TIME_ZONE = os.environ.get("TIME_ZONE", "").strip() or "UTC"
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    raise SystemExit(
        f"Slate: TIME_ZONE={TIME_ZONE!r} is not a time zone; use an IANA name "
        "such as Europe/London."
    ) from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 365 * 24 * 60 * 60 if not DEBUG else 0

# Scripts and styles only from our own origin or with the request's nonce;
# nothing inline, no framing, no plugins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Production hardening; local development over plain HTTP keeps them off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
# Django's database sessions, read with a query compiled once
# (production/sessions.py).
SESSION_ENGINE = "production.sessions"
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Background work (the e-mails) goes through Django's tasks framework into a
# queue table in the database; `manage.py db_worker` runs it (`make run`
# starts one beside the web server). Several workers may share the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail: printed to the console unless an SMTP server is named. Django 6.1's
# MAILERS replace its EMAIL_* settings; the environment keeps their names.
if os.environ.get("EMAIL_HOST"):
    email_port = os.environ.get("EMAIL_PORT") or "587"
    if not email_port.isdigit():
        raise SystemExit("Slate: EMAIL_PORT must be a number, like 587.")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(email_port),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                # A hung mail server fails the try (retried later) instead
                # of holding a worker for ever.
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Slate <slate@localhost>")
# Links in e-mails are absolute: where people reach this Slate. The default
# suits local use only: `check --deploy` warns of it (production/checks.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# A www. address in a description or comment links to https (Django 7's
# default; production/templatetags/links.py).
URLIZE_ASSUME_HTTPS = True

# How often an open page's live regions ask whether something changed
# (production/changes.py); the tests shorten it.
SLATE_POLL_SECONDS = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Django logs its own requests and errors; not again through the root.
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}
