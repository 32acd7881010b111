"""Faults injected into real processes (issue 20): a Redis broker killed under a running task,
and the job rules' recovery paths. Each test owns the server it breaks."""

import signal

import pytest

from tests.support.processes import free_port, wait_until
from tests.support.workers import Counts, released, send, start_worker


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
