"""/health/ throughput beside a bare Django project and a raw WSGI app; /ready/ latency.

    .venv/bin/python -m bench.probes [--duration 5] [--rounds 3] [--database URL] [--redis URL]

All three servers run under the same gunicorn.conf.py and GUNICORN_* values; load comes from
wrk on loopback (Debian's `wrk` package). /ready/ runs against real PostgreSQL and Redis (a
scratch database is created and dropped).
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.load import wrk
from tests.support.processes import REPO, Process, base_env, free_port, manage, procfile

# Every server reads the same gunicorn.conf.py with the same GUNICORN_* values.
CONF = f"--config {REPO / 'gunicorn.conf.py'} --access-logfile /dev/null"

RAW_APP = """
def application(environ, start_response):
    body = b'{"status": "healthy"}'
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]
"""

BARE_URLS = """
from django.http import JsonResponse
from django.urls import path

urlpatterns = [path("health/", lambda request: JsonResponse({"status": "healthy"}))]
"""


def connection_count(path: str) -> int:
    return 4 if "ready" in path else 16


def serve(command: str, env: dict[str, str], path: str) -> tuple[Process, str]:
    port = free_port()
    # The server gets core 1 and wrk core 0, so neither steals the other's CPU.
    process = Process(f"taskset -c 1 {command}", {**env, "PORT": str(port)}, name="bench")
    url = f"http://127.0.0.1:{port}{path}"
    process.wait_for_http(url, timeout=60, host="localhost")
    return process, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1")
    parser.add_argument(
        "--max-requests",
        default="0",
        help="GUNICORN_MAX_REQUESTS for obcms (default 0: no recycling, as the "
        "bare servers; production uses 1000)",
    )
    args = parser.parse_args()
    max_requests = args.max_requests

    workdir = Path(tempfile.mkdtemp(prefix="obcms-bench-"))
    name = f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    database_url = urlunsplit(urlsplit(args.database)._replace(path=f"/{name}"))
    results = []
    try:
        (workdir / "raw.py").write_text(RAW_APP)
        subprocess.run(
            [Path(sys.executable).parent / "django-admin", "startproject", "bare", str(workdir)],
            check=True,
        )
        (workdir / "bare" / "urls.py").write_text(textwrap.dedent(BARE_URLS))
        settings = workdir / "bare" / "settings.py"
        settings.write_text(
            settings.read_text()
            .replace("DEBUG = True", "DEBUG = False")
            .replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']")
        )
        gunicorn_env = base_env(
            WEB_CONCURRENCY="2",
            GUNICORN_THREADS="4",
            GUNICORN_LOG_LEVEL="warning",
            GUNICORN_MAX_REQUESTS=max_requests,
        )
        env = {
            **gunicorn_env,
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis,
            "DATA_DIR": str(workdir / "var"),
        }
        assert manage("release", env=env).returncode == 0
        assert manage("collectstatic", "--noinput", env=env).returncode == 0
        servers = [
            (
                "raw WSGI app /health",
                f"gunicorn {CONF} --chdir {workdir} raw:application",
                gunicorn_env,
                "/",
            ),
            (
                "bare Django /health/",
                f"gunicorn {CONF} --chdir {workdir} bare.wsgi",
                gunicorn_env,
                "/health/",
            ),
            ("obcms /health/", f"{procfile()['web']} --access-logfile /dev/null", env, "/health/"),
            ("obcms /ready/", f"{procfile()['web']} --access-logfile /dev/null", env, "/ready/"),
        ]
        samples: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in servers}
        for _ in range(args.rounds):  # interleaved rounds, so drift hits every server alike
            for label, command, server_env, path in servers:
                process, url = serve(command, server_env, path)
                try:
                    samples[label].append(wrk(url, args.duration, connection_count(path)))
                finally:
                    process.stop()
        for label, *_, path in servers:
            median = {
                key: statistics.median(s[key] for s in samples[label]) for key in samples[label][0]
            }
            results.append((label, connection_count(path), median))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"gunicorn.conf.py, 2 workers x 4 threads, GUNICORN_MAX_REQUESTS={max_requests}; "
        f"server on core 1, wrk -t1 on core 0;\nmedian of {args.rounds} interleaved rounds of "
        f"{args.duration}s each, loopback"
    )
    print(f"{'':24} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for label, connections, f in results:
        print(
            f"{label:24} {connections:>5} {f['rps']:>9.0f} {f['p50']:>8.2f} {f['p99']:>8.2f} "
            f"{f['non2xx']:>8}"
        )


if __name__ == "__main__":
    main()
