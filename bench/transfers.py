"""The CSV import and the CSV and XLSX exports at national scale (issue 19), each figure printed
beside its anchor in the same run.

    .venv/bin/python -m bench.transfers [--communities 100000] [--rows 20000]
        [--database postgres://postgres@127.0.0.1:5432/postgres] [--keep | --reuse NAME]
        [--tree PATH]

1. A database with ``--communities`` communities (``release`` and ``seed_demo``; ``--keep``
   keeps it, ``--reuse`` takes one kept before, or one kept by bench/scale.py).
2. The import as the worker runs it (``process_import``: the job rules, batches, history): a
   file of ``--rows`` valid rows (the import's cap is 20,000), names new to the database,
   barangays and terms spread over the seeded ones, a third of the profile filled. Seconds
   until the job is done (its ``finished_at``) and rows per second (anchor: 20,000 rows in
   under 10 s), then the whole task (the planner statistics refreshed after the job is done),
   with the CPU seconds of the worker and of its database backend. The imported rows are
   deleted afterwards, so that runs can follow each other on one database.
3. The export of every community as the worker builds it (``build_export``: the list's
   filter, the count, the rows, the file written and stored), CSV then XLSX, each in a
   process of its own: rows per second (anchors 20,000 and 5,000) and the peak memory growth
   over the process warmed up (Django set up, openpyxl loaded; anchor: under 60 MB).

``--tree`` runs the same measures against another checkout (the code before a change, for
one), with this bench's own scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.support.processes import REPO, base_env, run

# Both scripts time the CPU of their connection's PostgreSQL backend (a local server).
DATABASE_CPU = """def database_cpu():
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
"""

IMPORT = """
import csv, io, json, os, random, resource, time

{database_cpu}
from django.core.files.base import ContentFile
from django.contrib.auth import get_user_model
from obcms.communities.models import Community, EthnolinguisticGroup, Language, Livelihood
from obcms.geography.models import Barangay
from obcms.reports.models import Import
from obcms.reports.tasks import process_import
rows, token = {rows}, {token!r}
random.seed(19)
codes = list(Barangay.objects.values_list("psgc_code", flat=True))
groups = list(EthnolinguisticGroup.objects.values_list("name", flat=True))
languages = list(Language.objects.values_list("name", flat=True))
livelihoods = list(Livelihood.objects.values_list("name", flat=True))
out = io.StringIO()
writer = csv.writer(out)
writer.writerow(["name", "barangay_psgc", "population", "households", "families", "women",
                 "settlement_type", "access_health_care", "access_potable_water", "latitude",
                 "longitude", "ethnolinguistic_groups", "languages", "livelihoods",
                 "challenges", "verification"])
for n in range(rows):
    population = random.randint(100, 5000)
    writer.writerow([f"Bench {{token}} {{n}}", random.choice(codes), population,
                     population // 5, population // 6, population // 2, "Coastal", "Fair",
                     "poor", f"{{random.uniform(5, 9):.6f}}", f"{{random.uniform(120, 126):.6f}}",
                     ", ".join(random.sample(groups, 2)), random.choice(languages),
                     random.choice(livelihoods), "Flooding in the rainy season", "Unverified"])
content = out.getvalue().encode()
user = get_user_model().objects.get(username="encoder")
job = Import.objects.create(user=user, file=ContentFile(content, name="bench.csv"))
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from django.utils import timezone
began = timezone.now()
started, cpu, db = time.perf_counter(), time.process_time(), database_cpu()
process_import(job.pk)  # what the worker runs
took, cpu, db = time.perf_counter() - started, time.process_time() - cpu, database_cpu() - db
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
job.refresh_from_db()
done = (job.finished_at - began).total_seconds()
print(json.dumps({{"rows": job.total, "done": done, "created": job.created_count,
                  "errors": len(job.errors),
                  "status": job.status, "message": job.message, "seconds": took, "cpu": cpu,
                  "db": db, "bytes": len(content), "growth_kib": peak - baseline, "job": job.pk}}))
"""

# The rows of one import gone again (its communities, their terms and history), in SQL: the
# ORM would write a history entry per deletion.
FORGET = """
DELETE FROM auditlog_logentry WHERE cid = %(cid)s;
DELETE FROM communities_community_ethnolinguistic_groups WHERE community_id IN
    (SELECT id FROM communities_community WHERE name LIKE %(names)s);
DELETE FROM communities_community_languages WHERE community_id IN
    (SELECT id FROM communities_community WHERE name LIKE %(names)s);
DELETE FROM communities_community_livelihoods WHERE community_id IN
    (SELECT id FROM communities_community WHERE name LIKE %(names)s);
DELETE FROM communities_community WHERE name LIKE %(names)s;
"""

EXPORT = """
import json, os, resource, time

{database_cpu}
import openpyxl  # loaded before the baseline, as in a warm worker
from django.contrib.auth import get_user_model
from obcms.communities.models import Community
from obcms.reports.models import Export
from obcms.reports.tasks import build_export
Community.objects.first()  # the connection open
user = get_user_model().objects.get(username="viewer")
export = Export.objects.create(user=user, format={kind!r}, filters={{}})
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu, db = time.perf_counter(), time.process_time(), database_cpu()
build_export(export.pk)  # what the worker runs
took, cpu, db = time.perf_counter() - started, time.process_time() - cpu, database_cpu() - db
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
export.refresh_from_db()
size = export.file.size
export.file.delete(save=False)
print(json.dumps({{"rows": export.processed, "status": export.status, "seconds": took,
                  "cpu": cpu, "db": db,
                  "growth_kib": peak - baseline, "bytes": size}}))
"""


def shell(script: str, env: dict[str, str], tree: Path, timeout: float = 3600) -> dict:
    """Run ``script`` in ``manage.py shell`` of ``tree``; its last line, as JSON."""
    result = run(f"python manage.py shell -c {shlex.quote(script)}", env, timeout, cwd=tree)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the imported file")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", help="a database kept (--keep) by an earlier run: no seeding")
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout to measure")
    parser.add_argument("--skip", choices=("import", "exports"), action="append", default=[])
    args = parser.parse_args()

    name = args.reuse or f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    if not args.reuse:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = urlunsplit(urlsplit(args.database)._replace(path=f"/{name}"))
    env = base_env(
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=database,
        DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
        LOG_LEVEL="warning",
    )
    env["PATH"] = f"{args.tree / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    figures: dict = {}
    try:
        if not args.reuse:
            for command in ("release", f"seed_demo --force --communities {args.communities}"):
                done = run(f"python manage.py {command}", env, 3600, cwd=args.tree)
                assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        with psycopg.connect(database, autocommit=True) as db:
            db.execute("VACUUM ANALYZE")
            figures["communities"] = db.execute(
                "SELECT count(*) FROM communities_community"
            ).fetchone()[0]
        if "import" not in args.skip:
            token = secrets.token_hex(3)
            figures["import"] = shell(
                IMPORT.format(rows=args.rows, token=token, database_cpu=DATABASE_CPU),
                env,
                args.tree,
            )
            with psycopg.connect(database, autocommit=True) as db:
                params = {"cid": f"import #{figures['import']['job']}", "names": f"Bench {token} %"}
                for statement in filter(str.strip, FORGET.split(";")):
                    db.execute(statement, params)
        if "exports" not in args.skip:
            for kind in ("csv", "xlsx"):
                figures[kind] = shell(
                    EXPORT.format(kind=kind, database_cpu=DATABASE_CPU), env, args.tree
                )
    finally:
        if not args.keep and not args.reuse:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"bench: database {name} kept")
    report(args, figures)


def report(args: argparse.Namespace, figures: dict) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"PostgreSQL on loopback, {figures['communities']:,} communities; the worker's own "
        f"task functions (process_import, build_export) in one process each; tree {args.tree}; "
        f"load average at the end {load} (2 cores, shared)"
    )
    rows = [("figure", "measured", "anchor")]
    if "import" in figures:
        done = figures["import"]
        assert done["status"] == "done" and done["errors"] == 0, done
        rate = done["rows"] / done["done"]
        rows.append(
            (
                f"import CSV, {done['rows']:,} valid rows ({done['bytes'] / 1e6:.1f} MB): job done",
                f"{done['done']:.1f} s = {rate:,.0f} rows/s",
                "20,000 rows < 10 s",
            )
        )
        rows.append(
            (
                "  the task, with ANALYZE after the job is done",
                f"{done['seconds']:.1f} s (CPU: worker {done['cpu']:.1f} s, "
                f"database {done['db']:.1f} s), +{done['growth_kib'] / 1024:.0f} MB",
                "(time limit 282 s)",
            )
        )
    for kind, anchor in (("csv", 20_000), ("xlsx", 5_000)):
        if kind in figures:
            result = figures[kind]
            assert result["status"] == "done", result
            rate = result["rows"] / result["seconds"]
            rows.append(
                (
                    f"export {kind.upper()}, {result['rows']:,} rows "
                    f"({result['bytes'] / 1e6:.1f} MB)",
                    f"{rate:,.0f} rows/s (CPU: worker {result['cpu']:.1f} s, "
                    f"database {result['db']:.1f} s), "
                    f"+{result['growth_kib'] / 1024:.1f} MB peak",
                    f">= {anchor:,} rows/s, < 60 MB",
                )
            )
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip())


if __name__ == "__main__":
    main()
