"""Faults injected into real processes (issue 20): a Redis broker killed under a running task,
and the job rules' recovery paths. Each test owns the server it breaks."""

import signal

import pytest

from tests.support.processes import base_env, free_port, manage, procfile, wait_until
from tests.support.workers import TASKS_SETTINGS, Counts, released, send, start_worker


def own_redis_server(start, port: int):
    """A Redis server of this test's own, without persistence (the small plans' default)."""
    server = start(
        f"redis-server --port {port} --save '' --appendonly no --bind 127.0.0.1",
        {"PATH": "/usr/bin:/bin"},
        name=f"redis-{port}",
    )
    server.wait_for_output("Ready to accept connections", timeout=10)
    return server


@pytest.mark.integration
def test_the_worker_survives_its_redis_broker_dying_under_a_running_task(
    start, production_env, fresh_database, services
):
    """kombu's Redis transport used to exit the worker (AttributeError in _connparams while
    restoring unacknowledged messages); now it logs, reconnects and takes the next task."""
    port = free_port()
    broker = own_redis_server(start, port)
    env = released(production_env, fresh_database, services, "redis")
    env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
    worker = start_worker(start, env)
    counts = Counts(env)
    send(env, "tests.taskapp.tasks.slow_effect", counts.token, 3)
    wait_until(lambda: counts.get("runs") == 1, 30, "the task to start")
    broker.signal(signal.SIGKILL)
    wait_until(lambda: counts.get("effects") == 1, 30, "the running task to finish")
    own_redis_server(start, port)  # back, empty
    again = Counts(env)
    send(env, "tests.taskapp.tasks.slow_effect", again.token, 0)
    wait_until(lambda: again.get("effects") == 1, 60, "a task after the outage")
    assert worker.alive(), worker.output
    assert "Unrecoverable error" not in worker.output, worker.output
    assert "the Redis connection was lost; acknowledging a message skipped" in worker.output


def test_an_empty_message_file_in_the_embedded_broker_is_set_aside_not_a_crash_loop(
    start, tmp_path, built
):
    """A full disk left a 0-byte message file; the worker moves it aside and runs the rest."""
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE=TASKS_SETTINGS)
    assert manage("release", env=env).returncode == 0
    (tmp_path / "broker").mkdir(exist_ok=True)
    (tmp_path / "broker" / "0000000000_empty.celery.msg").write_bytes(b"")
    worker = start_worker(start, env)
    start(procfile()["beat"], env, name="beat")
    ticks = tmp_path / "ticks.log"
    wait_until(lambda: ticks.exists(), 30, "a scheduled run after the empty file")
    assert (tmp_path / "broker-unreadable" / "0000000000_empty.celery.msg").exists()
    assert "message file 0000000000_empty.celery.msg is empty or corrupt" in worker.output
    assert worker.alive() and "JSONDecodeError" not in worker.output
