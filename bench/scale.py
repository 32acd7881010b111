"""The registry at national scale (issue 19): pages, their SQL alone, exports and seed_demo at
100,000 communities on PostgreSQL, each figure printed beside its anchor in the same run.

    .venv/bin/python -m bench.scale [--communities 100000] [--needs 500000] [--requests 200]

1. A new database: ``release``, then ``seed_demo --communities N`` timed (anchor: 3 minutes),
   then needs copied in bulk up to ``--needs`` (the Need model as it is, through the ORM).
2. One web process (the Procfile's web line, 1 worker x 1 thread, core 1; Redis for the cache
   and the sessions), signed in, filtered by region (the region with most communities), 50 a
   page: the community list, needs list, assessment list, community profile, dashboard and the
   region's place profile; sequential requests on one connection at a time: p50 and p99
   (anchors 25 ms and 100 ms), and each list's throughput against Django's admin changelist for
   the same rows and region filter, signed in as the administrator (anchor: at least 2x).
3. Each page's first view after a change to any registry record, when the figures it counts
   (obcms/records/figures.py) are computed again: one request, in-process (no anchor: the
   anchors above are for the views in between, what most requests are).
4. Each page's SQL alone, captured from the page (Django's test client, in a shell) and run
   again in PostgreSQL with ``EXPLAIN ANALYZE``: planning and execution time summed per page,
   p50 of the runs (anchor: 5 ms); the plan of the slowest query of the slowest page is printed.
5. The export's rows (obcms/reports/spreadsheets.py) of every community, CSV and XLSX, each in a
   process of its own: rows per second (anchors 20,000 and 5,000) and peak memory growth over
   the warm process (anchor: under 60 MB).

No wrk is needed: one connection, sequential requests (http.client on loopback).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.support.processes import Browserless, Process, base_env, free_port, manage, procfile

MORE_NEEDS = """
import time
from obcms.assessments.models import Need
from obcms.db.bulk import insert
from obcms.db.planner import analyze
wanted = {wanted}
started = time.monotonic()
have = Need.objects.count()
rows = list(Need.objects.order_by("pk").values()[:50000])
batch = []
while have < wanted and rows:
    for row in rows:
        if have >= wanted:
            break
        row = {{k: v for k, v in row.items() if k != "id"}}
        batch.append(Need(**row))
        have += 1
        if len(batch) == 5000:
            insert(batch)
            batch = []
if batch:
    insert(batch)
analyze(Need)
print(have, round(time.monotonic() - started, 1))
"""

CAPTURE_SQL = """
import json, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from obcms.db.shared_cache import forget
client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
client.force_login(get_user_model().objects.get(username="viewer"))
pages = json.loads({pages!r})
found, first = {{}}, {{}}
for name, path in pages.items():
    client.get(path, secure=True)  # caches warm, as for the web process
    forget("figures")  # as after any change to a registry record (obcms/records/figures.py)
    started = time.perf_counter()
    client.get(path, secure=True)
    first[name] = (time.perf_counter() - started) * 1000
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, secure=True)
    assert response.status_code == 200, (path, response.status_code)
    found[name] = [q["sql"] for q in queries.captured_queries]
print(json.dumps({{"queries": found, "first": first}}))
"""

EXPORT = """
import io, json, os, resource, tempfile, time
from obcms.communities.models import Community
from obcms.reports import spreadsheets
import openpyxl  # loaded before the baseline, as in a warm worker
kind = {kind!r}
rows = spreadsheets.community_rows(Community.objects.all())
first = next(rows)  # the connection open and the first chunk read: a warm worker
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
count = 0
def on_row(n):
    global count
    count = n
def all_rows():
    yield first
    yield from rows
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "export." + kind)
    if kind == "csv":
        with open(path, "w", newline="") as out:
            spreadsheets.write_csv(all_rows(), out, on_row)
    else:
        with open(path, "wb") as out:
            spreadsheets.write_xlsx(all_rows(), out, on_row)
    took = time.perf_counter() - started
    size = os.path.getsize(path)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"rows": count, "seconds": took, "growth_kib": peak - baseline,
                  "bytes": size}}))
"""


def timed(base: str, path: str, cookie: str, count: int) -> list[float]:
    """``count`` sequential GETs after two warm-ups; milliseconds each."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    headers = {"Host": "localhost", "X-Forwarded-Proto": "https", "Cookie": cookie}
    times = []
    for i in range(count + 2):
        connection = http.client.HTTPConnection(host, port, timeout=60)
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        took = (time.perf_counter() - started) * 1000
        connection.close()
        assert response.status == 200, (path, response.status, body[:300])
        if i >= 2:
            times.append(took)
    return times


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def sql_time(db: psycopg.Connection, queries: list[str], runs: int) -> tuple[float, str, str]:
    """p50 over ``runs`` of the queries' planning + execution time summed (ms); the slowest
    query and its plan."""
    totals, slowest = [], (0.0, "", "")
    for _ in range(runs):
        total = 0.0
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = db.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").fetchone()[0][0]
            took = plan["Planning Time"] + plan["Execution Time"]
            total += took
            if took > slowest[0]:
                slowest = (took, sql, "")
        totals.append(total)
    if slowest[1]:
        text = db.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest[1]}").fetchall()
        slowest = (slowest[0], slowest[1], "\n".join(row[0] for row in text))
    return statistics.median(totals), slowest[1], slowest[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--admin-requests", type=int, default=30, help="of the changelist")
    parser.add_argument("--sql-runs", type=int, default=20)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", help="a database kept (--keep) by an earlier run: no seeding")
    parser.add_argument("--no-exports", action="store_true", help="pages and their SQL only")
    args = parser.parse_args()
    if not args.redis:
        raise SystemExit("bench: give --redis redis://... (or REDIS_URL): sessions use it")

    name = args.reuse or f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    if not args.reuse:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = base_env(
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=urlunsplit(urlsplit(args.database)._replace(path=f"/{name}")),
        REDIS_URL=args.redis,
        DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="1",
        GUNICORN_MAX_REQUESTS="0",
        LOG_LEVEL="warning",
    )
    figures: dict = {}
    web = None
    try:
        assert manage("release", env=env, timeout=600).returncode == 0
        assert manage("collectstatic", "--noinput", "-v0", env=env).returncode == 0
        if args.reuse:
            passwords = {"viewer": secrets.token_urlsafe(12), "admin": secrets.token_urlsafe(12)}
            script = "from django.contrib.auth import get_user_model\n" + "".join(
                f"u = get_user_model().objects.get(username={user!r}); "
                f"u.set_password({word!r}); u.save()\n"
                for user, word in passwords.items()
            )
            assert manage("shell", "-c", script, env=env).returncode == 0
            figures["seed"], figures["needs_seconds"] = float("nan"), "(reused)"
        else:
            started = time.monotonic()
            seeded = manage(
                "seed_demo",
                "--force",
                "--communities",
                str(args.communities),
                env=env,
                timeout=3600,
            )
            figures["seed"] = time.monotonic() - started
            assert seeded.returncode == 0, seeded.stdout[-2000:] + seeded.stderr[-4000:]
            passwords = dict(re.findall(r"user '(\w+)' \(\w+\), password (\S+)", seeded.stdout))
            more = manage(
                "shell", "-c", MORE_NEEDS.format(wanted=args.needs), env=env, timeout=3600
            )
            assert more.returncode == 0, more.stderr[-4000:]
            figures["needs_seconds"] = more.stdout.split()[-1]  # MORE_NEEDS prints count, s
        with psycopg.connect(env["DATABASE_URL"]) as db:
            figures["needs"] = db.execute("SELECT count(*) FROM assessments_need").fetchone()[0]

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
            region, psgc, short, in_region = db.execute(
                "SELECT r.id, r.psgc_code, r.short_name, COUNT(*) FROM communities_community c "
                "JOIN geography_region r ON r.id = c.region_id WHERE c.archived_at IS NULL "
                "GROUP BY r.id ORDER BY COUNT(*) DESC LIMIT 1"
            ).fetchone()
            community = db.execute(
                "SELECT c.id FROM communities_community c WHERE c.region_id = %s "
                "AND c.archived_at IS NULL AND c.id IN (SELECT community_id FROM "
                "assessments_assessment) ORDER BY c.id LIMIT 1",
                [region],
            ).fetchone()[0]
            db.execute("VACUUM ANALYZE")
        pages = {
            "community list": f"/communities/?region={region}",
            "needs list": f"/needs/?region={region}",
            "assessment list": f"/assessments/?region={region}",
            "community profile": f"/communities/{community}/",
            "dashboard": "/",
            "place profile (region)": f"/places/{psgc}/",
        }
        # Each list against Django's admin changelist of the same rows and region filter.
        changelists = {
            "community list": "/admin/communities/community/"
            f"?municipality__region__id__exact={region}",
            "needs list": "/admin/assessments/need/"
            f"?assessment__community__region__id__exact={region}",
            "assessment list": "/admin/assessments/assessment/"
            f"?community__region__id__exact={region}",
        }

        port = free_port()
        web = Process(
            f"taskset -c 1 {procfile()['web']}", {**env, "PORT": str(port)}, name="bench-web"
        )
        base = f"http://127.0.0.1:{port}"
        web.wait_for_http(f"{base}/health/", timeout=120)
        viewer, administrator = Browserless(base), Browserless(base)
        viewer.sign_in("viewer", passwords["viewer"])
        administrator.sign_in("admin", passwords["admin"])
        figures["pages"] = {}
        for page, path in pages.items():
            times = timed(base, path, viewer.session_cookie, args.requests)
            figures["pages"][page] = times
            print(f"bench: {page} p50 {statistics.median(times):.1f} ms", flush=True)
        figures["changelists"] = {}
        for page, changelist in changelists.items():
            admin_times = timed(base, changelist, administrator.session_cookie, args.admin_requests)
            # The list again, right after its changelist: the same conditions for the ratio.
            again = timed(base, pages[page], viewer.session_cookie, args.admin_requests)
            figures["changelists"][page] = (admin_times, again)
            took = statistics.median(admin_times)
            print(f"bench: admin changelist for the {page} p50 {took:.1f} ms", flush=True)
        web.stop()
        web = None

        captured = manage("shell", "-c", CAPTURE_SQL.format(pages=json.dumps(pages)), env=env)
        assert captured.returncode == 0, captured.stderr[-4000:]
        captured = json.loads(captured.stdout.strip().splitlines()[-1])
        queries, figures["first"] = captured["queries"], captured["first"]
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
            figures["sql"] = {
                page: sql_time(db, sql, args.sql_runs) for page, sql in queries.items()
            }
        for kind in () if args.no_exports else ("csv", "xlsx"):
            result = manage("shell", "-c", EXPORT.format(kind=kind), env=env, timeout=3600)
            assert result.returncode == 0, result.stderr[-4000:]
            figures[kind] = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        if web is not None:
            web.stop()
        if not args.keep and not args.reuse:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"bench: database {name} kept")
    report(args, figures, short, in_region)


def report(args: argparse.Namespace, figures: dict, short: str, in_region: int) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"PostgreSQL on loopback, {args.communities:,} communities (seed_demo), "
        f"{int(figures['needs']):,} needs; web: Procfile line, 1 worker x 1 thread, core 1, "
        f"Redis cache and sessions; one connection, {args.requests} sequential requests a "
        f"page, signed in; region {short} ({in_region:,} current communities), 50 a page; "
        f"load average at the end {load} (2 cores, shared)"
    )
    rows = [("figure", "measured", "anchor")]
    rows.append(
        (f"seed_demo --communities {args.communities}", f"{figures['seed']:.0f} s", "< 180 s")
    )
    rows.append(("needs copied in bulk", f"{figures['needs_seconds']} s", "(set-up)"))
    for page, times in figures["pages"].items():
        rows.append(
            (
                f"{page}: p50 / p99",
                f"{statistics.median(times):.1f} / {percentile(times, 99):.1f} ms",
                "< 25 / < 100 ms",
            )
        )
    for page, (admin_times, list_times) in figures["changelists"].items():
        admin_rps = len(admin_times) / (sum(admin_times) / 1000)
        list_rps = len(list_times) / (sum(list_times) / 1000)
        rows.append(
            (
                "its admin changelist, same region (100 a page): p50 / p99",
                f"{statistics.median(admin_times):.1f} / {percentile(admin_times, 99):.1f} ms",
                "(the alternative)",
            )
        )
        rows.append(
            (
                f"{page} vs its admin changelist, throughput",
                f"{list_rps:.0f} vs {admin_rps:.0f} req/s = {list_rps / admin_rps:.1f}x",
                ">= 2x",
            )
        )
    for page, took in figures["first"].items():
        rows.append(
            (
                f"{page}: first view after a change, in-process",
                f"{took:.1f} ms",
                "(figures recomputed)",
            )
        )
    slowest = max(figures["sql"].items(), key=lambda item: item[1][0])
    for page, (total, _, _) in figures["sql"].items():
        rows.append((f"{page}: its SQL alone, p50", f"{total:.2f} ms", "< 5 ms"))
    for kind, anchor in (("csv", 20_000), ("xlsx", 5_000)):
        if kind not in figures:
            continue
        result = figures[kind]
        rate = result["rows"] / result["seconds"]
        rows.append(
            (
                f"export {kind.upper()}, {result['rows']:,} rows",
                f"{rate:,.0f} rows/s, +{result['growth_kib'] / 1024:.1f} MB peak",
                f">= {anchor:,} rows/s, < 60 MB",
            )
        )
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip())
    page, (_, sql, plan) = slowest
    print(f"\nThe slowest query of the slowest page's SQL ({page}):\n{sql}\n{plan}")


if __name__ == "__main__":
    main()
