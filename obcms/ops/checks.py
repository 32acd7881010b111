"""Deployment checks of our own, reported by ``manage.py check --deploy`` beside Django's and
run by the release step (an Error stops the release; a Warning is printed).

They cover what Django's checks do not: a secret left at its development value, hosts and
origins that defeat the protection they configure, and embedded defaults (SQLite, process
memory, local disk) that only work on one machine. Shaped as Django's own
(django/core/checks/security/base.py): one message per problem, one small function per check.
With DEBUG on, none applies.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)

# Replaces Django's security.W009 (silenced in settings): Django's test of the key, as an Error
# that stops the release instead of a warning printed beside one of ours.
E001 = Error(
    "SECRET_KEY is a development key (django-insecure-...), or too short or too simple for "
    "production.",
    hint='Set SECRET_KEY to at least 50 random characters: python -c "import secrets; '
    'print(secrets.token_urlsafe(50))"',
    id="obcms.E001",
)

E002 = Error(
    "ALLOWED_HOSTS contains '*': any Host header is accepted, which enables host header "
    "attacks (password-reset links to another site).",
    hint="List the real host names, e.g. ALLOWED_HOSTS=obcms.example.org. Probes (/health/, "
    "/ready/) answer any host without it.",
    id="obcms.E002",
)

E003 = Error(
    "CSRF_TRUSTED_ORIGINS has origins without https://.",
    hint="Give each origin with its scheme, https://obcms.example.org: obcms is only served "
    "over HTTPS.",
    id="obcms.E003",
)

W001 = Warning(
    "The database is SQLite in DATA_DIR: a container loses it on every deploy.",
    hint="Set DATABASE_URL to a PostgreSQL database.",
    id="obcms.W001",
)

W002 = Warning(
    "No REDIS_URL: the cache lives in each process's memory and Celery's broker is a folder on "
    "this machine. That serves one web process on one machine only: with more (WEB_CONCURRENCY "
    "above 1, as by default, or a second container) sign-in throttling and cached figures "
    "differ between processes, and a worker elsewhere never sees the tasks.",
    hint="Set REDIS_URL (the Heroku Key-Value Store add-on, a Coolify Redis resource).",
    id="obcms.W002",
)

W003 = Warning(
    "Exports and imports are stored on local disk, which the worker and the web containers do "
    "not share on Coolify, Heroku or Render.",
    hint="Set AWS_STORAGE_BUCKET_NAME (and its keys) to an S3-compatible bucket.",
    id="obcms.W003",
)

W004 = Warning(
    "No EMAIL_URL: reminders and digests are printed to the log, not sent.",
    hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587.",
    id="obcms.W004",
)


def _sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def _weak_secret_key(key: str) -> bool:
    return (
        key.startswith(SECRET_KEY_INSECURE_PREFIX)
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    )


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    passed_check = settings.DEBUG or not _weak_secret_key(settings.SECRET_KEY)
    return [] if passed_check else [E001]


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    passed_check = settings.DEBUG or "*" not in settings.ALLOWED_HOSTS
    return [] if passed_check else [E002]


@register(Tags.security, deploy=True)
def check_csrf_trusted_origins(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    passed_check = settings.DEBUG or all(
        origin.startswith("https://") for origin in settings.CSRF_TRUSTED_ORIGINS
    )
    return [] if passed_check else [E003]


@register(Tags.database, deploy=True)
def check_database(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    passed_check = settings.DEBUG or not _sqlite()
    return [] if passed_check else [W001]


@register(Tags.database, deploy=True)
def check_redis(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    passed_check = settings.DEBUG or bool(settings.REDIS_URL)
    return [] if passed_check else [W002]


@register(Tags.database, deploy=True)
def check_media_storage(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    # With SQLite, W001 already says this is one machine; local files are then no surprise.
    passed_check = settings.DEBUG or bool(settings.AWS_STORAGE_BUCKET_NAME) or _sqlite()
    return [] if passed_check else [W003]


@register(Tags.database, deploy=True)
def check_email(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    passed_check = settings.DEBUG or not settings.EMAIL_BACKEND.endswith("console.EmailBackend")
    return [] if passed_check else [W004]


# The errors above that make serving unsafe, whoever starts the web process: Heroku and Dokku
# start web in a container of its own, where release never ran, so the release's refusal alone
# does not keep a weak key or a "*" host from serving.
SERVING_CHECKS = (check_secret_key, check_allowed_hosts, check_csrf_trusted_origins)


def serving_errors() -> list[str]:
    """One line per SERVING_CHECKS error (message and hint), none with DEBUG on."""
    return [
        f"{message.msg} {message.hint}"
        for check in SERVING_CHECKS
        for message in check()
        if message.is_serious()
    ]
