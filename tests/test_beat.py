"""The Procfile's beat line as real processes: two beats send each period once, and the standby
takes over when the holder dies (obcms/beat.py, the beat lock in obcms/locks.py)."""

import itertools
import os
import re
import signal
from datetime import datetime

import pytest
import redis

from tests.support.processes import manage, procfile, wait_until
from tests.support.workers import TASKS_SETTINGS


def beat_sends(output: str) -> list[float]:
    """When a beat sent the test task, from its log lines."""
    times = []
    for line in output.splitlines():
        if "Sending due task tick" in line:
            # Text lines start with their time in UTC, like the JSON's (obcms/logs.py).
            stamp = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00) ", line)
            if stamp:
                times.append(datetime.fromisoformat(stamp.group(1)).timestamp())
    return times


def assert_sent_once_per_period(times: list[float], period: float = 2.0) -> None:
    times = sorted(times)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps and min(gaps) > period * 0.75, f"a period was sent twice: gaps {gaps}"


def two_beats_one_sender(start, env, wanted: int = 3):
    """Both beats run until ``wanted`` periods were sent (counted, not timed: a loaded machine
    starts beats slowly); exactly one of them sent them."""
    beats = [start(procfile()["beat"], env, name=f"beat-{i}") for i in range(2)]
    wait_until(
        lambda: sum(len(beat_sends(beat.output)) for beat in beats) >= wanted,
        180,
        f"{wanted} periods sent by the beats",
    )
    sends = [beat_sends(beat.output) for beat in beats]
    assert sorted(map(bool, sends)) == [False, True], [beat.output for beat in beats]
    holder, standby = (0, 1) if sends[0] else (1, 0)
    assert_sent_once_per_period(sends[holder])
    return beats[holder], beats[standby]


def fail_over(holder, standby, wait: float = 12):
    before = beat_sends(holder.output)
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait(10)
    after = wait_until(
        lambda: beat_sends(standby.output), 60 + wait, "the standby beat to take over"
    )
    assert "holding the beat lock" in standby.output
    assert_sent_once_per_period(before + after)


@pytest.mark.integration
def test_two_beats_send_each_period_once_and_fail_over_with_redis(
    start, production_env, released_database, services
):
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": TASKS_SETTINGS,
        "LOG_FORMAT": "text",
        "DATABASE_URL": released_database,
        "REDIS_URL": services["redis"],
    }
    assert manage("release", env=env).returncode == 0
    client = redis.Redis.from_url(services["redis"])
    client.delete("obcms:beat-lock")
    try:
        holder, standby = two_beats_one_sender(start, env)
        assert "Redis lock obcms:beat-lock" in holder.output
        fail_over(holder, standby)
    finally:
        client.delete("celery")  # no worker ran: leave no backlog of ticks for later tests


@pytest.mark.integration
def test_two_beats_send_each_period_once_and_fail_over_with_postgres(
    start, production_env, released_database
):
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": TASKS_SETTINGS,
        "LOG_FORMAT": "text",
        "DATABASE_URL": released_database,
    }
    assert manage("release", env=env).returncode == 0
    holder, standby = two_beats_one_sender(start, env)
    assert "PostgreSQL advisory lock" in holder.output
    fail_over(holder, standby, wait=6)
