"""`python manage.py doctor` against a real worker: unhealthy without one, healthy with one
and a recent heartbeat."""

import re

import pytest

from tests.support.processes import manage, wait_until
from tests.support.workers import released, send, start_worker


@pytest.fixture
def redis_env(production_env, released_database, services, own_redis) -> dict[str, str]:
    """Redis as broker, on a database of its own, so that no worker of another test or run
    answers this test's pings."""
    own = {**services, "redis": own_redis(3)}
    return released(production_env, released_database, own, "redis")


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
