"""Worker and beat as real processes, started from the Procfile lines, against real brokers."""

import itertools
import os
import re
import secrets
import signal
import time
from datetime import timedelta

import pytest
import redis
from celery import Celery

from tests.support.processes import base_env, manage, procfile
from tests.support.services import RABBITMQ_URL

TASKS_SETTINGS = "tests.settings_tasks"


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def released(production_env, fresh_database, services, broker: str) -> dict[str, str]:
    """A released database, Redis for cache and counting, and ``broker`` for the tasks."""
    if broker == "rabbitmq" and not RABBITMQ_URL:
        pytest.fail("RABBITMQ_URL is not set: .ci/run sets it to the machine's RabbitMQ")
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": TASKS_SETTINGS,
        "DATABASE_URL": fresh_database,
        "REDIS_URL": services["redis"],
        "LOG_FORMAT": "text",
    }
    if broker == "rabbitmq":
        env["CELERY_BROKER_URL"] = RABBITMQ_URL
    release = manage("release", env=env)
    assert release.returncode == 0, release.stdout + release.stderr
    return env


@pytest.fixture(params=["redis", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
def broker_env(request, production_env, fresh_database, services) -> dict[str, str]:
    return released(production_env, fresh_database, services, request.param)


@pytest.fixture
def redis_env(production_env, fresh_database, services, own_redis) -> dict[str, str]:
    """Redis as broker, on a database of its own, so that no worker of another test or run
    answers this test's pings."""
    own = {**services, "redis": own_redis(3)}
    return released(production_env, fresh_database, own, "redis")


def broker_url(env: dict[str, str]) -> str:
    return env.get("CELERY_BROKER_URL") or env["REDIS_URL"]


def send(env: dict[str, str], name: str, *args: object) -> None:
    sender = Celery(broker=broker_url(env))
    try:
        sender.send_task(name, args=args)
    finally:
        sender.close()


class Counts:
    def __init__(self, env: dict[str, str]) -> None:
        self.redis = redis.Redis.from_url(env["REDIS_URL"])
        self.token = secrets.token_hex(6)

    def get(self, what: str) -> int:
        return int(self.redis.get(f"test:{self.token}:{what}") or 0)


def start_worker(start, env, name="worker"):
    worker = start(procfile()["worker"], env, name=name)
    worker.wait_for_output(" ready.", timeout=60)
    return worker


@pytest.mark.integration
def test_worker_runs_a_task_end_to_end(start, broker_env):
    start_worker(start, broker_env)
    counts = Counts(broker_env)
    send(broker_env, "tests.taskapp.tasks.slow_effect", counts.token, 0)
    wait_until(lambda: counts.get("effects") == 1, 30, "the task's effect")
    assert counts.get("runs") == 1


@pytest.mark.integration
def test_a_task_killed_mid_way_completes_exactly_once_after_a_new_worker_starts(start, broker_env):
    worker = start_worker(start, broker_env)
    counts = Counts(broker_env)
    send(broker_env, "tests.taskapp.tasks.slow_effect", counts.token, 4)
    wait_until(lambda: counts.get("runs") == 1, 30, "the task to start")
    os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, pool included, mid-task
    worker.wait(10)
    assert counts.get("effects") == 0

    start_worker(start, broker_env, name="worker-2")
    wait_until(lambda: counts.get("effects") == 1, 60, "the re-delivered task to finish")
    time.sleep(2)
    assert counts.get("effects") == 1
    assert counts.get("runs") == 2


@pytest.mark.integration
@pytest.mark.parametrize("whole_group", [False, True], ids=["coolify", "heroku"])
def test_sigterm_during_a_task_lets_it_finish_and_exits_0(start, broker_env, whole_group):
    """Coolify's `docker stop` signals the main process; Heroku signals every process."""
    worker = start_worker(start, broker_env)
    counts = Counts(broker_env)
    send(broker_env, "tests.taskapp.tasks.slow_effect", counts.token, 3)
    wait_until(lambda: counts.get("runs") == 1, 30, "the task to start")
    started = time.monotonic()
    if whole_group:
        os.killpg(worker.pid, signal.SIGTERM)
    else:
        worker.signal(signal.SIGTERM)
    assert worker.wait(30) == 0, worker.output
    assert time.monotonic() - started < 30
    assert counts.get("effects") == 1


def beat_sends(output: str) -> list[float]:
    """When a beat sent the test task, from its log lines."""
    times = []
    for line in output.splitlines():
        if "Sending due task tick" in line:
            stamp = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})", line)
            if stamp:
                times.append(
                    time.mktime(time.strptime(stamp.group(1)[:19], "%Y-%m-%d %H:%M:%S"))
                    + int(stamp.group(1)[20:]) / 1000
                )
    return times


def assert_sent_once_per_period(times: list[float], period: float = 2.0) -> None:
    times = sorted(times)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps and min(gaps) > period * 0.75, f"a period was sent twice: gaps {gaps}"


def two_beats_one_sender(start, env, settle: float = 10):
    beats = [start(procfile()["beat"], env, name=f"beat-{i}") for i in range(2)]
    time.sleep(settle)
    sends = [beat_sends(beat.output) for beat in beats]
    assert sorted(map(bool, sends)) == [False, True], [beat.output for beat in beats]
    holder, standby = (0, 1) if sends[0] else (1, 0)
    assert len(sends[holder]) >= settle / 2 - 3
    assert_sent_once_per_period(sends[holder])
    return beats[holder], beats[standby]


def fail_over(holder, standby, wait: float = 12):
    before = beat_sends(holder.output)
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait(10)
    time.sleep(wait)
    after = beat_sends(standby.output)
    assert after, f"the standby beat never took over:\n{standby.output}"
    assert "holding the beat lock" in standby.output
    assert_sent_once_per_period(before + after)


@pytest.mark.integration
def test_two_beats_send_each_period_once_and_fail_over_with_redis(
    start, production_env, fresh_database, services
):
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": TASKS_SETTINGS,
        "LOG_FORMAT": "text",
        "DATABASE_URL": fresh_database,
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
    start, production_env, fresh_database
):
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": TASKS_SETTINGS,
        "LOG_FORMAT": "text",
        "DATABASE_URL": fresh_database,
    }
    assert manage("release", env=env).returncode == 0
    holder, standby = two_beats_one_sender(start, env)
    assert "PostgreSQL advisory lock" in holder.output
    fail_over(holder, standby, wait=6)


def test_embedded_broker_worker_and_beat_run_a_scheduled_task(start, tmp_path, built):
    """No servers and no configuration beyond DEBUG, as `make run` starts them."""
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE=TASKS_SETTINGS)
    assert manage("release", env=env).returncode == 0
    start_worker(start, env)
    start(procfile()["beat"], env, name="beat")
    ticks = tmp_path / "ticks.log"
    wait_until(
        lambda: ticks.exists() and len(ticks.read_text().splitlines()) >= 2,
        30,
        "two scheduled runs through the filesystem broker",
    )


def test_worker_and_beat_wait_for_migrations_instead_of_crashing(start, tmp_path, built):
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE=TASKS_SETTINGS)
    worker = start(procfile()["worker"], env, name="worker")
    beat = start(procfile()["beat"], env, name="beat")
    for process in (worker, beat):
        process.wait_for_output("waiting for the release step", timeout=30)
        assert process.alive()
    assert manage("release", env=env).returncode == 0
    worker.wait_for_output(" ready.", timeout=30)
    beat.wait_for_output("holding the beat lock", timeout=30)
    assert "Traceback" not in worker.output + beat.output


def test_worker_gives_up_waiting_for_migrations_with_one_line(start, tmp_path, built):
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), MIGRATIONS_WAIT_TIMEOUT="1")
    worker = start(procfile()["worker"], env, name="worker")
    assert worker.wait(30) == 1
    assert "obcms: MIGRATIONS_WAIT_TIMEOUT: migrations were still not applied" in worker.output
    assert "Traceback" not in worker.output


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_malformed_broker_url_stops_with_one_line(start, tmp_path, process):
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), CELERY_BROKER_URL="nonsense")
    started = start(procfile()[process], env, name=process)
    assert started.wait(30) == 1
    problems = [line for line in started.output.splitlines() if line.startswith("obcms: ")]
    assert problems[0].startswith("obcms: CELERY_BROKER_URL: expected a URL starting with")
    assert "Traceback" not in started.output


def test_unreachable_broker_is_retried_with_readable_lines_and_no_secret(start, tmp_path, built):
    closed = f"redis://:hunter2@127.0.0.1:{_closed_port()}/0"
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), CELERY_BROKER_URL=closed)
    assert manage("release", env=env).returncode == 0
    worker = start(procfile()["worker"], env, name="worker")
    worker.wait_for_output("Trying again in", timeout=30)
    assert "Cannot connect to redis://:**@127.0.0.1" in worker.output
    assert "hunter2" not in worker.output and "Traceback" not in worker.output


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_doctor_reports_healthy_with_a_worker_and_a_heartbeat(start, redis_env):
    broker_env = redis_env
    no_worker = manage("doctor", "--ping-timeout", "1", env=broker_env)
    assert no_worker.returncode == 1
    assert "FAIL workers" in no_worker.stdout and "FAIL heartbeat" in no_worker.stdout

    start_worker(start, broker_env)
    send(broker_env, "obcms.ops.tasks.heartbeat")
    doctor = wait_until(
        lambda: (result := manage("doctor", env=broker_env)).returncode == 0 and result,
        30,
        "doctor to report healthy",
    )
    for check in (
        "configuration",
        "database",
        "cache",
        "broker",
        "migrations",
        "heartbeat",
        "workers",
    ):
        assert re.search(rf"ok\s+{check}\s", doctor.stdout), doctor.stdout


@pytest.mark.django_db
def test_task_runs_are_recorded_once_per_task_id():
    from obcms.ops.models import TaskRun
    from obcms.ops.tasks import heartbeat

    heartbeat.apply(task_id="same-id")
    heartbeat.apply(task_id="same-id")  # delivered again after a worker died
    (run,) = TaskRun.objects.filter(task_id="same-id")
    assert run.status == TaskRun.Status.SUCCEEDED and run.finished_at


@pytest.mark.django_db
def test_clear_expired_sessions_deletes_only_expired_ones():
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from obcms.ops.tasks import clear_expired_sessions

    live = SessionStore()
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    clear_expired_sessions.apply()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


@pytest.mark.django_db
def test_purge_old_task_records_keeps_recent_ones(settings):
    from django.utils import timezone

    from obcms.ops.models import TaskRun
    from obcms.ops.tasks import purge_old_task_records

    now = timezone.now()
    TaskRun.objects.create(task_id="old", name="x", started_at=now - timedelta(days=31))
    TaskRun.objects.create(task_id="new", name="x", started_at=now - timedelta(days=29))
    purge_old_task_records.apply(task_id="purge")
    assert set(TaskRun.objects.values_list("task_id", flat=True)) == {"new", "purge"}


def test_schedule_entries_all_expire_and_name_real_tasks():
    from django.conf import settings

    from obcms.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] > 0, name


def test_reliability_settings():
    from django.conf import settings

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT


def test_redis_visibility_timeout_outlasts_the_hard_limit_twice(tmp_path):
    from tests.test_settings import settings_values

    visibility, hard = settings_values(
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.CELERY_TASK_TIME_LIMIT",
        REDIS_URL="redis://cache:6379/0",
        CELERY_TASK_TIME_LIMIT="120",
        DATA_DIR=str(tmp_path),
    )
    assert visibility > 2 * hard


def test_soft_limit_above_hard_limit_is_a_problem(tmp_path):
    result = manage(
        "check",
        env=base_env(
            DEBUG="true",
            DATA_DIR=str(tmp_path),
            CELERY_TASK_TIME_LIMIT="60",
            CELERY_TASK_SOFT_TIME_LIMIT="90",
        ),
    )
    assert result.returncode == 1
    assert "obcms: CELERY_TASK_SOFT_TIME_LIMIT: expected fewer seconds than" in result.stderr
