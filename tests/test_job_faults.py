"""Faults injected into real processes (issue 20): a Redis broker killed under a running task,
and the job rules' recovery paths. Each test owns the server it breaks."""

import contextlib
import os
import re
import signal
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

from tests.support.parallel import CELERY_QUEUE
from tests.support.processes import (
    Browserless,
    base_env,
    free_port,
    manage,
    procfile,
    wait_until,
)
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
    start, production_env, released_database, services
):
    """kombu's Redis transport used to exit the worker (AttributeError in _connparams while
    restoring unacknowledged messages); now it logs, reconnects and takes the next task."""
    port = free_port()
    broker = own_redis_server(start, port)
    env = released(production_env, released_database, services, "redis")
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


QUEUE_EXPORTS = """
from django.contrib.auth import get_user_model
from django.db import transaction
from obcms.reports import jobs, tasks
from obcms.reports.models import Export
user = get_user_model().objects.create(username="exporter")
for _ in range({n}):
    with transaction.atomic():
        jobs.publish(Export.objects.create(user=user, filters={{}}), tasks.build_export)
"""


def exports(database: str) -> list[tuple]:
    with psycopg.connect(database) as db:
        return db.execute("SELECT status, claim, file FROM reports_export ORDER BY id").fetchall()


@pytest.mark.integration
@pytest.mark.parametrize("fault", ["redis-restarted-empty", "publish-failed"])
def test_queued_jobs_whose_messages_were_lost_are_run_by_the_sweeper(
    start, production_env, released_database, services, fault
):
    """Five exports queued; their messages vanish with a Redis restarted without persistence,
    or were never published (Redis down when they were asked for). The sweeper (beat) sends
    them again: each ends done once, one file each."""
    port = free_port()
    env = released(production_env, released_database, services, "redis")
    env.update(CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0", JOB_LEASE="3")
    env["JOB_SWEEP_INTERVAL"] = "2"
    broker = own_redis_server(start, port) if fault == "redis-restarted-empty" else None
    queued = manage("shell", "-c", QUEUE_EXPORTS.format(n=5), env=env)
    assert queued.returncode == 0, queued.stderr
    if broker:
        assert redis.Redis(port=port).llen(CELERY_QUEUE) == 5
        broker.signal(signal.SIGKILL)
        broker.wait(10)
    else:
        assert "cannot publish its task" in queued.stdout + queued.stderr
    own_redis_server(start, port)  # back, empty
    assert redis.Redis(port=port).llen(CELERY_QUEUE) == 0
    worker = start_worker(start, env)
    start(procfile()["beat"], env, name="beat")
    wait_until(
        lambda: [row[0] for row in exports(released_database)] == ["done"] * 5,
        60,
        "the sweeper's sends to be run",
    )
    rows = exports(released_database)
    assert [claim for _, claim, _ in rows] == [1] * 5  # each run once
    media = Path(env["DATA_DIR"]) / "media"
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*.csv")) == sorted(
        file for _, _, file in rows
    )
    assert worker.output.count("rows written") == 5


QUEUE_IMPORT = """
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from obcms.reports import jobs, tasks
from obcms.reports.models import Import
from tests.support.factories import place
user = get_user_model().objects.create(username="importer")
psgc = place("XII").psgc_code
lines = ["name,barangay_psgc"] + [f"Killed {{n}},{{psgc}}" for n in range({rows})]
with transaction.atomic():
    job = Import.objects.create(user=user, file=ContentFile("\\n".join(lines), name="k.csv"))
    jobs.publish(job, tasks.process_import)
"""


@pytest.mark.integration
def test_a_worker_killed_mid_import_is_replaced_and_the_sweeper_finishes_the_job(
    start, production_env, released_database, services
):
    """A worker container SIGKILLed mid-import: its message waits for Redis's visibility
    timeout (11 minutes), but the job's lease runs out in seconds and the sweeper sends it to
    the next worker, which resumes after the last committed chunk: every row saved once."""
    port = free_port()
    own_redis_server(start, port)
    env = released(production_env, released_database, services, "redis")
    env.update(CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0", JOB_LEASE="3")
    env["JOB_SWEEP_INTERVAL"] = "2"
    start(procfile()["beat"], env, name="beat")
    first = start_worker(start, env)
    # The import's cap: a smaller file is saved whole (batches of 2,000) before the kill.
    queued = manage("shell", "-c", QUEUE_IMPORT.format(rows=20_000), env=env)
    assert queued.returncode == 0, queued.stderr

    def progress() -> tuple:
        with psycopg.connect(released_database) as db:
            query = "SELECT status, claim, processed, created_count, errors FROM reports_import"
            return db.execute(query).fetchone()

    wait_until(lambda: progress()[0] == "running" and progress()[2] > 0, 120, "the import")
    os.killpg(first.pid, signal.SIGKILL)  # the container: main process and pool at once
    first.wait(10)
    start_worker(start, env, name="replacement")
    wait_until(lambda: progress()[0] == "done", 120, "the sweeper's send to finish the import")
    _, claim, processed, created, errors = progress()
    assert claim >= 2 and (processed, created, errors) == (20_000, 20_000, [])
    with psycopg.connect(released_database) as db:
        names = db.execute("SELECT count(*), count(DISTINCT name) FROM communities_community")
        assert names.fetchone() == (20_000, 20_000)


class TcpProxy:
    """A TCP forwarder to PostgreSQL that the test closes (every connection cut, new ones
    refused) and opens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.open()

    def open(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@pytest.mark.integration
def test_a_job_outlives_a_database_outage_longer_than_the_old_retry_budget(
    start, production_env, released_database, services
):
    """The worker reaches PostgreSQL through a proxy that is closed for 25 s (the old five
    retries gave up after about 11 s); the export waits, retrying with backoff, and ends done."""
    env = released(production_env, released_database, services, "redis")
    parts = urlsplit(released_database)
    proxy = TcpProxy((parts.hostname, parts.port or 5432))
    worker_env = {
        **env,
        "DATABASE_URL": parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl(),
    }
    worker = start_worker(start, worker_env)
    proxy.close()
    queued = manage("shell", "-c", QUEUE_EXPORTS.format(n=1), env=env)  # the web, not cut off
    assert queued.returncode == 0, queued.stderr
    worker.wait_for_output("retrying in", timeout=30)
    time.sleep(25)
    assert exports(released_database)[0][0] != "done"
    proxy.open()
    wait_until(
        lambda: exports(released_database)[0][0] == "done", 90, "the export after the outage"
    )
    assert "OperationalError; retrying in" in worker.output
    assert exports(released_database)[0][1] in (1, 2)  # claimed once, or again by its own retry


@pytest.mark.integration
def test_starting_a_job_while_the_redis_broker_hangs_answers_and_the_job_runs_later(
    start, production_env, released_database, services
):
    """The broker's Redis stops answering (SIGSTOP: connections open, nothing read): asking
    for an export used to wait for as long as Redis hung. Now its publish gives up within
    seconds, the page says the job is delayed, and once Redis answers again the sweeper's
    send runs it."""
    port, web_port = free_port(), free_port()
    broker = own_redis_server(start, port)
    env = released(production_env, released_database, services, "redis")
    env.update(CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0", JOB_LEASE="3")
    env["JOB_SWEEP_INTERVAL"] = "2"
    seeded = manage("seed_demo", "--force", "--communities", "5", env=env)
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
    web = start(procfile()["web"], {**env, "PORT": str(web_port)}, name="web")
    web.wait_for_http(f"http://127.0.0.1:{web_port}/health/")
    client = Browserless(f"http://127.0.0.1:{web_port}", host="obcms.example.org")
    client.sign_in("viewer", password)
    token = client.csrf_form("/communities/")

    broker.signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        status, headers, _ = client.request(
            "POST", "/reports/exports/new/", {"csrfmiddlewaretoken": token, "format": "csv"}
        )
        took = time.monotonic() - started
        assert status == 302, status
        assert took < 20, f"the request waited {took:.0f}s on the hung broker"  # not a hang
        assert [row[0] for row in exports(released_database)] == ["queued"]
        _, _, page = client.request("GET", headers["Location"])
        assert b'id="job-delayed"' in page
        assert "cannot publish its task" in web.output
    finally:
        broker.signal(signal.SIGCONT)
    start_worker(start, env)
    start(procfile()["beat"], env, name="beat")
    wait_until(
        lambda: [row[0] for row in exports(released_database)] == ["done"],
        60,
        "the delayed export to be sent again and run",
    )
