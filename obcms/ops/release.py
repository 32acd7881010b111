"""One lock around migrations, whichever process and platform runs them.

PostgreSQL: a session-level advisory lock on Django's own connection, so the lock lives exactly
as long as the migrating connection (a crashed release frees it). SQLite (a laptop): an
exclusive ``flock`` on a file beside the database, which serialises processes on one machine.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

# Any fixed 64-bit number, the same in every release: the bytes "obcmsmig", kept positive.
ADVISORY_LOCK_KEY = int.from_bytes(b"obcmsmig", "big") >> 1


class LockTimeout(Exception):
    """Another release held the lock for longer than we were willing to wait."""


@contextmanager
def migration_lock(
    timeout: float, on_wait: Callable[[float], None] = lambda waited: None
) -> Iterator[None]:
    """Hold the migration lock for the body; wait at most ``timeout`` seconds for it."""
    if connection.vendor == "postgresql":
        with _advisory_lock(timeout, on_wait):
            yield
    else:
        with _file_lock(Path(settings.DATA_DIR) / "release.lock", timeout, on_wait):
            yield


def _poll(try_lock: Callable[[], bool], timeout: float, on_wait: Callable[[float], None]) -> None:
    started = time.monotonic()
    next_report = 0.0
    while not try_lock():
        waited = time.monotonic() - started
        if waited >= timeout:
            raise LockTimeout(f"another release has held the migration lock for {waited:.0f}s")
        if waited >= next_report:
            on_wait(waited)
            next_report += 10
        time.sleep(0.2)


@contextmanager
def _advisory_lock(timeout: float, on_wait: Callable[[float], None]) -> Iterator[None]:
    def try_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            return bool(cursor.fetchone()[0])

    _poll(try_lock, timeout, on_wait)
    try:
        yield
    finally:
        if connection.connection is not None and not connection.is_usable():
            connection.close()  # a dead session has already dropped its lock
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


@contextmanager
def _file_lock(path: Path, timeout: float, on_wait: Callable[[float], None]) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _poll(try_lock, timeout, on_wait)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
