"""The Celery application: configured from Django settings (the ``CELERY_`` names), tasks found
in the installed apps, logs through Django's ``LOGGING``.

Started by the Procfile's ``worker`` and ``beat`` lines (``celery --app obcms ...``).
"""

from __future__ import annotations

import os
import signal

from celery import Celery, Task, signals
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obcms.settings")
# kombu's Redis transport, guarded against a connection lost under a running task.
TRANSPORT_ALIASES["redis"] = TRANSPORT_ALIASES["rediss"] = "obcms.redis_broker:Transport"
# The embedded broker sets aside an empty or corrupt message file instead of crash-looping.
TRANSPORT_ALIASES["filesystem"] = "obcms.embedded_broker:Transport"


def transient_errors() -> tuple[type[BaseException], ...]:
    """Errors of a passing outage: the database, Redis, the broker or the network. Redis's
    only where Redis is used: the embedded defaults never load redis-py (obcms/db/redis.py)."""
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    from obcms.db import redis

    errors: tuple[type[BaseException], ...] = (
        OperationalError,
        InterfaceError,
        BrokerError,
        ConnectionError,
        TimeoutError,
    )
    if redis.in_use():
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += (RedisConnectionError, RedisTimeoutError)
    return errors


class TransientErrors:
    """``ReliableTask.autoretry_for``: :func:`transient_errors`, read when Celery builds a task
    (the settings loaded by then), not when this module is imported (before the settings)."""

    def __get__(self, instance: object, owner: type) -> tuple[type[BaseException], ...]:
        return transient_errors()


class ReliableTask(Task):
    """Every obcms task: retried with exponential backoff and jitter when the database, Redis
    or the network fails for a moment. Tasks must be idempotent: with late acknowledgement a
    task whose worker died runs again."""

    autoretry_for = TransientErrors()
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5


def stop_before_the_command_line() -> None:
    """``celery worker`` reads CELERY_WORKER_CONCURRENCY itself, as its ``--concurrency`` (click's
    ``auto_envvar_prefix="CELERY"``), after loading this module (``--app obcms``) and before
    the settings: a malformed value stopped it with click's ``Error: Invalid value for '-c'``,
    exit 2, instead of our line. Worker and beat check the environment here, first (the web line
    keeps gunicorn from its variable the same way, obcms/web.py); other celery commands only
    stop on malformed values."""
    import sys
    from pathlib import Path

    command = Path(sys.argv[0] if sys.argv else "")
    if command.name != "celery" and command.parent.name != "celery":
        return  # imported by Django, gunicorn or a test: the settings report problems there
    from obcms.env import stop_on_problems

    stop_on_problems(serving=any(word in ("worker", "beat") for word in sys.argv[1:]))


app = Celery("obcms", task_cls=ReliableTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
stop_before_the_command_line()


@signals.setup_logging.connect
def use_django_logging(**kwargs: object) -> None:
    """Connecting here stops Celery from installing its own root handler; Django's LOGGING
    (one event per line on stdout) is used by worker and beat as by the web."""
    from django.conf import settings

    from obcms.logs import configure

    configure(settings.LOGGING)


@signals.before_task_publish.connect
def send_request_id(headers: dict | None = None, **kwargs: object) -> None:
    """A task enqueued while serving a request carries that request's id..."""
    from obcms.logs import request_id

    if headers is not None and request_id.get() != "-":
        headers.setdefault("request_id", request_id.get())


@signals.task_prerun.connect
def receive_request_id(task: Task | None = None, **kwargs: object) -> None:
    """...and the worker's log lines for it show the same id."""
    from obcms.logs import request_id

    incoming = getattr(task.request, "request_id", None) if task else None
    request_id.set(incoming or "-")


@signals.task_postrun.connect
def forget_request_id(**kwargs: object) -> None:
    from obcms.logs import request_id

    request_id.set("-")


@signals.celeryd_init.connect
@signals.beat_init.connect
def check_environment(**kwargs: object) -> None:
    """Worker and beat stop on a broken environment before they touch the broker, then wait
    (bounded, logged) for the release step's migrations instead of failing on missing tables."""
    import logging

    from django.conf import settings
    from django.db import connections

    from obcms.db.migration_state import wait_until_none_pending
    from obcms.env import exit_with, stop_on_problems

    stop_on_problems(serving=True)
    logger = logging.getLogger("obcms.celery")
    migrated = wait_until_none_pending(settings.MIGRATIONS_WAIT_TIMEOUT, logger.warning)
    connections.close_all()  # never hand an open connection to forked pool processes
    if not migrated:
        exit_with(
            [
                f"MIGRATIONS_WAIT_TIMEOUT: migrations were still not applied after "
                f"{settings.MIGRATIONS_WAIT_TIMEOUT}s; run `python manage.py release`"
            ]
        )


@signals.worker_process_init.connect
def finish_tasks_on_platform_sigterm(**kwargs: object) -> None:
    """Heroku, Dokku and honcho send SIGTERM to every process of the worker, its pool processes
    included; by default they would die mid-task. They ignore it instead: the main process's
    warm shutdown lets the running task finish, then stops them (and SIGKILL after the
    platform's grace still ends them, leaving the unacknowledged task to be delivered again)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
