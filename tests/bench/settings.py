"""Benchmark settings: production's, on a throw-away database, DEBUG off.

The benchmark sets SLATE_BENCH_DB (an SQLite file in a temp dir, or a
PostgreSQL URL of a database it created), SLATE_BENCH_STATIC (a temp
STATIC_ROOT for collectstatic) and SLATE_BENCH_MAIL (a temp dir for the
e-mails); without them these settings refuse to load,
so a benchmark can never write to db.sqlite3 or to DATABASE_URL's database.
"""

import os

os.environ.setdefault("SECRET_KEY", "slate-benchmark-only-not-secret")
os.environ["DEBUG"] = "0"

from production.settings import *  # noqa: E402, F403
from production.settings import sqlite_database, url_database  # noqa: E402

try:
    BENCH_DB = os.environ["SLATE_BENCH_DB"]
    STATIC_ROOT = os.environ["SLATE_BENCH_STATIC"]
    MAIL_DIR = os.environ["SLATE_BENCH_MAIL"]
except KeyError as missing:
    raise SystemExit(
        f"tests.bench.settings needs {missing} (set by `python -m tests.bench`)."
    ) from None

# The database as production sets it up, health checks and all.
if BENCH_DB.startswith(("postgres://", "postgresql://")):
    DATABASES = {"default": url_database(BENCH_DB)}
else:
    DATABASES = {"default": sqlite_database(BENCH_DB)}

ROOT_URLCONF = "tests.bench.urls"
# Plain HTTP on the loopback: no HTTPS redirect, cookies sent over HTTP.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Logging in is not what is measured; the demo users' passwords hash fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The notification workers of the two-server run write each e-mail to a
# file here (tests/bench/mailbox.py counts them); never to a mail server.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": MAIL_DIR},
    }
}
