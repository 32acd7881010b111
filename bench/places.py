"""Maps, place profiles and PDF reports on PostgreSQL.

    .venv/bin/python -m bench.places [--requests 30]

1. The map's marker endpoint (/map/markers.json, every community, signed in) at 10,000 and
   50,000 communities: JSON bytes, gzipped bytes on the wire, p50/p90 over sequential requests
   to the Procfile's web line (aim: under 2 MB gzipped and 300 ms at 50,000).
2. The profile page of the province with the most communities at 10,000 communities: p50/p90.
3. The PDF report of the province profile closest to 2,000 communities, built by the worker's
   task in a process of its own: seconds and peak memory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import secrets
import statistics
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.support.processes import (
    Browserless,
    Process,
    base_env,
    free_port,
    http_get,
    manage,
    procfile,
)

PDF_SCRIPT = """
import json, resource, time
from django.contrib.auth import get_user_model
from obcms.reports.models import Report
from obcms.reports.tasks import build_report
import obcms.reports.documents  # the PDF library, loaded before the baseline like a warm worker
user = get_user_model().objects.get(username="viewer")
report = Report.objects.create(user=user, kind="place_profile", title="bench",
                               filters={"place": "%s"})
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
build_report(report.pk)
took = time.monotonic() - started
report.refresh_from_db()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": report.processed, "seconds": took, "baseline_kib": baseline,
                  "peak_kib": peak, "status": report.status, "bytes": report.file.size}))
"""


def timed(url: str, headers: dict[str, str], count: int) -> tuple[list[float], bytes, dict]:
    """``count`` sequential GETs (after one warm-up); milliseconds each, the last body."""
    status, answer, body = http_get(url, host="localhost", headers=headers, timeout=60)
    assert status == 200, (status, body[:300])
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, answer, body = http_get(url, host="localhost", headers=headers, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return times, body, answer


def percentile(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def markers(base: str, headers: dict[str, str], count: int) -> dict:
    times, body, answer = timed(
        f"{base}/map/markers.json", {**headers, "Accept-Encoding": "gzip"}, count
    )
    assert answer.get("Content-Encoding") == "gzip", answer
    data = gzip.decompress(body)
    return {
        "markers": len(json.loads(data)["id"]),
        "bytes": len(data),
        "gzipped": len(body),
        "p50": statistics.median(times),
        "p90": percentile(times, 90),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
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
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="1",
        GUNICORN_MAX_REQUESTS="0",
        LOG_LEVEL="warning",
    )
    results: dict[str, dict] = {}
    try:
        assert manage("release", env=env).returncode == 0
        seeded = manage("seed_demo", "--force", "--communities", "10000", env=env, timeout=1800)
        assert seeded.returncode == 0, seeded.stderr
        password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
        database = env["DATABASE_URL"]

        def busiest_province() -> tuple[str, int]:
            with psycopg.connect(database) as db:
                return db.execute(
                    "SELECT p.psgc_code, COUNT(*) FROM communities_community c "
                    "JOIN geography_municipality m ON m.id = c.municipality_id "
                    "JOIN geography_province p ON p.id = m.province_id "
                    "GROUP BY p.psgc_code ORDER BY COUNT(*) DESC LIMIT 1"
                ).fetchone()

        def start_web() -> tuple[Process, str, dict[str, str]]:
            port = free_port()
            web = Process(
                f"taskset -c 1 {procfile()['web']}", {**env, "PORT": str(port)}, name="bench-web"
            )
            base = f"http://127.0.0.1:{port}"
            web.wait_for_http(f"{base}/health/", timeout=60)
            client = Browserless(base)
            client.sign_in("viewer", password)
            return web, base, {"X-Forwarded-Proto": "https", "Cookie": client.session_cookie}

        web, base, headers = start_web()
        try:
            results["markers_10k"] = markers(base, headers, args.requests)
            province, in_province = busiest_province()
            times, _, _ = timed(f"{base}/places/{province}/", headers, args.requests)
            results["profile_10k"] = {
                "communities": in_province,
                "p50": statistics.median(times),
                "p90": percentile(times, 90),
            }
        finally:
            web.stop()

        more = manage("seed_demo", "--force", "--communities", "40000", env=env, timeout=3600)
        assert more.returncode == 0, more.stderr
        web, base, headers = start_web()
        try:
            results["markers_50k"] = markers(base, headers, max(10, args.requests // 3))
        finally:
            web.stop()

        with psycopg.connect(database) as db:
            province, in_province = db.execute(
                "SELECT p.psgc_code, COUNT(*) FROM communities_community c "
                "JOIN geography_municipality m ON m.id = c.municipality_id "
                "JOIN geography_province p ON p.id = m.province_id "
                "GROUP BY p.psgc_code ORDER BY ABS(COUNT(*) - 2000) LIMIT 1"
            ).fetchone()
        result = manage("shell", "-c", PDF_SCRIPT % province, env=env, timeout=3600)
        assert result.returncode == 0, result.stderr
        results["pdf"] = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        "PostgreSQL on loopback; web: Procfile line, 1 worker x 1 thread, core 1; one client; "
        f"load average at the end {load} (2 cores, shared)"
    )
    for size in ("10k", "50k"):
        m = results[f"markers_{size}"]
        print(
            f"marker endpoint, {m['markers']:,} communities: {m['bytes'] / 1e6:.2f} MB JSON, "
            f"{m['gzipped'] / 1e6:.2f} MB gzipped, p50 {m['p50']:.0f} ms, p90 {m['p90']:.0f} ms "
            f"(aim at 50,000: under 2 MB gzipped, under 300 ms)"
        )
    p = results["profile_10k"]
    print(
        f"province profile, busiest province ({p['communities']:,} of 10,000 communities): "
        f"p50 {p['p50']:.0f} ms, p90 {p['p90']:.0f} ms"
    )
    pdf = results["pdf"]
    growth = (pdf["peak_kib"] - pdf["baseline_kib"]) / 1024
    print(
        f"PDF, province profile of {pdf['rows']:,} communities: {pdf['seconds']:.1f} s, "
        f"{pdf['bytes'] / 1e3:.0f} kB, peak memory {pdf['peak_kib'] / 1024:.0f} MiB "
        f"(growth {growth:.1f} MiB over the warm process); status {pdf['status']}"
    )


if __name__ == "__main__":
    main()
