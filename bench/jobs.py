"""Background jobs under faults (issue 20): per fault, the time from the fault's end to the
last job done, the jobs lost (not done by the deadline) and duplicated (claimed more than once
and ending with more than one file, or rows imported twice).

    .venv/bin/python -m bench.jobs [--jobs 5] [--lease 10] [--sweep 5]
        [--redis redis://127.0.0.1:6379/2] [--database postgres://postgres@127.0.0.1:5432/postgres]

Each fault runs on a fresh database, a Redis broker of its own (no persistence) and the
Procfile's worker and beat lines, with JOB_LEASE and JOB_SWEEP_INTERVAL as given:

- redis-restarted-empty: exports queued, then Redis killed and started again empty;
- publish-failed: exports asked for while Redis is down, then Redis started;
- worker-killed: a worker SIGKILLed (with its pool) mid-import, then a new worker started.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis
from psycopg import sql

from tests.support.processes import Process, base_env, free_port, manage, procfile

QUEUE_EXPORTS = """
from django.contrib.auth import get_user_model
from django.db import transaction
from obcms.reports import jobs, tasks
from obcms.reports.models import Export
user, _ = get_user_model().objects.get_or_create(username="bench")
for _ in range({n}):
    with transaction.atomic():
        jobs.publish(Export.objects.create(user=user, filters={{}}), tasks.build_export)
"""
QUEUE_IMPORT = """
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from obcms.geography.models import Barangay
from obcms.reports import jobs, tasks
from obcms.reports.models import Import
user, _ = get_user_model().objects.get_or_create(username="bench")
psgc = Barangay.objects.values_list("psgc_code", flat=True).first()
lines = ["name,barangay_psgc"] + [f"Bench {{n}},{{psgc}}" for n in range({rows})]
with transaction.atomic():
    job = Import.objects.create(user=user, file=ContentFile("\\n".join(lines), name="b.csv"))
    jobs.publish(job, tasks.process_import)
"""


def redis_server(port: int) -> Process:
    server = Process(
        f"redis-server --port {port} --save '' --appendonly no --bind 127.0.0.1",
        {"PATH": "/usr/bin:/bin"},
        name=f"bench-redis-{port}",
    )
    server.wait_for_output("Ready to accept connections", timeout=10)
    return server


def rows(database: str, table: str) -> list[tuple]:
    with psycopg.connect(database) as db:
        query = sql.SQL("SELECT status, claim, processed FROM {} ORDER BY id")
        return db.execute(query.format(sql.Identifier(table))).fetchall()


def wait_done(database: str, table: str, count: int, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        found = rows(database, table)
        if len(found) == count and all(state in ("done", "failed") for state, *_ in found):
            return time.monotonic()
        time.sleep(0.1)
    return None


def run_fault(name: str, env: dict[str, str], args, action: Callable) -> dict:
    port = free_port()
    env = {**env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0"}
    started: list[Process] = []
    try:
        table, count, fault_end = action(env, port, started)
        done_at = wait_done(env["DATABASE_URL"], table, count, timeout=args.timeout)
        found = rows(env["DATABASE_URL"], table)
        lost = sum(1 for state, *_ in found if state != "done") + (count - len(found))
        files = list((Path(env["DATA_DIR"]) / "media").rglob("*.csv"))
        if table == "reports_export":
            duplicated = max(0, len(files) - count)
        else:  # an import: each of its rows saved once
            with psycopg.connect(env["DATABASE_URL"]) as db:
                saved = db.execute("SELECT count(*) FROM communities_community").fetchone()[0]
            duplicated = max(0, saved - args.rows)
        return {
            "fault": name,
            "recovery_s": None if done_at is None else round(done_at - fault_end, 1),
            "lost": lost,
            "duplicated": duplicated,
            "claims": [claim for _, claim, _ in found],
        }
    finally:
        for process in reversed(started):
            process.stop(10)


def redis_restarted_empty(args):
    def action(env, port, started):
        started.append(broker := redis_server(port))
        assert manage("shell", "-c", QUEUE_EXPORTS.format(n=args.jobs), env=env).returncode == 0
        broker.signal(signal.SIGKILL)
        broker.wait(10)
        started.append(redis_server(port))
        fault_end = time.monotonic()
        started.append(worker(env))
        started.append(Process(procfile()["beat"], env, name="bench-beat"))
        return "reports_export", args.jobs, fault_end

    return action


def publish_failed(args):
    def action(env, port, started):
        assert manage("shell", "-c", QUEUE_EXPORTS.format(n=args.jobs), env=env).returncode == 0
        started.append(redis_server(port))
        fault_end = time.monotonic()
        started.append(worker(env))
        started.append(Process(procfile()["beat"], env, name="bench-beat"))
        return "reports_export", args.jobs, fault_end

    return action


def worker_killed(args):
    def action(env, port, started):
        started.append(redis_server(port))
        started.append(Process(procfile()["beat"], env, name="bench-beat"))
        first = worker(env)
        assert manage("shell", "-c", QUEUE_IMPORT.format(rows=args.rows), env=env).returncode == 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state, _, processed = (rows(env["DATABASE_URL"], "reports_import") or [("", 0, 0)])[0]
            if state == "running" and processed > 0:
                break
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        fault_end = time.monotonic()
        started.append(worker(env))
        return "reports_import", 1, fault_end

    return action


def worker(env: dict[str, str]) -> Process:
    process = Process(procfile()["worker"], env, name="bench-worker")
    process.wait_for_output(" ready.", timeout=60)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=5)
    # The import's cap: fewer rows are all saved (in batches of 2,000) before the kill lands.
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the killed import")
    parser.add_argument("--lease", type=int, default=10)
    parser.add_argument("--sweep", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    results = []
    for name, fault in (
        ("redis-restarted-empty", redis_restarted_empty),
        ("publish-failed", publish_failed),
        ("worker-killed", worker_killed),
    ):
        database = f"obcms_bench_{secrets.token_hex(4)}"
        admin = psycopg.connect(args.database, autocommit=True)
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            env = base_env(
                SECRET_KEY="bench-" + "x" * 50,
                ALLOWED_HOSTS="localhost",
                DATABASE_URL=args.database.rsplit("/", 1)[0] + f"/{database}",
                REDIS_URL=args.redis,
                DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
                JOB_LEASE=str(args.lease),
                JOB_SWEEP_INTERVAL=str(args.sweep),
                LOG_FORMAT="text",
            )
            redis.Redis.from_url(args.redis).flushdb()
            assert manage("release", env=env, timeout=600).returncode == 0
            results.append(run_fault(name, env, args, fault(args)))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.close()

    print(f"JOB_LEASE={args.lease}s JOB_SWEEP_INTERVAL={args.sweep}s")
    print(f"{'fault':<24}{'fault end -> done (s)':>24}{'lost':>6}{'duplicated':>12}  claims")
    for r in results:
        print(
            f"{r['fault']:<24}{r['recovery_s']!s:>24}{r['lost']:>6}{r['duplicated']:>12}"
            f"  {r['claims']}"
        )


if __name__ == "__main__":
    main()
