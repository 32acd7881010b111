"""Deployment checks of our own, reported by ``manage.py check --deploy`` beside Django's and
run by the release step (an Error stops the release; a Warning is printed).

They cover what Django's checks do not: a secret left at its development value, hosts and
origins that defeat the protection they configure, and embedded defaults (SQLite, process
memory, local disk) that only work on one machine.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

SECRET_NAMES = ("SECRET", "PASSWORD", "TOKEN", "DATABASE_URL", "REDIS_URL", "DSN", "KEY")


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    key = settings.SECRET_KEY
    if settings.DEBUG:
        return []
    if key == settings.DEVELOPMENT_SECRET_KEY or len(key) < 50 or len(set(key)) < 5:
        return [
            Error(
                "SECRET_KEY is the development key, or too short or too simple for production.",
                hint='Set SECRET_KEY to at least 50 random characters: python -c "import secrets; '
                'print(secrets.token_urlsafe(50))"',
                id="obcms.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_hosts(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    messages: list[CheckMessage] = []
    if "*" in settings.ALLOWED_HOSTS:
        messages.append(
            Error(
                "ALLOWED_HOSTS contains '*': any Host header is accepted, which enables host "
                "header attacks (password-reset links to another site).",
                hint="List the real host names, e.g. ALLOWED_HOSTS=obcms.example.org. Probes "
                "(/health/, /ready/) answer any host without it.",
                id="obcms.E002",
            )
        )
    insecure = [
        origin for origin in settings.CSRF_TRUSTED_ORIGINS if not origin.startswith("https://")
    ]
    if insecure:
        messages.append(
            Error(
                f"CSRF_TRUSTED_ORIGINS has origins without https://: {', '.join(insecure)}.",
                hint="Give each origin with its scheme, https://obcms.example.org: obcms is only "
                "served over HTTPS.",
                id="obcms.E003",
            )
        )
    return messages


@register(Tags.database, deploy=True)
def check_embedded_defaults(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """SQLite, process memory and local disk are for one machine; production has several."""
    if settings.DEBUG:
        return []
    messages: list[CheckMessage] = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        messages.append(
            Warning(
                "The database is SQLite in DATA_DIR: a container loses it on every deploy.",
                hint="Set DATABASE_URL to a PostgreSQL database.",
                id="obcms.W001",
            )
        )
    if not settings.REDIS_URL:
        messages.append(
            Warning(
                "No REDIS_URL: the cache lives in each process's memory and Celery's broker is a "
                "folder on this machine. That serves one web process on one machine only: with "
                "more (WEB_CONCURRENCY above 1, as by default, or a second container) sign-in "
                "throttling and cached figures differ between processes, and a worker elsewhere "
                "never sees the tasks.",
                hint="Set REDIS_URL (the Heroku Key-Value Store add-on, a Coolify Redis resource).",
                id="obcms.W002",
            )
        )
    if not settings.AWS_STORAGE_BUCKET_NAME and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.sqlite3"
    ):
        messages.append(
            Warning(
                "Exports and imports are stored on local disk, which the worker and the web "
                "containers do not share on Coolify, Heroku or Render.",
                hint="Set AWS_STORAGE_BUCKET_NAME (and its keys) to an S3-compatible bucket.",
                id="obcms.W003",
            )
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        messages.append(
            Warning(
                "No EMAIL_URL: reminders and digests are printed to the log, not sent.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587.",
                id="obcms.W004",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_build_plan_has_no_secrets(
    app_configs: object = None, **kwargs: object
) -> list[CheckMessage]:
    """Every nixpacks plan variable is baked into the image as ENV, readable by anyone who can
    pull it."""
    plan = Path(settings.BASE_DIR) / "nixpacks.toml"
    if not plan.exists():
        return []
    variables = tomllib.loads(plan.read_text()).get("variables", {})
    baked = [name for name in variables if any(word in name.upper() for word in SECRET_NAMES)]
    if baked:
        return [
            Error(
                f"nixpacks.toml [variables] holds what looks like secrets: {', '.join(baked)}.",
                hint="Remove them from the file and set them as runtime-only variables in the "
                "platform (in Coolify, untick 'Build Variable').",
                id="obcms.E004",
            )
        ]
    return []
