"""The registry under load, on PostgreSQL.

    .venv/bin/python -m bench.registry [--communities 10000] [--export-rows 100000]

1. Geography load time for Regions IX-XII (the PSGC fixture into empty tables, then again).
2. Community list, 50 a page, filtered by region, signed in: p50/p99 under wrk (1 and 4
   connections; the server has one core, so 4 connections queue behind each other)
   against the Procfile's web line with 10,000 communities.
3. CSV export of 100,000 rows by the export task: rows per second and peak memory growth.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.load import wrk
from tests.support.processes import (
    Browserless,
    Process,
    base_env,
    free_port,
    http_get,
    manage,
    procfile,
)

EXPORT_SCRIPT = """
import json, resource, time
from obcms.reports.models import Export
from obcms.reports.tasks import build_export
from django.contrib.auth import get_user_model
from obcms.communities.models import Community
Community.objects.count()
user = get_user_model().objects.get(username="viewer")
export = Export.objects.create(user=user, filters={})
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
build_export(export.pk)
took = time.monotonic() - started
export.refresh_from_db()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": export.processed, "seconds": took, "baseline_kib": baseline,
                  "peak_kib": peak, "status": export.status}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=10_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    name = f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    env = base_env(
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=urlunsplit(urlsplit(args.database)._replace(path=f"/{name}")),
        DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="4",
        GUNICORN_MAX_REQUESTS="0",
        LOG_LEVEL="warning",
    )
    try:
        assert manage("release", env=env).returncode == 0
        started = time.monotonic()
        assert manage("load_geography", "-v0", env=env).returncode == 0
        geography_first = time.monotonic() - started
        started = time.monotonic()
        assert manage("load_geography", "-v0", env=env).returncode == 0
        geography_again = time.monotonic() - started

        started = time.monotonic()
        seeded = manage(
            "seed_demo", "--force", "--communities", str(args.communities), env=env, timeout=1800
        )
        assert seeded.returncode == 0, seeded.stderr
        seed_seconds = time.monotonic() - started
        password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
        with psycopg.connect(env["DATABASE_URL"]) as db:
            region = db.execute(
                "SELECT id FROM geography_region WHERE short_name = 'X'"
            ).fetchone()[0]

        port = free_port()
        web = Process(
            f"taskset -c 1 {procfile()['web']}", {**env, "PORT": str(port)}, name="bench-web"
        )
        try:
            base = f"http://127.0.0.1:{port}"
            web.wait_for_http(f"{base}/health/", timeout=60)
            client = Browserless(base)
            client.sign_in("viewer", password)
            cookie = client.session_cookie
            url = f"{base}/communities/?region={region}"
            status, _, _ = http_get(
                url,
                host="localhost",
                headers={"X-Forwarded-Proto": "https", "Cookie": cookie},
            )
            assert status == 200, status
            https = {"X-Forwarded-Proto": "https", "Cookie": cookie}
            listing = {n: wrk(url, args.duration, n, https) for n in (1, 4)}
        finally:
            web.stop()

        more = args.export_rows - args.communities
        if more > 0:
            extra = manage(
                "seed_demo", "--force", "--communities", str(more), env=env, timeout=3600
            )
            assert extra.returncode == 0, extra.stderr
        result = manage("shell", "-c", EXPORT_SCRIPT, env=env, timeout=3600)
        assert result.returncode == 0, result.stderr
        export = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(
        "PostgreSQL on loopback; web: Procfile line, 2 workers x 4 threads, core 1; wrk on core 0"
    )
    print(
        f"geography, Regions IX-XII: {geography_first:.2f} s into empty tables, "
        f"{geography_again:.2f} s again (idempotent re-run), whole command"
    )
    print(f"seed_demo --communities {args.communities}: {seed_seconds:.1f} s")
    for n, figures in listing.items():
        print(
            f"community list, region X, 50 a page, {args.communities} communities, {n} "
            f"connection(s): p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"{figures['rps']:.0f} req/s, non-2xx {figures['non2xx']} (aim: p50 under 25 ms)"
        )
    growth = (export["peak_kib"] - export["baseline_kib"]) / 1024
    print(
        f"CSV export, {export['rows']} rows: {export['rows'] / export['seconds']:.0f} rows/s "
        f"({export['seconds']:.1f} s), peak memory growth {growth:.1f} MiB "
        f"(aim: under 60 MB); status {export['status']}"
    )


if __name__ == "__main__":
    main()
