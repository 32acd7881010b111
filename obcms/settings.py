"""obcms settings: one module, driven by the environment, read top to bottom.

The same code runs on a laptop, in CI and in production; the environment decides. Every variable
is declared in app.json with its meaning. Nothing here needs a secret at import time: the build
runs ``collectstatic`` with an empty environment, and the processes that serve stop on missing
or malformed values (see obcms/env.py).
"""

import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery.schedules import crontab
from whitenoise.compress import Compressor

from obcms.env import Env
from obcms.logs import log_format
from obcms.maptiles import (
    OPENSTREETMAP,
    OPENSTREETMAP_ATTRIBUTION,
    tile_url_error,
)
from obcms.platform import (
    default_proxy_count,
    https_origins,
    platform_hosts,
    release_id,
    site_url,
)
from obcms.version import __version__

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = env = Env()

# GENERAL
# ------------------------------------------------------------------------------
# DEBUG is off unless asked for; everything below defaults to production posture when it is.
DEBUG = env.bool("DEBUG", default=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-obcms-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = (
    env.secret(
        "SECRET_KEY",
        required=not DEBUG,
        hint='required when DEBUG is off; generate one with: python -c "import secrets; '
        'print(secrets.token_urlsafe(50))"',
    )
    or DEVELOPMENT_SECRET_KEY
)

# Where the embedded defaults keep their files (SQLite, the filesystem broker, media). A
# relative path is taken from the project folder, so that web, worker, beat and a manage.py
# run from elsewhere all find the same files.
DATA_DIR = BASE_DIR / env.str("DATA_DIR", default="var")

# The commit being served, as the platform names it; shown by /health/ and sent to Sentry.
RELEASE = release_id(env) or __version__

# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS") or platform_hosts(env)
if not ALLOWED_HOSTS:
    if DEBUG:
        ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    else:
        env.require(
            "ALLOWED_HOSTS",
            "required when DEBUG is off; list the host names this site "
            "answers to, comma-separated (for example obcms.example.org)",
        )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS") or https_origins(ALLOWED_HOSTS)
# Where links in emails (invitations, password resets) point: never the request's Host header.
# Unset, it is guessed from the hosts (http://localhost:8000 on a laptop); pages that show a
# link to the person reading them (the calendar feed) use the address they are using instead,
# unless SITE_URL is set (obcms/agenda/views.py).
SITE_URL_CONFIGURED = env.url("SITE_URL", schemes=("https", "http")).rstrip("/")
SITE_URL = SITE_URL_CONFIGURED or site_url(ALLOWED_HOSTS + platform_hosts(env), debug=DEBUG)

ROOT_URLCONF = "obcms.urls"
WSGI_APPLICATION = "obcms.wsgi.application"  # nixpacks finds the app by this exact line

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "obcms.api.apps.StaticFilesConfig",  # django.contrib.staticfiles, minus unused API assets
    "obcms.health",
    "obcms.ops",
    "obcms.security",
    "obcms.accounts",
    "auditlog",
    "obcms.records",
    "obcms.geography",
    "obcms.communities",
    "obcms.assessments",
    "obcms.coordination",
    "obcms.ppas",
    "obcms.policies",
    "obcms.meetings",
    "obcms.agenda",
    "obcms.reminders",
    "obcms.places",
    "obcms.reports",
]

MIDDLEWARE = [
    # First, so every log line of the request (probes included) carries its id.
    "obcms.logs.RequestIdMiddleware",
    # Probes answer before host validation and the HTTPS redirect (see obcms/health/).
    "obcms.health.middleware.ProbeMiddleware",
    "obcms.security.middleware.RequestSizeLimitMiddleware",
    # NUL in the admin's query or form values: 400 here, not a DataError from PostgreSQL.
    "obcms.security.middleware.AdminValuesMiddleware",
    # A number too large for a date or for SQLite: 400, not an OverflowError.
    "obcms.security.middleware.NumberRangeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "obcms.security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # History entries made by a request name its user (obcms/records/history.py).
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "obcms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The admin lives at a path of your choosing, ending in a slash: segments of letters, digits,
# - _ and . only ('../' was accepted, and put the admin where no browser reaches it).
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not re.fullmatch(r"(?:(?!\.\.?/)[A-Za-z0-9._-]+/)+", ADMIN_URL):
    env.problem(
        "ADMIN_URL",
        f"expected a path like 'staff-admin/' (letters, digits, - _ . between slashes, no "
        f"leading slash, a trailing one, no . or .. segment), got {ADMIN_URL!r}",
    )
    ADMIN_URL = "admin/"

# DATABASES
# ------------------------------------------------------------------------------
# SQLite in DATA_DIR when DATABASE_URL is unset. Persistent connections are checked before reuse
# so a database restart costs one retry, not a 500.
DATABASES = {
    "default": env.database(
        "DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'obcms.sqlite3'}",
        conn_max_age=env.int("CONN_MAX_AGE", default=60, minimum=0, maximum=24 * 60 * 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    env.make_folder("DATA_DIR", DATA_DIR)  # SQLite creates the file, not its folder
    # web, worker and beat share the file on a laptop: WAL lets readers and one writer overlap,
    # IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # DRF imports django.contrib.postgres.fields whenever psycopg is installed (its compat
    # module), and with it psycopg and libpq: about 9 MiB and 40 ms of every process's start,
    # for fields SQLite cannot have. Marked absent, that import fails as DRF expects it to
    # when psycopg is not installed. Our own code imports django.contrib.postgres only where
    # the database is PostgreSQL (obcms/reports/spreadsheets.py).
    sys.modules.setdefault("django.contrib.postgres.fields", None)
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # A dead or blackholed server fails fast instead of holding a request (or a probe).
        connect_timeout=5,
        # A server gone without a word (a partition, a failover, a NAT that forgot us): the
        # kernel probes an idle connection after 10 s, and drops it when probes or data stay
        # unacknowledged for 20 s, so a query waiting on it fails instead of hanging forever.
        # https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-KEEPALIVES
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
        tcp_user_timeout=20_000,
    )
# In the web process, the database cancels a statement after this many seconds (a lock wait, a
# runaway query; obcms/db/timeouts.py): the person gets an error page before the routers give
# up at 30 s (Heroku, Coolify's Traefik) and gunicorn's 28 s, instead of a thread that waits
# without limit. Only there (gunicorn: obcms/web.py names itself so; runserver): the release's
# migrations and the worker's long jobs are not cut. Set per connection, not as a libpq
# startup option, which PgBouncer refuses.
WEB_PROCESS = Path(sys.argv[0]).name == "gunicorn" or sys.argv[1:2] == ["runserver"]
DATABASE_STATEMENT_TIMEOUT = 25 if WEB_PROCESS else 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHES
# ------------------------------------------------------------------------------
# Redis when REDIS_URL is set (shared by every process, needed with more than one web process);
# process-local memory otherwise. Short socket timeouts: a hung Redis must not hang requests.
REDIS_URL = env.url("REDIS_URL", schemes=("redis", "rediss"))
# Managed Redis with TLS (rediss://) often uses a self-signed certificate (Heroku): "none".
REDIS_SSL_CERT_REQS = env.choice(
    "REDIS_SSL_CERT_REQS", "required", ("required", "optional", "none")
)
REDIS_SSL_OPTIONS = (
    {"ssl_cert_reqs": REDIS_SSL_CERT_REQS} if REDIS_URL.startswith("rediss:") else {}
)
if REDIS_URL:
    REDIS_CACHE_OPTIONS = {
        # After a failure, Redis is skipped for a few seconds (obcms/db/redis_cache.py): a
        # page waits for one timeout at most, not one per cache operation.
        "CLIENT_CLASS": "obcms.db.redis_cache.BreakerClient",
        "SOCKET_CONNECT_TIMEOUT": 2,
        "SOCKET_TIMEOUT": 2,
        "CONNECTION_POOL_KWARGS": dict(REDIS_SSL_OPTIONS),
    }
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        },
        # Sessions and remembered permissions and choices (obcms/db/shared_cache.py) are
        # copies of database rows: with Redis down they are read from the database instead of
        # failing the request (django-redis's IGNORE_EXCEPTIONS; /ready/ reports the outage).
        "copies": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**REDIS_CACHE_OPTIONS, "IGNORE_EXCEPTIONS": True},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins are counted per account and per address (obcms/security/signin.py), in the
# cache, so with Redis every web process sees the same counts.
# The throttled sign-in (obcms/security/signin.py), with permissions remembered in the cache.
AUTHENTICATION_BACKENDS = ["obcms.accounts.roles.RoleBackend"]
# Per account from one address, per address, and per account from every address (higher, so
# a stranger cannot lock an administrator out with a few requests).
LOCKOUT_ACCOUNT_FAILURES = 10
LOCKOUT_ADDRESS_FAILURES = 50
LOCKOUT_ACCOUNT_GLOBAL_FAILURES = 100
# How many proxies the platform puts in front of the web process: the client address is the
# one the outermost of them saw in X-Forwarded-For (obcms/security/signin.py).
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=default_proxy_count(env), minimum=0, maximum=10
)
LOCKOUT_WINDOW = 15 * 60
# A reset link works once (it is bound to the password it replaces) and for a day; an
# invitation's link for 72 hours (obcms/accounts/models.py).
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# HISTORY (django-auditlog; see obcms/records/history.py)
# ------------------------------------------------------------------------------
# Related records by name as they were then ("Barangay Poblacion"), not ids that may be gone.
AUDITLOG_USE_FK_STRING_REPRESENTATION = True
# Entries carry the request id of the log lines (or "import #12"), not a client's header.
AUDITLOG_CID_GETTER = "obcms.records.history.correlation_id"
# Who changed what is the record; staff IP addresses (spoofable behind proxies) are not kept.
AUDITLOG_DISABLE_REMOTE_ADDR = True

# API
# ------------------------------------------------------------------------------
# /api/v1/ (obcms/api/): Django REST framework with our own hashed, scoped tokens, cursor pages,
# an OpenAPI 3 schema and Swagger UI served from our own static files (the sidecar).
INSTALLED_APPS += [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "obcms.api",
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "obcms.api.authentication.BearerTokenAuthentication",  # first: 401s name Bearer
        "rest_framework.authentication.SessionAuthentication",  # the pages' own use, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["obcms.api.throttling.TokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "obcms.api.negotiation.JsonContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "obcms.api.pagination.CursorPages",
    # Loaded where a schema is generated, never by serving the API (obcms/api/docs.py).
    "DEFAULT_SCHEMA_CLASS": "obcms.api.schema.RecordSchema",
    "EXCEPTION_HANDLER": "obcms.api.errors.exception_handler",
    "URL_FORMAT_OVERRIDE": None,  # ?format= is an unknown parameter like any other: ignored
    "COERCE_DECIMAL_TO_STRING": False,  # coordinates as JSON numbers, as spreadsheets expect
}
# Source maps (Swagger UI ships 2.5 MB of them) are read by developer tools only: not worth
# compressing at every build.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "obcms API",
    "DESCRIPTION": "The registry of Other Bangsamoro Communities, their needs assessments and "
    "partner engagements. Tokens: /accounts/tokens/. Pages of 100 by cursor: follow 'next'.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,  # what a client sends and gets are separate schemas
    # Loaded where a schema is generated, never by serving the API (obcms/api/docs.py).
    "DEFAULT_GENERATOR_CLASS": "obcms.api.schema.Generator",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "obcms.assessments.models.Assessment.Status",
        "EngagementStatusEnum": "obcms.coordination.models.Engagement.Status",
        "NeedStatusEnum": "obcms.assessments.models.Need.Status",
        "PPAStatusEnum": "obcms.ppas.models.PPA.Status",
        "PolicyStatusEnum": "obcms.policies.models.Policy.Status",
        "PartnerKindEnum": "obcms.coordination.models.Partner.Kind",
        "MunicipalityKindEnum": "obcms.geography.models.Municipality.Kind",
        "RatingEnum": "obcms.communities.models.Rating",  # the nine services share it
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "obcms.api.schema.add_error_responses",
    ],
}
# Requests per token (or signed-in user) and per client address, counted in the cache: a
# number, then /s, /min, /hour or /day. A refusal is 429 with Retry-After.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="120/min")
API_ADDRESS_THROTTLE_RATE = env.str("API_ADDRESS_THROTTLE_RATE", default="300/min")
THROTTLE_RATE = r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)"
if not re.fullmatch(THROTTLE_RATE, API_THROTTLE_RATE):
    env.problem("API_THROTTLE_RATE", f"expected a rate like 120/min, got {API_THROTTLE_RATE!r}")
    API_THROTTLE_RATE = "120/min"
if not re.fullmatch(THROTTLE_RATE, API_ADDRESS_THROTTLE_RATE):
    env.problem(
        "API_ADDRESS_THROTTLE_RATE",
        f"expected a rate like 300/min, got {API_ADDRESS_THROTTLE_RATE!r}",
    )
    API_ADDRESS_THROTTLE_RATE = "300/min"

# INTERNATIONALIZATION
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Manila")

# One file read; available_timezones() walked the whole database, some 40 ms of every start.
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, like "America"
    env.problem("TIME_ZONE", f"expected an IANA time zone like Asia/Manila, got {TIME_ZONE!r}")
    TIME_ZONE = "Asia/Manila"
USE_I18N = True
USE_TZ = True

# STATIC AND MEDIA FILES
# ------------------------------------------------------------------------------
# collectstatic runs at build time; whitenoise serves the compressed, fingerprinted files.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "obcms" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Exports and uploaded imports: a local folder by default; an S3-compatible bucket (AWS, R2,
# MinIO, DigitalOcean Spaces) when one is named, since web and worker share no disk on
# Coolify or Heroku. Files are private: downloads go through obcms, which checks permissions.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.url("AWS_S3_ENDPOINT_URL", schemes=("https", "http")) or None,
            "region_name": env.str("AWS_S3_REGION_NAME") or None,
            "access_key": env.secret(
                "AWS_ACCESS_KEY_ID", required=True, hint="required with AWS_STORAGE_BUCKET_NAME"
            ),
            "secret_key": env.secret(
                "AWS_SECRET_ACCESS_KEY", required=True, hint="required with AWS_STORAGE_BUCKET_NAME"
            ),
            "location": "media",
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# SECURITY
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# Every platform we deploy to terminates TLS in a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Start low and raise once HTTPS is known good: browsers remember this for its whole length.
# At most two years, the longest hstspreload.org asks for.
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=0 if DEBUG else 3600, minimum=0, maximum=2 * 365 * 24 * 60 * 60
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# __Host- cookies must be Secure, for the whole site and for this host only: browsers refuse
# them otherwise, so a sub-domain cannot plant one. Plain names on a developer's http.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
# obcms.E001 (obcms/ops/checks.py) replaces Django's security.W009: the same test of SECRET_KEY,
# as an error that stops the release rather than a warning printed beside it.
# models.W040: on SQLite the lists' region indexes (obcms/communities/models.py) are built without
# their included column, which only PostgreSQL's index-only scans use; nothing to do about it.
SILENCED_SYSTEM_CHECKS = ["security.W009", "models.W040"]
# Bodies above this are refused with 413 before they are read; imports are capped at 5 MB.
# Attachments (documents and photos on records, obcms/records/attachments.py) up to this size;
# a request carries one with its form fields, so the body limit stays a megabyte above it.
# At most 100 MB: a body must arrive within GUNICORN_READ_TIMEOUT (60 s) and the routers' limits.
ATTACHMENT_MAX_MB = env.int("ATTACHMENT_MAX_MB", default=9, minimum=1, maximum=100)
MAX_REQUEST_BYTES = max(10, ATTACHMENT_MAX_MB + 1) * 1024 * 1024
# At most 400 days, the longest a browser keeps a cookie (RFC 6265bis; Chrome caps it there). A
# larger value passed here and then overflowed the session's expiry date at every sign-in (400).
SESSION_COOKIE_AGE = env.int(
    "SESSION_COOKIE_AGE", default=8 * 60 * 60, minimum=60, maximum=400 * 24 * 60 * 60
)
# Sessions read from Redis, written through to the database (one query less a request). With
# the local-memory cache (no REDIS_URL) each web process would keep its own copy, and one
# could still honour a session another has signed out: the database alone then.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_CACHE_ALIAS = "copies" if REDIS_URL else "default"

# MAPS
# ------------------------------------------------------------------------------
# Map tiles come straight from this server to the browser; the CSP's img-src allows exactly
# its origin. OpenStreetMap's tiles suit light use (https://operations.osmfoundation.org/
# policies/tiles/); a busy office should name its own provider, and its credit line.
MAP_TILES_URL = env.str("MAP_TILES_URL", default=OPENSTREETMAP)
if tile_url_error(MAP_TILES_URL):
    env.problem("MAP_TILES_URL", tile_url_error(MAP_TILES_URL))
    MAP_TILES_URL = OPENSTREETMAP
MAP_TILES_ATTRIBUTION = env.str("MAP_TILES_ATTRIBUTION", default=OPENSTREETMAP_ATTRIBUTION)

# EMAIL
# ------------------------------------------------------------------------------
# One URL, like DATABASE_URL; unset means messages are printed to the log.
_email = env.email("EMAIL_URL")
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="OBC Management System <obcms@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# LOGGING
# ------------------------------------------------------------------------------
# One event per line on stdout; the platform collects it. JSON in production, text on a laptop.
# Every line carries the request id of the request (or of the task's request) it belongs to.
LOG_LEVEL = env.choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical"))
LOG_FORMAT = log_format(env, debug=DEBUG)
LOGGING_CONFIG = "obcms.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "obcms.logs.RequestIdFilter"},
        "refusals": {"()": "obcms.logs.RefusalFilter"},  # a 403's line without a traceback
    },
    "formatters": {
        "json": {"()": "obcms.logs.JsonFormatter"},
        "text": {"()": "obcms.logs.TextFormatter"},  # times in UTC, as the JSON's
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "refusals"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL.upper()},
    "loggers": {
        # Django's own defaults (applied first) give "django" a bare console handler when DEBUG
        # is on: every error came out twice. Through ours only, at LOG_LEVEL.
        "django": {"handlers": [], "level": "NOTSET"},
        # Scanners hitting the wrong Host are noise, not errors: the 400 is in the access log.
        "django.security.DisallowedHost": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # fpdf2 subsets fonts with fontTools, which logs every table it prunes.
        "fontTools": {"level": "WARNING"},
    },
}

# CELERY
# ------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Broker: CELERY_BROKER_URL, else Redis, else a folder on disk (no server; laptop only: every
# process must see the same folder).
CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL",
    default=REDIS_URL or "filesystem://localhost/",
    schemes=("redis", "rediss", "amqp", "amqps", "filesystem"),
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem:"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "control_folder": str(DATA_DIR / "broker-control"),
    }
    # kombu uses these folders (web and beat send, the worker receives) but does not create them.
    env.make_folder("DATA_DIR", DATA_DIR / "broker")
    env.make_folder("DATA_DIR", DATA_DIR / "broker-control")
if CELERY_BROKER_URL.startswith("rediss:"):
    CELERY_BROKER_USE_SSL = REDIS_SSL_OPTIONS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Nothing lost: a task is acknowledged only once it has run, and comes back if its worker dies
# mid-way; each worker process reserves one task at a time, so a dying worker strands no queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# A task gets SoftTimeLimitExceeded at the soft limit (to clean up) and is killed at the hard one.
# At most a day: a longer task is a bug, and the limit also sets Redis's visibility timeout.
CELERY_TASK_TIME_LIMIT = env.int(
    "CELERY_TASK_TIME_LIMIT", default=300, minimum=2, maximum=24 * 60 * 60
)
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT", default=240, minimum=1, maximum=24 * 60 * 60 - 1
)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    env.problem(
        "CELERY_TASK_SOFT_TIME_LIMIT",
        f"expected fewer seconds than "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT}), got {CELERY_TASK_SOFT_TIME_LIMIT}",
    )
    CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 1
# Redis re-delivers an unacknowledged task after this long. A reserved task may wait one full
# run before it starts, then run one itself: stay above twice the hard limit, or a slow task
# would be delivered to a second worker while the first still runs it.
# Every broker command gives up after a few seconds of silence (kombu's default is to wait
# forever): a publish from a request fails while Redis hangs, leaving the job delayed for the
# sweeper (obcms/reports/jobs.py), instead of holding the person's page as long as Redis
# hangs. Above kombu's 1 s BRPOP poll (brpop_timeout), so a worker idle for tasks never times
# out; keepalive lets the kernel notice a peer that vanished without closing.
if CELERY_BROKER_URL.startswith(("redis:", "rediss:")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT + 60,
        "socket_timeout": 5,
        "socket_connect_timeout": 3,
        "socket_keepalive": True,
    }
# Results are stored only for tasks that ask for them, and expire.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = REDIS_URL or f"file://{DATA_DIR / 'results'}"
if not REDIS_URL:
    env.make_folder("DATA_DIR", DATA_DIR / "results")  # nor does Celery's file backend
CELERY_RESULT_EXPIRES = 24 * 60 * 60
if CELERY_RESULT_BACKEND.startswith("rediss:"):
    CELERY_REDIS_BACKEND_USE_SSL = REDIS_SSL_OPTIONS
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's default is one process per CPU the container can see, often the host's; be explicit.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=2, minimum=1, maximum=64)
# Worker and beat started before the release step wait this long for migrations, then exit.
MIGRATIONS_WAIT_TIMEOUT = env.int(
    "MIGRATIONS_WAIT_TIMEOUT", default=300, minimum=0, maximum=24 * 60 * 60
)

# Beat: one sender at a time (obcms/beat.py), ticking at least every 5 s to keep its lock.
CELERY_BEAT_SCHEDULER = "obcms.beat:LockedScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
BEAT_LOCK_TTL = 30  # seconds a dead beat's Redis lock outlives it
BEAT_LOCK_RETRY = 5  # seconds between a standby beat's attempts
# The schedule, in one place. Each entry expires well within its period, so a backlog built
# up while workers were down is dropped rather than run in a burst.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "obcms.ops.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "clear-expired-sessions": {
        "task": "obcms.ops.tasks.clear_expired_sessions",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 6 * 60 * 60},
    },
    "refresh-statistics": {
        "task": "obcms.reports.tasks.refresh_statistics",
        "schedule": 15 * 60.0,
        "options": {"expires": 10 * 60},
    },
    "check-data-quality": {
        "task": "obcms.reports.tasks.check_data_quality",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    "expire-exports": {
        "task": "obcms.reports.tasks.expire_exports",
        "schedule": crontab(hour=3, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "send-reminders": {
        "task": "obcms.reports.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "send-weekly-digest": {
        "task": "obcms.reports.tasks.send_weekly_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="monday"),
        "options": {"expires": 6 * 60 * 60},
    },
    "purge-old-task-records": {
        "task": "obcms.ops.tasks.purge_old_task_records",
        "schedule": crontab(hour=2, minute=45, day_of_week="sunday"),
        "options": {"expires": 6 * 60 * 60},
    },
}
# /ready/ fails below this much free space in DATA_DIR (when the embedded database, broker or
# uploaded files live there).
DATA_DIR_MIN_FREE_MB = env.int("DATA_DIR_MIN_FREE_MB", default=100, minimum=0, maximum=1024 * 1024)
# Background jobs (obcms/reports/jobs.py): the row is the truth, the broker a doorbell. A
# running job's lease is renewed by its worker; the sweeper sends again every job queued or
# running past its lease; transient outages are retried with backoff for TASK_RETRY_WINDOW.
JOB_LEASE = env.int("JOB_LEASE", default=60, minimum=2, maximum=60 * 60)
JOB_SWEEP_INTERVAL = env.int("JOB_SWEEP_INTERVAL", default=30, minimum=1, maximum=60 * 60)
TASK_RETRY_WINDOW = env.int("TASK_RETRY_WINDOW", default=600, minimum=0, maximum=24 * 60 * 60)
CELERY_BEAT_SCHEDULE["sweep-jobs"] = {
    "task": "obcms.reports.tasks.sweep_jobs",
    "schedule": float(JOB_SWEEP_INTERVAL),
    "options": {"expires": JOB_SWEEP_INTERVAL},
}
# How long the record of each operations task run is kept (purge_old_task_records).
TASK_RECORD_RETENTION_DAYS = 30

# SENTRY
# ------------------------------------------------------------------------------
# Off unless SENTRY_DSN is set; then errors from web, worker and beat are reported.
SENTRY_DSN = env.url("SENTRY_DSN", schemes=("https", "http"))
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0, maximum=1)
SENTRY_PROFILES_SAMPLE_RATE = env.float("SENTRY_PROFILES_SAMPLE_RATE", 0.0, minimum=0, maximum=1)
if SENTRY_DSN:
    from obcms.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        release=RELEASE,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        profiles_sample_rate=SENTRY_PROFILES_SAMPLE_RATE,
    )
