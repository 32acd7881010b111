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

import logging

from celery.beat import Scheduler
from django.conf import settings
from django.db import DatabaseError
from redis.exceptions import RedisError

from obcms.locks import beat_lock

logger = logging.getLogger("obcms.beat")


class LockedScheduler(Scheduler):
    """Celery's in-memory scheduler, sending only while this process holds the beat lock."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.lock = beat_lock()
        self.holding: bool | None = None  # None until the first tick has decided
        super().__init__(*args, **kwargs)

    def tick(self, *args: object, **kwargs: object) -> float:
        holding = self.hold_lock()
        if holding and not self.holding:
            logger.info("beat: holding the beat lock (%s); sending periodic tasks", self.lock)
            self.restart_schedules()
        elif not holding and self.holding is not False:
            logger.info("beat: another beat holds the lock; standing by")
        self.holding = holding
        if not holding:
            return min(settings.BEAT_LOCK_RETRY, self.max_interval)
        return super().tick(*args, **kwargs)

    def hold_lock(self) -> bool:
        """Take or keep the lock; an unreachable Redis or database means not sending."""
        try:
            return self.lock.try_acquire()
        except (RedisError, DatabaseError) as exc:
            store = "Redis" if isinstance(exc, RedisError) else "the database"
            logger.warning(
                "beat: cannot reach %s for the beat lock (%s); not sending",
                store,
                type(exc).__name__,
            )
            self.lock.release()
            return False

    def restart_schedules(self) -> None:
        """Count every entry's period from now: what the previous holder sent is not due."""
        now = self.app.now()
        for entry in self.schedule.values():
            entry.last_run_at = now
        self._heap = None

    def close(self) -> None:
        self.lock.release()
        super().close()
