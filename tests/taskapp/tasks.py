"""Tasks for the worker and beat tests. Their effects land where a test can count them: Redis
(REDIS_URL) or a file in DATA_DIR."""

import time
from pathlib import Path

import redis
from celery import shared_task
from django.conf import settings


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@shared_task
def slow_effect(token: str, seconds: float) -> None:
    """Counts every run, sleeps, then applies its effect at most once (idempotent)."""
    client = _redis()
    client.incr(f"test:{token}:runs")
    time.sleep(seconds)
    if client.set(f"test:{token}:done", 1, nx=True):
        client.incr(f"test:{token}:effects")


@shared_task
def tick() -> None:
    """The short-period scheduled task: one line per run in DATA_DIR/ticks.log."""
    with (Path(settings.DATA_DIR) / "ticks.log").open("a") as log:
        log.write(f"{time.time()}\n")


@shared_task
def count(key: str) -> None:
    """A near no-op that leaves a trace: one INCR (for throughput benchmarks)."""
    _redis().incr(key)


@shared_task
def boom(marker: str) -> None:
    """Fails, so the error tracker has something to receive."""
    raise RuntimeError(f"task failed on purpose {marker}")
