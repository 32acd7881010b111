"""The needs register and the PPA list at scale, on PostgreSQL.

    .venv/bin/python -m bench.chain [--communities 10000] [--needs 50000] [--ppas 10000]

A new database, ``release``, ``seed_demo --communities N``, then needs and PPAs topped up in
bulk to the counts asked (copies of the seeded ones, spread over every community and region)
and ANALYZE. The Procfile's web line (2 workers x 4 threads on core 1; wrk on core 0) serves,
signed in as the viewer:

- the needs list filtered by region X, 50 a page, with its totals (count, people, cost, by
  sector);
- the PPA list, unfiltered, 50 a page, with its totals by fiscal year, sector and region.

p50/p99 at 1 and 4 connections.
"""

from __future__ import annotations

import argparse
import re
import secrets
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.load import wrk
from tests.support.processes import Browserless, Process, base_env, free_port, manage, procfile

TOP_UP = """
import random
from decimal import Decimal
from django.db import connection
from obcms.assessments.models import Assessment, Need
from obcms.geography.models import Region
from obcms.ppas.models import PPA

rng = random.Random(5)
assessments = list(Assessment.objects.values_list("pk", flat=True))
sectors, urgencies = Need.Sector.values, Need.Urgency.values
statuses = ["identified", "validated", "prioritized", "deferred", "planned"]
missing = {needs} - Need.objects.count()
batch = []
for i in range(max(0, missing)):
    batch.append(Need(assessment_id=rng.choice(assessments), sector=rng.choice(sectors),
                      description="Bench need", priority=rng.randint(1, 3),
                      urgency=rng.choice(urgencies), status=rng.choice(statuses),
                      beneficiaries=rng.randint(10, 800), households=rng.randint(2, 150),
                      estimated_cost=Decimal(rng.randint(50, 5000) * 1000)))
    if len(batch) == 5000:
        Need.objects.bulk_create(batch); batch = []
Need.objects.bulk_create(batch)
regions = list(Region.objects.values_list("pk", flat=True))
missing = {ppas} - PPA.objects.count()
batch = []
for i in range(max(0, missing)):
    kind = rng.choice(PPA.Kind.values)
    batch.append(PPA(kind=kind, title=f"Bench PPA {{i}}", sector=rng.choice(sectors),
                     region_id=rng.choice(regions), fiscal_year=rng.choice([2025, 2026, 2027]),
                     budget_allocated=Decimal(rng.randint(100, 90000) * 100),
                     budget_spent=Decimal(rng.randint(0, 100) * 100),
                     status="submitted" if kind == "obc_request" else "planned"))
    if len(batch) == 5000:
        PPA.objects.bulk_create(batch); batch = []
PPA.objects.bulk_create(batch)
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(Need.objects.count(), PPA.objects.count())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=50_000)
    parser.add_argument("--ppas", type=int, default=10_000)
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
    results = {}
    try:
        assert manage("release", env=env).returncode == 0
        started = time.monotonic()
        seeded = manage(
            "seed_demo", "--force", "--communities", str(args.communities), env=env, timeout=3600
        )
        assert seeded.returncode == 0, seeded.stderr
        seed_seconds = time.monotonic() - started
        password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
        script = TOP_UP.format(needs=args.needs, ppas=args.ppas)
        topped = manage("shell", "-c", script, env=env, timeout=3600)
        assert topped.returncode == 0, topped.stderr
        counts = topped.stdout.strip().splitlines()[-1]
        with psycopg.connect(env["DATABASE_URL"]) as db:
            region = db.execute(
                "SELECT id FROM geography_region WHERE short_name = 'X'"
            ).fetchone()[0]
            in_region = db.execute(
                "SELECT count(*) FROM assessments_need n JOIN assessments_assessment a "
                "ON a.id = n.assessment_id JOIN communities_community c ON c.id = a.community_id "
                "JOIN geography_municipality m ON m.id = c.municipality_id WHERE m.region_id = %s",
                [region],
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
            headers = {"X-Forwarded-Proto": "https", "Cookie": client.session_cookie}
            for label, url in (
                (f"needs, region X ({in_region} needs), with totals", f"/needs/?region={region}"),
                ("PPAs, all, with totals", "/ppas/"),
            ):
                results[label] = {n: wrk(base + url, args.duration, n, headers) for n in (1, 4)}
        finally:
            web.stop()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(
        "PostgreSQL on loopback; web: Procfile line, 2 workers x 4 threads, core 1; wrk on core 0"
    )
    print(f"seed_demo --communities {args.communities}: {seed_seconds:.1f} s")
    print(f"needs, PPAs: {counts}")
    print("| page | connections | req/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|---|")
    for label, by_connections in results.items():
        for n, f in by_connections.items():
            print(
                f"| {label} | {n} | {f['rps']:.1f} | {f['p50']:.1f} | {f['p99']:.1f} "
                f"| {f['non2xx']} |"
            )


if __name__ == "__main__":
    main()
