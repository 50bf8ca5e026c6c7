"""cfviz settings: one module, driven by environment variables with safe defaults.

- ``CFVIZ_DEBUG``: development mode (off unless asked).
- ``CFVIZ_SECRET_KEY`` (or ``CFVIZ_SECRET_KEY_FILE``, or ``var/secret_key`` as ``script/serve``
  writes it): required unless ``CFVIZ_DEBUG`` is on.
- ``CFVIZ_ALLOWED_HOSTS``: comma-separated; websocket Origins are checked against it too.
- ``CFVIZ_DB``: ``sqlite`` (default, ``CFVIZ_SQLITE_PATH``) or ``postgres`` (``CFVIZ_DB_NAME``,
  ``CFVIZ_DB_USER``, ``CFVIZ_DB_PASSWORD``, ``CFVIZ_DB_HOST``, ``CFVIZ_DB_PORT``).
- ``CFVIZ_REDIS_URL``: use Redis as the channel layer (several ASGI processes); in-memory otherwise.
- ``CFVIZ_RUNS_PUBLIC``: anyone may view and start runs (default on).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envsecret(name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return None


DEBUG = envbool("CFVIZ_DEBUG")

# script/serve generates a key into var/ (never committed), so manage.py works after it too.
LOCAL_SECRET_KEY_FILE = BASE_DIR / "var" / "secret_key"
SECRET_KEY = envsecret("CFVIZ_SECRET_KEY") or ""
if not SECRET_KEY and LOCAL_SECRET_KEY_FILE.is_file():
    SECRET_KEY = LOCAL_SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set CFVIZ_SECRET_KEY (or CFVIZ_SECRET_KEY_FILE), run script/serve once (it writes "
            "var/secret_key), or set CFVIZ_DEBUG=1 for development."
        )
    SECRET_KEY = "development-only-insecure-key"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("CFVIZ_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CFVIZ_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
RUNS_PUBLIC = envbool("CFVIZ_RUNS_PUBLIC", True)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "cfviz",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "cfviz.urls"
ASGI_APPLICATION = "cfviz.asgi.application"

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
]

if os.environ.get("CFVIZ_DB", "sqlite") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("CFVIZ_DB_NAME", "cfviz"),
            "USER": os.environ.get("CFVIZ_DB_USER", "cfviz"),
            "PASSWORD": envsecret("CFVIZ_DB_PASSWORD") or "",
            "HOST": os.environ.get("CFVIZ_DB_HOST", "localhost"),
            "PORT": os.environ.get("CFVIZ_DB_PORT", "5432"),
            "CONN_MAX_AGE": envint("CFVIZ_DB_CONN_MAX_AGE", 60),
        }
    }
else:
    if "CFVIZ_SQLITE_PATH" not in os.environ:
        # The default database lives in var/ (not committed); a fresh clone has no such folder.
        (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CFVIZ_SQLITE_PATH", str(BASE_DIR / "var" / "cfviz.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if redis_url := os.environ.get("CFVIZ_REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Frames are snapshots with sequence numbers: a short expiry and about two seconds
            # of frames per channel are enough, and clients resync after a drop.
            "CONFIG": {"hosts": [redis_url], "expiry": 10, "capacity": 60},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("CFVIZ_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # One INFO line per dropped frame would flood the log (django/channels_redis#181).
    "loggers": {"channels_redis.core": {"level": "WARNING"}},
}

# Built-in scenarios live as files in the repo and are loaded by ``manage.py load_scenarios``.
SCENARIO_LIBRARY_DIR = BASE_DIR / "scenarios"
