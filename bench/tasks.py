"""End-to-end task throughput through Redis: obcms's reliability settings beside Celery's
defaults, one worker (the Procfile line, concurrency 2) each, in one run.

    .venv/bin/python -m bench.tasks [--tasks 2000] [--rounds 3] [--redis redis://127.0.0.1:6379/2]

Time is from the first send to the 2,000th task's effect (one Redis INCR each).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time

import psycopg
import redis
from celery import Celery

from tests.support.processes import Process, base_env, manage, procfile


def run_once(env: dict[str, str], tasks: int) -> float:
    client = redis.Redis.from_url(env["REDIS_URL"])
    client.flushdb()
    worker = Process(procfile()["worker"], env, name="bench-worker")
    try:
        worker.wait_for_output(" ready.", timeout=60)
        key = f"bench:{secrets.token_hex(4)}"
        sender = Celery(broker=env["REDIS_URL"])
        started = time.monotonic()
        with sender.producer_or_acquire() as producer:
            for _ in range(tasks):
                sender.send_task("tests.taskapp.tasks.count", args=[key], producer=producer)
        while int(client.get(key) or 0) < tasks:
            time.sleep(0.01)
        return time.monotonic() - started
    finally:
        worker.stop(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    name = f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        common = base_env(
            SECRET_KEY="bench-" + "x" * 50,
            ALLOWED_HOSTS="localhost",
            DATABASE_URL=args.database.rsplit("/", 1)[0] + f"/{name}",
            REDIS_URL=args.redis,
            DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
            LOG_FORMAT="json",
            CELERY_WORKER_CONCURRENCY="2",
        )
        configs = {
            "obcms reliability settings": {
                **common,
                "DJANGO_SETTINGS_MODULE": "tests.settings_tasks",
            },
            "Celery defaults": {
                **common,
                "DJANGO_SETTINGS_MODULE": "bench.settings_celery_defaults",
            },
        }
        assert manage("release", env=configs["Celery defaults"]).returncode == 0
        timings: dict[str, list[float]] = {label: [] for label in configs}
        for _ in range(args.rounds):
            for label, env in configs.items():
                timings[label].append(run_once(env, args.tasks))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{args.tasks} tasks through Redis, 1 worker x 2 processes, median of {args.rounds}")
    rates = {}
    for label, values in timings.items():
        rates[label] = args.tasks / statistics.median(values)
        print(f"  {label:28} {statistics.median(values):6.2f} s  {rates[label]:7.0f} tasks/s")
    ratio = rates["obcms reliability settings"] / rates["Celery defaults"]
    print(f"  ratio obcms/default          {ratio:6.2f}x (aim: at least 0.7x)")


if __name__ == "__main__":
    main()
