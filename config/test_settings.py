"""Settings for the test suite: the normal ones, made fast and hermetic."""

import os
import secrets

# The suite runs with the development defaults (DEBUG is off unless asked for)
# and a secret of the run's own: nothing written to the working tree.
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))

from .settings import *  # noqa: E402, F403
from .settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Manifest storage needs collectstatic to have run; tests render pages without it.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared-cache in-memory database: threads in the
    # concurrency tests need real SQLite locking, which the in-memory database
    # answers with "database table is locked" instead of waiting.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}

# Rate limits are tested where they are the subject (config/tests/test_throttling.py).
THROTTLING = False

# Cached reads are tested where they are the subject (config/tests/test_httpcache.py):
# elsewhere tests change rows directly and read them back at once.
HTTP_CACHE = False

# Scheduling tests use fixed dates decades ahead, so that they never fall into the past.
SCHEDULE_HORIZON_DAYS = 100 * 365

# A key of the test run's own: nothing written to the working tree.
from tickets.keys import new_key  # noqa: E402

TICKET_SIGNING_KEY = new_key().setting
TICKET_SIGNING_KEY_FILE = ""
