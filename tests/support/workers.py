"""Worker and beat in tests: a released deployment, tasks sent as a web process sends them, and
their effects counted in Redis."""

from __future__ import annotations

import secrets

import pytest
import redis
from celery import Celery

from tests.support.parallel import CELERY_QUEUE
from tests.support.processes import Process, manage, procfile
from tests.support.services import RABBITMQ_URL

# Settings with the test tasks (tests/taskapp) and a two-second schedule.
TASKS_SETTINGS = "tests.settings_tasks"


def released(
    production_env: dict[str, str], database: str, services: dict[str, str], broker: str
) -> dict[str, str]:
    """A released ``database`` (``released_database``: the release finds nothing to apply;
    ``fresh_database``: it migrates), Redis for cache and counting, and ``broker`` for the
    tasks."""
    if broker == "rabbitmq" and not RABBITMQ_URL:
        pytest.fail("RABBITMQ_URL is not set: .ci/run sets it to the machine's RabbitMQ")
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": TASKS_SETTINGS,
        "DATABASE_URL": database,
        "REDIS_URL": services["redis"],
        "LOG_FORMAT": "text",
        "TEST_CELERY_QUEUE": CELERY_QUEUE,
    }
    if broker == "rabbitmq":
        env["CELERY_BROKER_URL"] = RABBITMQ_URL
    release = manage("release", env=env)
    assert release.returncode == 0, release.stdout + release.stderr
    return env


def broker_url(env: dict[str, str]) -> str:
    """Where the processes of ``env`` take their tasks from."""
    return env.get("CELERY_BROKER_URL") or env["REDIS_URL"]


def send(env: dict[str, str], name: str, *args: object) -> None:
    """Send task ``name`` by name, as any process with the broker's URL can."""
    sender = Celery(broker=broker_url(env))
    try:
        sender.send_task(name, args=args, queue=env.get("TEST_CELERY_QUEUE", "celery"))
    finally:
        sender.close()


class Counts:
    """What the test tasks did, counted in Redis under a token of this test's own."""

    def __init__(self, env: dict[str, str]) -> None:
        self.redis = redis.Redis.from_url(env["REDIS_URL"])
        self.token = secrets.token_hex(6)

    def get(self, what: str) -> int:
        return int(self.redis.get(f"test:{self.token}:{what}") or 0)


def start_worker(start, env: dict[str, str], name: str = "worker") -> Process:
    """The Procfile's worker line, started and ready to take tasks."""
    worker = start(procfile()["worker"], env, name=name)
    worker.wait_for_output(" ready.", timeout=60)
    return worker
