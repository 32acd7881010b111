"""The locks that make one process do what must be done once, whatever runs beside it.

- The migration lock: one release migrates at a time, however many containers, replicas and
  release phases overlap (``python manage.py release``).
- The beat lock: one beat sends the periodic tasks, even while an old and a new beat overlap
  during a rolling deploy (obcms/beat.py).

Three kinds, chosen by what the deployment has:

- :class:`AdvisoryLock`, PostgreSQL's session-level advisory lock on a connection of its own:
  it lives exactly as long as that connection, so a killed holder frees it at once.
- :class:`RedisLock`, ``SET NX PX`` with a time to live, renewed while held: it expires when
  its holder dies.
- :class:`FileLock`, an exclusive ``flock`` on a file in DATA_DIR (SQLite on a laptop): the
  kernel drops it with the process. It serialises processes of one machine only.

Each has ``try_acquire()``, which never waits (and, for a lock already held, confirms that it
still is), and ``release()``. :func:`hold` waits for a lock, polling, and holds it for a block.
Errors of the store (the database or Redis unreachable) reach the caller, who knows what to
say about them.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from obcms.db.redis import redis_client


def advisory_key(tag: str) -> int:
    """A PostgreSQL advisory lock key from an eight-letter tag: the tag's bytes, kept positive.
    The same in every release, so old and new code contend for one lock during a deploy."""
    raw = tag.encode("ascii")
    if len(raw) != 8:
        raise ValueError(f"an advisory lock tag has eight letters, got {tag!r}")
    return int.from_bytes(raw, "big") >> 1


MIGRATION_KEY = advisory_key("obcmsmig")
BEAT_KEY = advisory_key("obcmsbea")
BEAT_REDIS_KEY = "obcms:beat-lock"


class Lock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if it is free, or confirm it is still ours; never waits."""

    def release(self) -> None:
        """Let the lock go (nothing happens when it is not held)."""


class LockTimeout(Exception):
    """Another process held the lock for longer than we were willing to wait."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"the lock was held elsewhere for {waited:.0f}s")
        self.waited = waited


class AdvisoryLock:
    """A session-level advisory lock on a connection opened for it alone."""

    def __init__(self, key: int) -> None:
        self.key = key
        self.connection: BaseDatabaseWrapper | None = None
        self.held = False

    def __str__(self) -> str:
        return f"PostgreSQL advisory lock {self.key}"

    def try_acquire(self) -> bool:
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.connection.cursor() as cursor:
            if self.held:
                cursor.execute("SELECT 1")  # still connected means still holding
            else:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                self.held = bool(cursor.fetchone()[0])
        return self.held

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            if self.held and self.connection.connection is not None:
                with self.connection.cursor() as cursor:
                    # Unlocked before the close returns, so the next holder need not wait for
                    # the server to notice a closed session.
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        except DatabaseError:
            pass  # the session is gone, and its locks with it
        finally:
            self.connection.close()
            self.connection = None
            self.held = False


class RedisLock:
    """``SET NX PX`` with a time to live of ``ttl`` seconds, renewed by every ``try_acquire``
    while held. Its token names the holder (host:pid) for whoever inspects the key."""

    def __init__(self, url: str, name: str, ttl: float) -> None:
        self.name = name
        self.lock = redis_client(url).lock(name, timeout=ttl, blocking=False, thread_local=False)
        self.held = False

    def __str__(self) -> str:
        return f"Redis lock {self.name}"

    def try_acquire(self) -> bool:
        from redis.exceptions import LockError

        try:
            if self.held:
                self.lock.reacquire()
            else:
                token = f"{socket.gethostname()}:{os.getpid()}"
                self.held = bool(self.lock.acquire(blocking=False, token=token))
        except LockError:
            self.held = False  # it expired, and another process took it
        return self.held

    def release(self) -> None:
        from redis.exceptions import RedisError

        if self.held:
            try:
                self.lock.release()
            except RedisError:
                pass  # expired meanwhile, or Redis is gone: either way it is not ours
            self.held = False


class FileLock:
    """An exclusive ``flock`` on ``path`` (its folder is created)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None
        self.held = False

    def __str__(self) -> str:
        return f"file lock {self.path}"

    def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.held = True
        return True

    def release(self) -> None:
        if self.handle is not None:
            if self.held:
                fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
        self.held = False


@contextmanager
def hold(
    lock: Lock,
    timeout: float,
    on_wait: Callable[[float], None] = lambda waited: None,
    interval: float = 0.2,
) -> Iterator[None]:
    """Wait for ``lock`` at most ``timeout`` seconds (``on_wait(seconds)`` every 10 s of
    waiting), hold it for the body, and release it afterwards, whatever happens."""
    started = time.monotonic()
    next_report = 0.0
    try:
        while not lock.try_acquire():
            waited = time.monotonic() - started
            if waited >= timeout:
                raise LockTimeout(waited)
            if waited >= next_report:
                on_wait(waited)
                next_report += 10
            time.sleep(interval)
        yield
    finally:
        lock.release()


def migration_lock() -> Lock:
    """Around the release's checks and migrations: PostgreSQL, or a file beside SQLite."""
    if connection.vendor == "postgresql":
        return AdvisoryLock(MIGRATION_KEY)
    return FileLock(Path(settings.DATA_DIR) / "release.lock")


def beat_lock() -> Lock:
    """Held by the beat that sends: Redis when configured (it expires BEAT_LOCK_TTL after a
    holder dies), else PostgreSQL, else a file beside SQLite."""
    if settings.REDIS_URL:
        return RedisLock(settings.REDIS_URL, BEAT_REDIS_KEY, ttl=settings.BEAT_LOCK_TTL)
    if connection.vendor == "postgresql":
        return AdvisoryLock(BEAT_KEY)
    return FileLock(Path(settings.DATA_DIR) / "beat.lock")
