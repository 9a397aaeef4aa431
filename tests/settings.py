"""Test settings: production's, with a throw-away key and plain static files.

The SQLite test database is a real file (not shared memory) so that tests
with threads and a live server see the same WAL and locking as production.
"""

import os

os.environ.setdefault("SECRET_KEY", "slate-tests-only-not-secret")

from production.settings import *  # noqa: E402, F403
from production.settings import BASE_DIR, DATABASES  # noqa: E402

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    name = os.environ.get("SLATE_TEST_DB", ".test-db.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / name)}

# Serve static files straight from static/ and the apps (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
