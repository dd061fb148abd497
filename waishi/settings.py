"""Settings for waishi. Every knob is an environment variable prefixed ``WAISHI_``.

``WAISHI_MODE`` is ``production``, ``demo`` or ``dev`` (the default). In production every
secret must come from the environment; elsewhere missing secrets are generated once and
kept in ``var/secrets.json`` (mode 0600), so a fresh checkout runs without setup.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("WAISHI_VAR_DIR", Path.cwd() / "var")).resolve()

MODE = os.environ.get("WAISHI_MODE", "dev")
if MODE not in {"production", "demo", "dev"}:
    raise ImproperlyConfigured("WAISHI_MODE must be production, demo or dev")
PRODUCTION = MODE == "production"
DEMO = MODE == "demo"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_GENERATED = {
    "WAISHI_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    # SM4 keys are 128 bit; "id:hex" pairs, the first is used to encrypt (rotation).
    "WAISHI_FIELD_KEYS": lambda: "k1:" + secrets.token_hex(16),
    "WAISHI_BLIND_INDEX_KEY": lambda: secrets.token_hex(32),
    "WAISHI_AUDIT_KEY": lambda: secrets.token_hex(32),
}


def _secret(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production")
    # Outside production the keys live beside the database they protect.
    store = VAR_DIR / "secrets.json"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    data = json.loads(store.read_text()) if store.exists() else {}
    if name not in data:
        data[name] = _GENERATED[name]()
        tmp = store.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.chmod(0o600)
        tmp.replace(store)
    return data[name]


SECRET_KEY = _secret("WAISHI_SECRET_KEY")
FIELD_KEYS = _secret("WAISHI_FIELD_KEYS")
BLIND_INDEX_KEY = _secret("WAISHI_BLIND_INDEX_KEY")
AUDIT_KEY = _secret("WAISHI_AUDIT_KEY")
# Checkpoints of the audit chain's head published outside the database (one JSON line
# each, appended): keep it on storage the database's users cannot write, append-only.
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("WAISHI_AUDIT_CHECKPOINT_FILE") or VAR_DIR / "audit-checkpoints.log"
)

DEBUG = env_bool("WAISHI_DEBUG", False)
ALLOWED_HOSTS = env_list(
    "WAISHI_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("WAISHI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First, so that its commands win over Django's (createsuperuser is refused).
    "waishi.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "huey.contrib.djhuey",
    "waishi.audit",
    "waishi.orgs",
    "waishi.policy",
    "waishi.approvals",
    "waishi.followups",
    "waishi.plans",
    "waishi.missions",
    "waishi.passports",
    "waishi.arrivals",
    "waishi.committee",
    "waishi.notify",
    "waishi.api",
    "waishi.ui",
    "waishi.ops",
]

MIDDLEWARE = [
    "waishi.lib.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "waishi.lib.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "waishi.accounts.middleware.AccountPolicyMiddleware",
    "waishi.accounts.middleware.UserLanguageMiddleware",
    "waishi.lib.middleware.NoStoreMiddleware",
    "waishi.lib.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Addresses (or networks, CIDR) of the reverse proxies in front of the app servers, e.g.
# nginx: a request from one of them is taken to come from the client named in its
# X-Forwarded-For (docs/deploy.md). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("WAISHI_TRUSTED_PROXIES", [])
for _net in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_net, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"WAISHI_TRUSTED_PROXIES: {_net!r} is not an address or a network"
        ) from exc

# Pages nobody signs in to that still show personal data: the public declaration form
# (after posting, and the lookup by code). Never stored by a browser or proxy, as every
# signed-in page is not (waishi.lib.middleware.NoStoreMiddleware).
NO_STORE_PATHS = ["/declare/"]

ROOT_URLCONF = "waishi.urls"
WSGI_APPLICATION = "waishi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waishi.ui.context_processors.shell",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("WAISHI_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'waishi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# A kept connection is checked (a cheap ping) before its first use in each request: after a
# database restart, failover or a killed backend a worker reconnects instead of failing
# one request per kept connection (docs/deploy.md).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
_engine = DATABASES["default"]["ENGINE"]
if _engine.endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Several gunicorn workers and the huey consumer write the same file: WAL lets
        # readers go on while one writes, IMMEDIATE takes the write lock at BEGIN so that
        # two writers queue on the busy timeout instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA foreign_keys=ON;",
    }
    if DATABASES["default"]["NAME"] not in {":memory:", ""}:
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif _engine.endswith("mysql"):
    # PyMySQL is pure Python, so a new machine needs no MariaDB client headers. Django
    # checks the mysqlclient version it imitates; PyMySQL implements that API.
    import pymysql

    pymysql.version_info = (2, 2, 1, "final", 0)
    pymysql.install_as_MySQLdb()
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"charset": "utf8mb4", "isolation_level": "read committed"}
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits, lockouts) -----------------------------------------------------------
REDIS_URL = os.environ.get("WAISHI_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif os.environ.get("WAISHI_CACHE", "") == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared by every gunicorn worker on one machine, unlike the per-process locmem cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- background work ------------------------------------------------------------------------
HUEY_IMMEDIATE = env_bool("WAISHI_HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "waishi",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "waishi",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }
# The crontabs of the periodic jobs are Beijing time (TIME_ZONE; Django sets the process's
# TZ to it): huey schedules in local time, not its default UTC.
HUEY["utc"] = False
HUEY["consumer"] = {"workers": env_int("WAISHI_WORKERS", 2, 1), "worker_type": "thread"}

# --- authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "waishi.accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 level 3 asks for complexity and periodic change; ASVS advises against both. 等保
# binds government systems, so it wins by default; each number can be changed here.
PASSWORD_MIN_LENGTH = env_int("WAISHI_PASSWORD_MIN_LENGTH", 10, 8)
PASSWORD_MIN_CLASSES = env_int("WAISHI_PASSWORD_MIN_CLASSES", 3, 1)
PASSWORD_MAX_AGE_DAYS = env_int("WAISHI_PASSWORD_MAX_AGE_DAYS", 90, 0)  # 0: never expires
PASSWORD_HISTORY = env_int("WAISHI_PASSWORD_HISTORY", 5, 0)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {
        "NAME": "waishi.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "waishi.accounts.passwords.MaximumLengthValidator"},
    {
        "NAME": "waishi.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "waishi.accounts.passwords.HistoryValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (security.md A3): an account name from one address after AXES_FAILURE_LIMIT
# failures, and the account from every address after ACCOUNT_FAILURE_LIMIT failures
# spread over any addresses (waishi/accounts/lockout.py).
AXES_FAILURE_LIMIT = env_int("WAISHI_LOGIN_FAILURE_LIMIT", 5, 1)
AXES_COOLOFF_TIME = env_int("WAISHI_LOCKOUT_MINUTES", 30, 1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "waishi.accounts.lockout.LockoutHandler"
ACCOUNT_FAILURE_LIMIT = env_int("WAISHI_ACCOUNT_FAILURE_LIMIT", 10, 1)
ACCOUNT_LOCKOUT_MINUTES = env_int("WAISHI_ACCOUNT_LOCKOUT_MINUTES", 30, 1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "waishi.accounts.views.lockout"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("WAISHI_AXES_ENABLED", True)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

OTP_TOTP_ISSUER = "waishi"
OTP_TOTP_THROTTLE_FACTOR = 1
# Minutes a second-factor check stays fresh for step-up actions (security.md S2).
STEP_UP_MINUTES = env_int("WAISHI_STEP_UP_MINUTES", 5, 1)

# The Foreign Affairs Office's telephone number printed on the publicity notices (公示) for
# objections, e.g. "0571-87000000". Unset, the notices name the office without a number;
# the demo city has an invented one.
FAO_PHONE = os.environ.get("WAISHI_FAO_PHONE", "0571-87000000" if DEMO else "")

# --- sessions (security.md S1) --------------------------------------------------------------
# With Redis, sessions live in the cache (Redis) alone, like the cache itself: no app server
# keeps state and no request writes a session row to the database; Redis expires them
# (docs/deploy.md says why "cache" rather than "cached_db"). Without Redis, the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cache" if REDIS_URL else "django.contrib.sessions.backends.db"
)
SESSION_IDLE_MINUTES = env_int("WAISHI_SESSION_IDLE_MINUTES", 30, 1)
SESSION_ABSOLUTE_HOURS = env_int("WAISHI_SESSION_ABSOLUTE_HOURS", 12, 1)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "waishi_session"
CSRF_COOKIE_NAME = "waishi_csrftoken"
LANGUAGE_COOKIE_NAME = "waishi_language"

# --- HTTP security (security.md C1) ---------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("WAISHI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer's or `waishi serve`'s health check asks over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("WAISHI_HSTS_SECONDS", 31536000, 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("WAISHI_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# --- internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploaded files (invitation letters, arrival lists awaiting confirmation): on several app
# servers this folder must be shared storage (docs/deploy.md).
MEDIA_ROOT = Path(os.environ.get("WAISHI_MEDIA_DIR") or VAR_DIR / "media").resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if MODE != "dev"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = MODE == "dev"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("WAISHI_IMPORT_MAX_BYTES", 10 * 1024 * 1024, 1024)
# Imports run inside the request: 5,000 rows take about 15 s here (gunicorn times out at 60).
IMPORT_MAX_ROWS = env_int("WAISHI_IMPORT_MAX_ROWS", 5000, 1)
# Arrival lists import in bulk: 100,000 rows take about 33 s here (docs/performance.md), so
# the page takes up to 50,000; larger lists go through `waishi import_arrivals`.
ARRIVALS_IMPORT_MAX_ROWS = env_int("WAISHI_ARRIVALS_IMPORT_MAX_ROWS", 50_000, 1)
ARRIVALS_IMPORT_MAX_BYTES = env_int("WAISHI_ARRIVALS_IMPORT_MAX_BYTES", 20 * 1024 * 1024, 1024)
# The public declaration form (waishi.arrivals.ratelimit): posts per address, "count/seconds",
# and the largest body it takes.
DECLARE_RATE = os.environ.get("WAISHI_DECLARE_RATE", "10/600")
DECLARE_LOOKUP_RATE = os.environ.get("WAISHI_DECLARE_LOOKUP_RATE", "10/600")
DECLARE_MAX_BYTES = env_int("WAISHI_DECLARE_MAX_BYTES", 20 * 1024, 1024)
# Files attached on the pages and the API, checked by their content (waishi.lib.uploads):
# a trip's invitation letter, a follow-up's evidence of progress.
MISSION_UPLOAD_MAX_BYTES = env_int("WAISHI_MISSION_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, 1024)
FOLLOWUP_UPLOAD_MAX_BYTES = env_int("WAISHI_FOLLOWUP_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, 1024)

# --- deadlines ------------------------------------------------------------------------------
# Working days after the reminder before an overdue approval step goes to the superior
# (waishi.approvals.services).
APPROVAL_ESCALATE_AFTER_DAYS = env_int("WAISHI_APPROVAL_ESCALATE_AFTER_DAYS", 2, 1)
# Working days past its due date before an overdue follow-up outcome goes to the FAO
# (waishi.followups.services).
FOLLOWUP_ESCALATE_AFTER_DAYS = env_int("WAISHI_FOLLOWUP_ESCALATE_AFTER_DAYS", 5, 1)

# --- email ----------------------------------------------------------------------------------
# The demo writes its e-mails (the notices of the trips it seeds, too) to files under
# var/mail/ instead of its console, where they would bury the logins it prints.
EMAIL_BACKEND = os.environ.get(
    "WAISHI_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend"
    if DEMO
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("WAISHI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("WAISHI_EMAIL_PORT", 25, 1)
EMAIL_HOST_USER = os.environ.get("WAISHI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("WAISHI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("WAISHI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("WAISHI_EMAIL_FROM", "waishi@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "waishi.api.authentication.TokenAuthentication",
        "waishi.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API needs inline scripts that the CSP refuses.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("WAISHI_API_RATE", "600/minute"),
        "anon": os.environ.get("WAISHI_API_ANON_RATE", "30/minute"),
    },
    "EXCEPTION_HANDLER": "waishi.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "waishi API",
    "DESCRIPTION": "外事工作管理平台 REST API. Authenticate with `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
API_TOKEN_MAX_DAYS = env_int("WAISHI_API_TOKEN_MAX_DAYS", 365, 1)

# --- audit ----------------------------------------------------------------------------------
# Cybersecurity Law: logs kept at least six months; never configurable below 183 days.
AUDIT_RETENTION_DAYS = env_int("WAISHI_AUDIT_RETENTION_DAYS", 3 * 365, 183)

# --- logging (no ID numbers, passwords or tokens: security.md L4) ---------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "waishi.lib.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("WAISHI_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # huey's consumer adds its own handler unless its logger already has one.
        "huey": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}

DEMO_BANNER = DEMO
