"""Readiness checks: small named units, each bounded by a timeout, run side by side.

A check raises on failure. :func:`run_checks` runs every check in its own daemon thread and
waits until a shared deadline, so one blackholed server can slow the answer to at most
``timeout`` seconds and never hang it. What goes back to the caller is a short, fixed reason
(never an exception's text, which may hold a host name or a password).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings

CHECK_TIMEOUT = 2.5  # seconds for all checks together; the response stays well under 3 s.


@dataclass(frozen=True)
class Result:
    ok: bool
    reason: str = ""


class CheckFailed(Exception):
    """A check's own verdict, with a reason safe to show."""


def check_database() -> None:
    """A fresh connection runs ``SELECT 1``; it is closed again so probes hold no connection."""
    from django.db import connections

    connection = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


@cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration this code ships; read once per process, since the code cannot change."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes)


def check_migrations() -> None:
    """Every migration on disk is recorded as applied."""
    from django.db import connections

    connection = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except Exception as exc:
        raise CheckFailed("cannot read django_migrations") from exc
    finally:
        connection.close()
    pending = migrations_on_disk() - applied
    if pending:
        raise CheckFailed(f"{len(pending)} migration(s) not applied; run: python manage.py release")


def check_cache() -> None:
    """Redis answers PING (django-redis would otherwise hide an outage); local memory
    round-trips a value."""
    if settings.REDIS_URL:
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()
        return
    from django.core.cache import cache as default_cache

    default_cache.set("obcms:ready", 1, 5)
    if default_cache.get("obcms:ready") != 1:
        raise CheckFailed("cache did not return what was stored")


def check_broker() -> None:
    """A connection to the Celery broker opens (one attempt, short timeout)."""
    from kombu import Connection

    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ssl=getattr(settings, "CELERY_BROKER_USE_SSL", None) or False,
        connect_timeout=2,
    ) as connection:
        connection.ensure_connection(max_retries=1, timeout=2)


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
}


def run_checks(
    checks: dict[str, Callable[[], None]], timeout: float = CHECK_TIMEOUT
) -> dict[str, Result]:
    """Run ``checks`` concurrently; a check still running at the deadline has failed."""
    results: dict[str, Result] = {}
    threads: dict[str, threading.Thread] = {}

    def run(name: str, check: Callable[[], None]) -> None:
        try:
            check()
        except CheckFailed as exc:
            results[name] = Result(False, str(exc))
        except Exception as exc:
            results[name] = Result(False, f"unreachable ({type(exc).__name__})")
        else:
            results[name] = Result(True)

    for name, check in checks.items():
        threads[name] = threading.Thread(
            target=run, args=(name, check), daemon=True, name=f"ready-{name}"
        )
        threads[name].start()
    deadline = time.monotonic() + timeout
    for thread in threads.values():
        thread.join(max(0.0, deadline - time.monotonic()))
    return {
        name: results.get(name, Result(False, f"timed out after {timeout:g}s")) for name in checks
    }
