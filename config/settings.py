"""Cityhall settings: one module, configured only through the environment (see README)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.email import email_settings
from config.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_str,
    persistent_oidc_private_key,
    persistent_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CITYHALL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = persistent_secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CITYHALL_BASE_URL = env_str("CITYHALL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# HTTPS=true turns on every transport-security setting; production always sets it.
HTTPS = env_bool("HTTPS", False)

INSTALLED_APPS = [
    "cityhall.core",
    "cityhall.web",
    "cityhall.accounts",
    "cityhall.notifications",
    "cityhall.portal",
    "cityhall.servicerequests",
    "cityhall.operating",
    "cityhall.alerts",
    "cityhall.catalog",
    "cityhall.datastore",
    "cityhall.dcat",
    "cityhall.engagement",
    "cityhall.voting",
    "cityhall.decisions",
    "cityhall.documents",
    "cityhall.foi",
    "cityhall.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's passkey and session lists load it
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.idp.oidc",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
]

MIDDLEWARE = [
    "cityhall.core.middleware.RequestLogMiddleware",
    "cityhall.core.middleware.BodySizeLimitMiddleware",
    "cityhall.core.middleware.ApiGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cityhall.accounts.middleware.SessionLifetimeMiddleware",
    "cityhall.accounts.middleware.StaffMultiFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cityhall.core.middleware.ContentSecurityPolicyMiddleware",  # django-csp, JSON policy built once
]

ROOT_URLCONF = "config.urls"
CITYHALL_API = "config.api.api"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cityhall.web.context_processors.site",
                "cityhall.accounts.context_processors.account",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'cityhall.sqlite3'}"
# Connections are kept for a minute by default: a new PostgreSQL connection per request costs ~2.5x on
# database-touching endpoints (see bench/), and a new SQLite one 2-4 ms of CPU (open the file, run the
# PRAGMAs below), as much as a whole catalog search.
_default_max_age = 60
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", _default_max_age))
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the writer work at once; synchronous=FULL keeps every commit durable;
    # IMMEDIATE transactions take the write lock up front so two writers never deadlock.
    _database["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database["CONN_HEALTH_CHECKS"] = True
else:
    raise ConfigurationError(
        "DATABASE_URL must point to SQLite (sqlite:///path) or PostgreSQL (postgres://...)."
    )
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")  # the task queue (RQ)
CACHE_URL = env_str("CACHE_URL")  # cache and rate limits; a different Redis database from REDIS_URL
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ConfigurationError("CACHE_URL must be a Redis URL, for example redis://127.0.0.1:6379/2.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "cityhall",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# NIST 800-63B AAL2 (Rev. 3 numbers satisfy Rev. 4): 30 minutes idle, 12 hours overall.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
# Those limits hold for staff and verified residents, who see personal records. Accounts below
# that level hold little, so their sessions may last longer (NIST AAL1 allows up to 30 days).
SESSION_BASIC_IDLE_TIMEOUT_SECONDS = env_int("SESSION_BASIC_IDLE_TIMEOUT_SECONDS", 2 * 60 * 60)
SESSION_BASIC_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_BASIC_ABSOLUTE_TIMEOUT_SECONDS", 24 * 60 * 60)
SESSION_COOKIE_AGE = max(SESSION_ABSOLUTE_TIMEOUT_SECONDS, SESSION_BASIC_ABSOLUTE_TIMEOUT_SECONDS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Background tasks -----------------------------------------------------------------------
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ConfigurationError(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASKS_BACKEND!r}."
    )
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ConfigurationError("TASKS_BACKEND=rq needs REDIS_URL (for example redis://127.0.0.1:6379/0).")
# "alerts" (emergency fan-out and sends) is listed first: an RQ worker takes it before "default",
# and a routine backlog never delays an evacuation message (docs/alerts.md).
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["alerts", "default"]}}
RQ_QUEUES = {
    name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 300}
    for name in ("alerts", "default")
}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST 800-63B: length (15 when the password may be the only factor), a blocklist, no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "cityhall.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "cityhall.accounts.passwords.ContextWordsValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

ACCOUNT_ADAPTER = "cityhall.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = env_str("CITY_NAME", "Cityhall")

# --- OpenID Connect provider (other city systems sign residents in through Cityhall) ---------
IDP_OIDC_PRIVATE_KEY = persistent_oidc_private_key(VAR_DIR)
IDP_OIDC_ADAPTER = "cityhall.accounts.oidc.OIDCAdapter"
IDP_OIDC_ID_TOKEN_EXPIRES_IN = 5 * 60
IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN = 10 * 60

# --- API tokens -----------------------------------------------------------------------------
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 365)

# --- Email ----------------------------------------------------------------------------------
globals().update(email_settings(env_str("EMAIL_URL"), VAR_DIR))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cityhall <noreply@cityhall.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "cityhall" / "locale"]
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it; collectstatic fills it
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Request limits -------------------------------------------------------------------------
# Form and JSON bodies Django reads into memory; larger ones are refused (RequestDataTooBig).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_FORM_MEMORY_BYTES", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Bodies larger than this are refused before they are read (uploads have their own limits).
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 20 * 1024 * 1024)

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is hard to undo, so it is a deliberate choice (security baseline), not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if not CSRF_TRUSTED_ORIGINS:
        CSRF_TRUSTED_ORIGINS = [
            f"https://{host}" for host in ALLOWED_HOSTS if host and not host.startswith(".")
        ]
    if urlsplit(CITYHALL_BASE_URL).scheme != "https":
        raise ConfigurationError("With HTTPS=true, CITYHALL_BASE_URL must start with https://.")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Logging: one JSON object per line on stderr --------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "cityhall.core.logging.JsonFormatter",
        },
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

NINJA_PAGINATION_CLASS = "cityhall.core.api.PagePagination"
NINJA_PAGINATION_MAX_LIMIT = 200

# --- The city -------------------------------------------------------------------------------
CITY_NAME = env_str("CITY_NAME", "Cityhall")
# The city's Open Contracting prefix (registered with the Open Contracting Partnership) for OCDS ocids.
OCDS_OCID_PREFIX = env_str("OCDS_OCID_PREFIX", "ocds-cityhall")
CSRF_FAILURE_VIEW = "cityhall.web.views.csrf_failure"

# --- Alerts and notifications (docs/alerts.md) ----------------------------------------------
# CAP <sender>: a globally unique, domain-based id (default: alerts@ the host of CITYHALL_BASE_URL).
CAP_SENDER = env_str("CAP_SENDER", f"alerts@{urlsplit(CITYHALL_BASE_URL).hostname or 'localhost'}")
CAP_SENDER_NAME = env_str("CAP_SENDER_NAME")  # default: "<city> Emergency Management"
# The OASIS CAP 1.2 schema; when the file is there, every message is checked against it before approval.
CAP_SCHEMA_PATH = env_str(
    "CAP_SCHEMA_PATH", str(BASE_DIR.parent / "shared" / "standards" / "schemas" / "cap12.xsd")
)
ALERTS_LIVE_RETRY_MS = env_int("ALERTS_LIVE_RETRY_MS", 15_000)  # how often open alert pages reconnect
# SMS through an HTTP gateway (JSON POST); empty: messages are written to var/sms/ (development).
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN")
SMS_GATEWAY_RECEIPT_TOKEN = env_str("SMS_GATEWAY_RECEIPT_TOKEN")  # what the gateway sends with receipts
SMS_SENDER_ID = env_str("SMS_SENDER_ID", "CITYHALL")
NOTIFY_HTTP_TIMEOUT_SECONDS = env_int("NOTIFY_HTTP_TIMEOUT_SECONDS", 5)  # SMS gateway and webhooks
# Webhooks to private, loopback or link-local addresses are refused unless this is true (tests, labs).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
# Token buckets per channel, shared by every worker: messages per second (burst: twice that).
NOTIFY_RATE_PER_SECOND = {
    "email": env_int("NOTIFY_EMAIL_PER_SECOND", 100),
    "sms": env_int("NOTIFY_SMS_PER_SECOND", 30),
    "webhook": env_int("NOTIFY_WEBHOOK_PER_SECOND", 100),
}
NOTIFY_BATCH_SIZE = env_int("NOTIFY_BATCH_SIZE", 200)  # deliveries one send task claims at a time
NOTIFY_SEND_PARALLELISM = env_int("NOTIFY_SEND_PARALLELISM", 4)  # send tasks started per channel
NOTIFY_CLAIM_LEASE_SECONDS = env_int("NOTIFY_CLAIM_LEASE_SECONDS", 120)  # then a crashed claim is retaken

# --- Maps and service requests (docs/servicerequests.md) ------------------------------------
# A slippy-map tile server, e.g. https://tile.example.org/{z}/{x}/{y}.png; empty: no maps, never needed.
MAP_TILE_URL = env_str("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION")
# Open311: the jurisdiction served (default: the host of CITYHALL_BASE_URL without "www.").
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID")
OPEN311_CONTACT = env_str("OPEN311_CONTACT")
OPEN311_ENDPOINT_TYPE = env_str("OPEN311_ENDPOINT_TYPE", "production")
OPEN311_POSTS_PER_MINUTE = env_int("OPEN311_POSTS_PER_MINUTE", 1200)  # per API key; 0 turns it off
SERVICE_REQUEST_PHOTO_MAX_BYTES = env_int("SERVICE_REQUEST_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
SERVICE_REQUEST_QUESTIONNAIRE_DAYS = env_int("SERVICE_REQUEST_QUESTIONNAIRE_DAYS", 7)
