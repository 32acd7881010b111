"""The Procfile's worker line as a real process, against real brokers (Redis, RabbitMQ) and the
embedded one: tasks run, survive a killed worker, finish on SIGTERM; the worker waits for the
release step and says clearly what is wrong with its broker."""

import os
import signal
import time

import pytest

from tests.support.processes import base_env, free_port, manage, procfile, wait_until
from tests.support.workers import TASKS_SETTINGS, Counts, released, send, start_worker


@pytest.fixture(params=["redis", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
def broker_env(request, production_env, released_database, services) -> dict[str, str]:
    return released(production_env, released_database, services, request.param)


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


def test_embedded_broker_worker_and_beat_run_a_scheduled_task(
    start, tmp_path, built, released_sqlite
):
    """No servers and no configuration beyond DEBUG, as `make run` starts them."""
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE=TASKS_SETTINGS)
    released_sqlite(tmp_path)
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


@pytest.mark.parametrize("value", ["-1", "abc", "99999999999999999999", " "])
def test_a_malformed_worker_concurrency_stops_the_worker_line_with_our_line(start, tmp_path, value):
    """celery reads CELERY_WORKER_CONCURRENCY as its --concurrency option (click's
    auto_envvar_prefix) before our settings: click's "Error: Invalid value for '-c'", exit 2,
    until the worker checked the environment on loading the app. Blank means unset: only the
    other malformed value is reported."""
    env = base_env(
        DEBUG="true", DATA_DIR=str(tmp_path), CELERY_WORKER_CONCURRENCY=value, CONN_MAX_AGE="x"
    )
    worker = start(procfile()["worker"], env, name="worker")
    assert worker.wait(60) == 1
    problems = [line for line in worker.output.splitlines() if line.startswith("obcms: ")]
    expected = (
        ["CONN_MAX_AGE"] if not value.strip() else ["CELERY_WORKER_CONCURRENCY", "CONN_MAX_AGE"]
    )
    assert sorted(line.split(":")[1].strip() for line in problems[:-1]) == expected
    assert "Invalid value" not in worker.output
    assert "Traceback" not in worker.output


def test_unreachable_broker_is_retried_with_readable_lines_and_no_secret(start, tmp_path, built):
    closed = f"redis://:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), CELERY_BROKER_URL=closed)
    assert manage("release", env=env).returncode == 0
    worker = start(procfile()["worker"], env, name="worker")
    worker.wait_for_output("Trying again in", timeout=30)
    assert "Cannot connect to redis://:**@127.0.0.1" in worker.output
    assert "hunter2" not in worker.output and "Traceback" not in worker.output
