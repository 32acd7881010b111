"""Exactly one beat sends periodic tasks, even while two run.

Coolify overlaps old and new containers on every deploy, and an operator may scale beat to two
by mistake; two schedulers would send every periodic task twice. ``LockedScheduler`` sends only
while it holds the beat lock (Redis when configured, the database otherwise). The others stand
by, trying again on every tick, and take over when the holder stops (it releases the lock) or
dies (Redis: the lock expires after ``BEAT_LOCK_TTL``; PostgreSQL and SQLite: the lock goes with
its connection or process).

Schedules restart from "now" when a beat takes over, so a task the previous holder just sent is
not sent again; daily and weekly work uses crontab entries, which do not depend on uptime.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from pathlib import Path
from typing import Protocol

from celery.beat import Scheduler
from django.conf import settings

logger = logging.getLogger("obcms.beat")

# pg_try_advisory_lock key for beat; the release step's migration lock uses another.
BEAT_ADVISORY_KEY = int.from_bytes(b"obcmsbea", "big") >> 1


class BeatLock(Protocol):
    def hold(self) -> bool:
        """Take the lock, or keep holding it; True while this process holds it."""

    def release(self) -> None: ...


class RedisBeatLock:
    """``SET NX PX`` with a TTL, renewed on every tick; it expires if the holder dies."""

    def __init__(self, url: str, ttl: float) -> None:
        import redis

        options = settings.REDIS_SSL_OPTIONS if url.startswith("rediss:") else {}
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, **options)
        self.lock = client.lock("obcms:beat-lock", timeout=ttl, blocking=False, thread_local=False)
        self.held = False

    def hold(self) -> bool:
        from redis.exceptions import LockError, RedisError

        try:
            if self.held:
                self.lock.reacquire()
            else:
                self.held = bool(
                    self.lock.acquire(blocking=False, token=f"{socket.gethostname()}:{os.getpid()}")
                )
        except LockError:
            self.held = False  # expired and taken by another beat
        except RedisError as exc:
            logger.warning(
                "beat: cannot reach Redis for the beat lock (%s); not sending", type(exc).__name__
            )
            self.held = False
        return self.held

    def release(self) -> None:
        from redis.exceptions import LockError, RedisError

        if self.held:
            try:
                self.lock.release()
            except (LockError, RedisError):
                pass
            self.held = False


class PostgresBeatLock:
    """A session-level advisory lock on a connection of its own: it lives exactly as long as
    that connection, so a killed beat frees it at once."""

    def __init__(self) -> None:
        self.connection = None
        self.held = False

    def hold(self) -> bool:
        from django.db import DatabaseError, connections

        try:
            if self.connection is None:
                self.connection = connections.create_connection("default")
            with self.connection.cursor() as cursor:
                if self.held:
                    cursor.execute("SELECT 1")  # still connected means still holding
                else:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [BEAT_ADVISORY_KEY])
                    self.held = bool(cursor.fetchone()[0])
        except DatabaseError as exc:
            logger.warning(
                "beat: cannot reach the database for the beat lock (%s); not sending",
                type(exc).__name__,
            )
            self.release()
        return self.held

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()  # closing the session drops the advisory lock
            self.connection = None
        self.held = False


class FileBeatLock:
    """SQLite (a laptop): an exclusive flock that the kernel drops when the process dies."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("w")
        self.held = False

    def hold(self) -> bool:
        if not self.held:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
            except BlockingIOError:
                pass
        return self.held

    def release(self) -> None:
        if self.held:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.held = False


def beat_lock() -> BeatLock:
    if settings.REDIS_URL:
        return RedisBeatLock(settings.REDIS_URL, ttl=settings.BEAT_LOCK_TTL)
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return PostgresBeatLock()
    return FileBeatLock(Path(settings.DATA_DIR) / "beat.lock")


class LockedScheduler(Scheduler):
    """Celery's in-memory scheduler, sending only while this process holds the beat lock."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.lock = beat_lock()
        self.holding: bool | None = None  # None until the first tick has decided
        super().__init__(*args, **kwargs)

    def tick(self, *args: object, **kwargs: object) -> float:
        holding = self.lock.hold()
        if holding and not self.holding:
            logger.info(
                "beat: holding the beat lock (%s); sending periodic tasks", type(self.lock).__name__
            )
            self.restart_schedules()
        elif not holding and self.holding is not False:
            logger.info("beat: another beat holds the lock; standing by")
        self.holding = holding
        if not holding:
            return min(settings.BEAT_LOCK_RETRY, self.max_interval)
        return super().tick(*args, **kwargs)

    def restart_schedules(self) -> None:
        """Count every entry's period from now: what the previous holder sent is not due."""
        now = self.app.now()
        for entry in self.schedule.values():
            entry.last_run_at = now
        self._heap = None

    def close(self) -> None:
        self.lock.release()
        super().close()
