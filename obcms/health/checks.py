"""Readiness checks: small named units, each bounded by a timeout, run side by side.

A check raises on failure. Each server has one long-lived thread of its own (``LANES``): the
database thread keeps its connection between probes, so a probe costs a few queries, not a
new connection. :func:`run_checks` waits for every check until one shared deadline; a server that
blackholes connections makes its checks time out (its thread stays busy, later probes queue
behind it and time out too) without ever holding the response past the deadline or piling up
threads. A database check that times out on the connection the lane keeps (a partition, a
server that stopped answering) has that connection's socket shut down from the probe's
side: the lane's blocked read ends with an error at once, and the next probe opens a fresh
connection, so /ready/ is ready again as soon as new connections work, not after a restart.
What goes back is a short, fixed reason, never an exception's text, which may hold a host
name or a password.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from kombu import Connection

from obcms.db.migration_state import pending
from obcms.db.redis import redis_client

# Imports stay at module level: two lanes importing the same module for the first time at
# once can deadlock on the import lock. The Redis client is the exception: imported at start-up
# where Redis is used (obcms/health/apps.py), never where it is not.

CHECK_TIMEOUT = 2.5  # seconds for all checks together; the response stays under 3 s.


@dataclass(frozen=True)
class Result:
    ok: bool
    reason: str = ""


class CheckFailed(Exception):
    """A check's own verdict, with a reason safe to show."""


# The Django connection of the database lane's thread, for :func:`unblock_database`.
_LANE_CONNECTIONS: dict[str, object] = {}


def _database_connection():
    """This thread's Django connection, reopened when the last probe left it broken."""
    connection.close_if_unusable_or_obsolete()
    _LANE_CONNECTIONS["database"] = connections[DEFAULT_DB_ALIAS]  # this thread's own
    return connection


def unblock_database() -> None:
    """From the probe's thread, while a database check is stuck on the lane's connection:
    shut its socket down (on a duplicate of the descriptor; the connection stays the lane's
    to close). The blocked read fails with OperationalError, the connection is marked
    unusable, and the next check reconnects."""
    wrapper = _LANE_CONNECTIONS.get("database")
    raw = getattr(wrapper, "connection", None)
    if raw is None:  # still connecting: connect_timeout bounds that
        return
    with contextlib.suppress(Exception):  # closed meanwhile, or not a socket: nothing to do
        with socket.socket(fileno=os.dup(raw.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)


def check_database() -> None:
    with _database_connection().cursor() as cursor:
        cursor.execute("SELECT 1")


def check_migrations() -> None:
    """Every migration this code ships is applied."""
    try:
        missing = pending(_database_connection())
    except Exception as exc:
        raise CheckFailed("cannot read django_migrations") from exc
    if missing:
        raise CheckFailed(f"{len(missing)} migration(s) not applied; run: python manage.py release")


def check_cache() -> None:
    """Redis answers PING (django-redis would otherwise hide an outage); local memory
    round-trips a value."""
    if settings.REDIS_URL:
        from django_redis import get_redis_connection  # loaded at start-up (apps.py)

        get_redis_connection("default").ping()
        return
    default_cache.set("obcms:ready", 1, 5)
    if default_cache.get("obcms:ready") != 1:
        raise CheckFailed("cache did not return what was stored")


def check_broker() -> None:
    """The Celery broker answers: PING for Redis, a connection for AMQP, a writable folder for
    the embedded filesystem broker."""
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis:", "rediss:")):
        redis_client(url).ping()
    elif url.startswith("filesystem:"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        if not folder.is_dir() or not folder.stat().st_mode & 0o200:
            raise CheckFailed("broker folder is missing or read-only")
    else:
        ssl = getattr(settings, "CELERY_BROKER_USE_SSL", None) or False
        with Connection(url, ssl=ssl, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)


def data_dir_in_use() -> bool:
    """The embedded database, the embedded broker or uploaded files live in DATA_DIR."""
    return (
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        or settings.CELERY_BROKER_URL.startswith("filesystem:")
        or settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
    )


def check_disk() -> None:
    """DATA_DIR keeps DATA_DIR_MIN_FREE_MB free when something lives there: a full disk
    leaves empty broker messages, half-written files and a database that refuses writes."""
    if not data_dir_in_use():
        return
    folder = Path(settings.DATA_DIR)
    while not folder.exists() and folder != folder.parent:  # not created yet: its disk
        folder = folder.parent
    free = shutil.disk_usage(folder).free // (1024 * 1024)
    if free < settings.DATA_DIR_MIN_FREE_MB:
        raise CheckFailed(
            f"low free space in DATA_DIR: {free} MB (below DATA_DIR_MIN_FREE_MB, "
            f"{settings.DATA_DIR_MIN_FREE_MB} MB)"
        )


@dataclass(frozen=True)
class Check:
    run: Callable[[], None]
    lane: str  # checks of one server share its thread (and its database connection)


READINESS_CHECKS: dict[str, Check] = {
    "database": Check(check_database, lane="database"),
    "cache": Check(check_cache, lane="cache"),
    "broker": Check(check_broker, lane="broker"),
    "migrations": Check(check_migrations, lane="database"),
    "disk": Check(check_disk, lane="disk"),
}

# How to free a lane whose check is stuck past the deadline (a lane not named here stays busy
# until its own timeouts end the check).
UNBLOCK: dict[str, Callable[[], None]] = {"database": unblock_database}

LANES: dict[str, ThreadPoolExecutor] = {}
_LANES_LOCK = threading.Lock()


def _lane(name: str) -> ThreadPoolExecutor:
    # Created on first use, in the worker process: threads do not survive gunicorn's fork.
    with _LANES_LOCK:
        if name not in LANES:
            LANES[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"ready-{name}")
        return LANES[name]


def _outcome(future: Future) -> Result:
    try:
        future.result(timeout=0)
    except CheckFailed as exc:
        return Result(False, str(exc))
    except Exception as exc:
        return Result(False, f"unreachable ({type(exc).__name__})")
    return Result(True)


def run_checks(checks: dict[str, Check], timeout: float = CHECK_TIMEOUT) -> dict[str, Result]:
    """Run ``checks`` side by side; a check not finished by the deadline has failed."""
    futures = {name: _lane(check.lane).submit(check.run) for name, check in checks.items()}
    deadline = time.monotonic() + timeout
    results = {}
    for name, future in futures.items():
        try:
            future.exception(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            # Still queued behind a stuck check: never run it late. Running: stuck itself.
            if not future.cancel() and checks[name].lane in UNBLOCK:
                UNBLOCK[checks[name].lane]()
            results[name] = Result(False, f"timed out after {timeout:g}s")
            continue
        results[name] = _outcome(future)
    return results
