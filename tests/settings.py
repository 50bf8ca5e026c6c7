"""Settings for the test suite: cfviz's own, with a test-only key and a file-based test database."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CFVIZ_SECRET_KEY", "test-only-not-secret")
os.environ.pop("CFVIZ_REDIS_URL", None)
os.environ.setdefault("CFVIZ_SQLITE_PATH", os.path.join(tempfile.gettempdir(), "cfviz-test-dev.sqlite3"))

from cfviz.settings import *  # noqa: F403
from cfviz.settings import DATABASES

# The live server for browser tests runs in a child process: it needs a file, not :memory:.
DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), "cfviz-test.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
