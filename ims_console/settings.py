"""IMS Console settings: one module, every deployment difference comes from the environment."""

from __future__ import annotations

import os
import re
import warnings
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy

from ims_console.core.database_url import parse_database_url
from ims_console.core.env import cache_settings, env_bool, env_int, env_networks, local_secret_key
from ims_console.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or local_secret_key(
    Path(os.environ.get("IMS_SECRET_KEY_FILE") or BASE_DIR / ".secret_key")
)
# Served to browsers over HTTPS (directly or behind a TLS proxy): secure cookies, HSTS, redirect to https.
# `make run` serves plain HTTP on loopback and turns this off.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "ninja",  # serves the API reader (/api/docs) from its own static files, not a CDN
    "ims_console",
    "images",
    "sharing",
]

MIDDLEWARE = [
    # An ID for every request, in its answer, its log lines and the Activity it causes (ims_console/web/observe.py).
    "ims_console.web.observe.RequestIdMiddleware",
    "ims_console.web.metrics.MetricsMiddleware",  # Prometheus metrics, when IMS_METRICS is on
    # The security headers come first, so that every answer carries them: a 400 made by a middleware further in
    # (a disallowed Host, a body over the limit, a NUL byte) included.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Static files are served by the WSGI server itself, in development and production alike.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ims_console.web.middleware.RefuseNulBytesMiddleware",
    "ims_console.web.health.HealthMiddleware",  # before anything that reads the session or the database
    "ims_console.api.middleware.ApiOnlyWhenEmbedded",  # the APIs exist only in embedded mode
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ims_console.web.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ims_console.identity.tenancy.TenantMiddleware",
    "ims_console.web.middleware.CloudFailuresMiddleware",
    "ims_console.web.middleware.NoStoreForSignedInMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ims_console.urls"
WSGI_APPLICATION = "ims_console.wsgi.application"

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
                "ims_console.web.context_processors.console",
            ],
        },
    },
]

DATABASES = {"default": parse_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent writers wait for each other instead of failing with "database is locked": every transaction
    # takes the write lock when it begins (IMMEDIATE), readers never block writers (WAL), and a writer waits up
    # to 20 s for the lock. Tests use a file too: an in-memory database shared between threads answers
    # "table is locked" at once instead of waiting, so the concurrency tests could not run on it.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
    }
    # One per checkout, so that test runs in two clones on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("IMS_TEST_SQLITE") or str(BASE_DIR / ".test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache (the red dot's count and the project lookup in OpenStack mode): REDIS_URL, shared by every instance of a
# fleet; without it each process keeps its own. Login throttling and sessions are in the database either way.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = cache_settings(REDIS_URL)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# The lockout check comes first, so that a locked-out attempt is refused before any password is hashed.
# In OpenStack mode users log in through Keystone (it answers only when an account name is given); local users
# (ModelBackend) remain for embedded mode and for operators on the admin site.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ims_console.identity.keystone.KeystoneBackend",
    "ims_console.identity.keystone.LocalUsersBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "images:private"
LOGOUT_REDIRECT_URL = "login"

# The console speaks English, German and Simplified Chinese (issue 22): the user's choice (their profile, copied into
# the session at login), else an anonymous visitor's cookie, else the browser's Accept-Language, else English
# (ims_console/web/language.py). The APIs always answer in English, as the clouds' do.
LANGUAGE_CODE = "en"
USE_I18N = True
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "ims_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Dates and numbers per language (ims_console/core/l10n.py).
FORMAT_MODULE_PATH = ["ims_console.formats"]
USE_TZ = True
TIME_ZONE = "UTC"
# Times are shown in the user's own zone (Membership.time_zone); this is the zone for new users.
IMS_DEFAULT_TIME_ZONE = os.environ.get("IMS_DEFAULT_TIME_ZONE", "Europe/Berlin")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# After `collectstatic` (the production steps in the README) files get content-hashed names and are cached for
# good; before it (`make run`, tests) WhiteNoise serves them from the apps' folders under their plain names.
_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _COLLECTED
if not _COLLECTED:
    # WhiteNoise warns that STATIC_ROOT does not exist yet; before collectstatic that is expected.
    warnings.filterwarnings("ignore", message=f"No directory at: {STATIC_ROOT}")
WHITENOISE_AUTOREFRESH = DEBUG

# No inline scripts or styles anywhere: everything comes from static/.
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
# A request body larger than this is refused with 400 before it is parsed. The largest form the console sends
# (100 project IDs and 100 ticked rows) is under 10 KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# How many reverse proxies in front of the console append to X-Forwarded-For. 0: the client is REMOTE_ADDR and
# X-Forwarded-For is ignored (anyone can send it); 1 behind one TLS proxy; and so on.
IMS_TRUSTED_PROXIES = env_int("IMS_TRUSTED_PROXIES", 0, minimum=0)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Prometheus metrics at /metrics (ims_console/web/metrics.py): off unless IMS_METRICS, and then only for these addresses.
IMS_METRICS = env_bool("IMS_METRICS", False)
IMS_METRICS_ALLOW = env_networks("IMS_METRICS_ALLOW", "127.0.0.1/32,::1/128")
# Logs: IMS_LOG_FORMAT=json in production (one JSON object a line, each with its request's ID), text otherwise.
IMS_LOG_FORMAT = os.environ.get("IMS_LOG_FORMAT", "text").strip().lower()
if IMS_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"IMS_LOG_FORMAT={IMS_LOG_FORMAT!r}: use text (the default) or json.")
LOGGING = logging_config(IMS_LOG_FORMAT, os.environ.get("DJANGO_LOG_LEVEL", "INFO"))

# Login throttling (django-axes): after IMS_LOGIN_FAILURE_LIMIT failed logins for one user name, or from one
# client address, further attempts for it are refused for IMS_LOGIN_COOLOFF_MINUTES without checking a password.
AXES_FAILURE_LIMIT = env_int("IMS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("IMS_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "ims_console.identity.tenancy.client_ip"
AXES_USERNAME_CALLABLE = "ims_console.identity.tenancy.throttled_username"
AXES_LOCKOUT_CALLABLE = "ims_console.identity.views.login_locked_out"
AXES_VERBOSE = False

# Background tasks (Django's Tasks framework) are queued in the console's own database and run by
# `manage.py db_worker` (django-tasks-db), on SQLite and PostgreSQL alike.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The console's own settings. Regions the cloud offers: code -> display name. A project lives in exactly one of them.
IMS_REGIONS = {"eu-de": gettext_lazy("EU-Germany"), "eu-nl": gettext_lazy("EU-Netherlands")}
IMS_BACKEND = os.environ.get("IMS_BACKEND", "embedded")
if IMS_BACKEND not in ("embedded", "openstack"):
    raise ImproperlyConfigured(f"IMS_BACKEND={IMS_BACKEND!r}: use embedded (the default) or openstack.")
# OpenStack mode (IMS_BACKEND=openstack): the cloud's Keystone v3, which interface and region of its catalog to
# use, a CA bundle for its TLS, and how long to wait for it (connect and read, seconds).
OS_AUTH_URL = os.environ.get("OS_AUTH_URL", "").strip()
OS_INTERFACE = os.environ.get("OS_INTERFACE", "public").strip()
OS_REGION_NAME = os.environ.get("OS_REGION_NAME", "").strip()
OS_CACERT = os.environ.get("OS_CACERT", "").strip()
try:
    IMS_REMOTE_TIMEOUT = float(os.environ.get("IMS_REMOTE_TIMEOUT", "10"))
except ValueError:
    raise ImproperlyConfigured(f"IMS_REMOTE_TIMEOUT={os.environ['IMS_REMOTE_TIMEOUT']!r} is not a number of seconds.") from None
if not 0 < IMS_REMOTE_TIMEOUT <= 300:
    raise ImproperlyConfigured(f"IMS_REMOTE_TIMEOUT={IMS_REMOTE_TIMEOUT:g} must be between 0 and 300 seconds.")
if IMS_BACKEND == "openstack":
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?/v3/?", OS_AUTH_URL):
        raise ImproperlyConfigured(f"OS_AUTH_URL={OS_AUTH_URL!r}: OpenStack mode needs Keystone's v3 URL, such as http://host:5000/v3.")
    if OS_INTERFACE not in ("public", "internal", "admin"):
        raise ImproperlyConfigured(f"OS_INTERFACE={OS_INTERFACE!r} is not one of public, internal, admin.")
    if OS_CACERT and not Path(OS_CACERT).is_file():
        raise ImproperlyConfigured(f"OS_CACERT={OS_CACERT!r} is not a file.")
# OpenStack mode, optional: a Keystone user with the reader role on the system, with which the console checks that
# recipients' projects exist (and where) and shows their names (ims_console/identity/project_lookup.py).
IMS_OS_LOOKUP_USER = os.environ.get("IMS_OS_LOOKUP_USER", "").strip()
IMS_OS_LOOKUP_PASSWORD = os.environ.get("IMS_OS_LOOKUP_PASSWORD", "")
IMS_OS_LOOKUP_DOMAIN = os.environ.get("IMS_OS_LOOKUP_DOMAIN", "Default").strip()
if IMS_OS_LOOKUP_USER and not IMS_OS_LOOKUP_PASSWORD:
    raise ImproperlyConfigured(f"IMS_OS_LOOKUP_USER={IMS_OS_LOOKUP_USER!r} is set but IMS_OS_LOOKUP_PASSWORD is not.")
# Submissions of more (image, project) pairs than this run as a background job in OpenStack mode, where Glance
# takes one pair per call; the task worker (`manage.py db_worker`, started by `make run`) runs them.
IMS_BACKGROUND_PAIRS = env_int("IMS_BACKGROUND_PAIRS", 50)
# OpenStack mode: how many member calls the console sends to Glance at once (it takes one pair per call).
IMS_OS_PARALLEL_CALLS = env_int("IMS_OS_PARALLEL_CALLS", 8)
if IMS_OS_PARALLEL_CALLS > 64:
    raise ImproperlyConfigured(f"IMS_OS_PARALLEL_CALLS={IMS_OS_PARALLEL_CALLS} must be at most 64.")
IMS_PAGE_SIZES = (10, 20, 50, 100)
# Sharing limits (S4, S7 in docs/rules.md).
IMS_MAX_PROJECT_IDS_PER_SUBMISSION = env_int("IMS_MAX_PROJECT_IDS_PER_SUBMISSION", 100)
IMS_MAX_MEMBERS_PER_IMAGE = env_int("IMS_MAX_MEMBERS_PER_IMAGE", 256)
IMS_MAX_MEMBERS_PER_FULL_ECS_IMAGE = env_int("IMS_MAX_MEMBERS_PER_FULL_ECS_IMAGE", 10)
# The APIs (embedded mode, ims_console/api/): the address token catalogs give (empty: the request's), token life,
# uploaded image data (streamed, at most ..._MAX_MB each), the key access keys' secrets are encrypted with (or SECRET_KEY).
IMS_API_URL = os.environ.get("IMS_API_URL", "").strip().rstrip("/")
if IMS_API_URL and not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", IMS_API_URL):
    raise ImproperlyConfigured(f"IMS_API_URL={IMS_API_URL!r} is not an http(s) address such as https://console.example.com.")
IMS_API_TOKEN_HOURS = env_int("IMS_API_TOKEN_HOURS", 24)
IMS_IMAGE_FILES_DIR = Path(os.environ.get("IMS_IMAGE_FILES_DIR", "") or BASE_DIR / "image-files")
IMS_IMAGE_FILE_MAX_MB = env_int("IMS_IMAGE_FILE_MAX_MB", 1024)
IMS_ACCESS_KEY_ENCRYPTION_KEY = os.environ.get("IMS_ACCESS_KEY_ENCRYPTION_KEY", "")
