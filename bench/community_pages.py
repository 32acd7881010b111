"""The community list and profile page at 10,000 communities on PostgreSQL, and the history
table's growth per edit, for this tree and (``--before REF``) a commit before it, same machine,
same run.

    .venv/bin/python -m bench.community_pages [--before 9926640] [--communities 10000]

For each tree: a new database, ``release``, ``seed_demo --communities N``, then edits through
the real edit page (Django's test client against the tree's own view: one field changed, then
four), counting the rows and bytes the history table gains; then the Procfile's web line
(2 workers x 4 threads on core 1; wrk on core 0) serves, signed in as the viewer:

- the list, region X, 50 a page;
- the profile page of an edited community with an assessment and an engagement.

p50/p99 at 1 and 4 connections; both trees serve at once and take turns under wrk, round after
round, so that the shifting load of a shared machine weighs on both alike. The older tree is a
``git archive`` of REF run with this virtualenv (the dependencies are the same).
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shlex
import shutil
import statistics
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.load import wrk
from tests.support.processes import REPO, Browserless, Process, base_env, free_port, run

EDIT_SCRIPT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.contrib.auth import get_user_model
from obcms.communities.models import Community

setup_test_environment()  # responses carry their context (the form to fill in)
TABLE = {table!r}
client = Client(HTTP_HOST="localhost")
client.force_login(get_user_model().objects.get(username="encoder"))


def measure():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_total_relation_size('{{TABLE}}'), count(*), coalesce(max(id), 0) "
            f"FROM {{TABLE}}"
        )
        return cursor.fetchone()


def row_bytes(after_id):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {{TABLE}} t WHERE id > %s",
            [after_id],
        )
        return cursor.fetchone()[0]


def fields(form):
    data = {{}}
    for name in form.fields:
        value = form[name].value()
        data[form.add_prefix(name)] = "" if value is None else value
    return data


def edit(pk, changes):
    url = f"/communities/{{pk}}/edit/"
    page = client.get(url, secure=True)
    data = fields(page.context["form"])
    contacts = page.context.get("contacts")  # the older tree edits contacts in the same form
    if contacts is not None:
        data.update(fields(contacts.management_form))
        for form in contacts.forms:
            data.update(fields(form))
    data.update(changes)
    response = client.post(url, data, secure=True)
    assert response.status_code == 302, response.context["form"].errors


current = Community.objects.order_by("pk")
if hasattr(Community, "archived_at"):  # archived profiles are read-only
    current = current.filter(archived_at__isnull=True)
ids = list(current.values_list("pk", flat=True)[: {edits}])
results = {{}}
for kind, changes in (
    ("1 field", lambda i: {{"population": 5000 + i}}),
    ("4 fields", lambda i: {{
        "population": 6000 + i, "households": 900 + i % 7,
        "notes": f"Validated on visit {{i}}", "verification": ("verified", "needs_review")[i % 2],
    }}),
):
    size, rows, last = measure()
    for i, pk in enumerate(ids):
        edit(pk, changes(i))
    new_size, new_rows, _ = measure()
    results[kind] = {{
        "edits": len(ids), "rows": new_rows - rows, "bytes": new_size - size,
        "row_bytes": row_bytes(last),
    }}
print(json.dumps(results))
"""

CHOOSE_COMMUNITY = """
SELECT c.id FROM communities_community c
WHERE c.id IN (SELECT community_id FROM assessments_assessment)
  AND c.id IN (SELECT community_id FROM coordination_engagement)
ORDER BY c.id > (SELECT max(id) FROM (SELECT id FROM communities_community ORDER BY id LIMIT %s) e),
  c.id
LIMIT 1
"""


def tree_of(ref: str) -> Path:
    """``ref`` exported (git archive) into a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="obcms-bench-tree-"))
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=REPO, capture_output=True, check=True
    ).stdout
    archive_path = folder / "tree.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(folder / "tree", filter="data")
    return folder / "tree"


def manage(tree: Path, env: dict, *args: str, timeout: float = 1800) -> str:
    result = run(shlex.join(["python", "manage.py", *args]), env, timeout, cwd=tree)
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-4000:]}"
    return result.stdout


def web_line(tree: Path) -> str:
    for line in (tree / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.partition(":")[2].strip()
    raise SystemExit(f"no web line in {tree / 'Procfile'}")


def prepare(
    tree: Path, args: argparse.Namespace, admin: psycopg.Connection, prepared: dict
) -> None:
    """Fill ``prepared`` with a seeded database for ``tree``, its history growth and its web
    process, serving; the caller stops ``web`` and drops ``database`` (also after a failure
    half-way, which is why it is filled in place)."""
    name = f"obcms_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    prepared.update(database=name, web=None)
    env = base_env(
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=urlunsplit(urlsplit(args.database)._replace(path=f"/{name}")),
        DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        GUNICORN_MAX_REQUESTS="0",
        LOG_LEVEL="warning",
    )
    manage(tree, env, "release")
    manage(tree, env, "collectstatic", "--noinput", "-v0")
    seeded = manage(tree, env, "seed_demo", "--force", "--communities", str(args.communities))
    password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded).group(1)
    newer = (tree / "obcms" / "records").exists()
    prepared["table"] = table = "auditlog_logentry" if newer else "communities_communitychange"
    script = EDIT_SCRIPT.format(table=table, edits=args.edits)
    prepared["growth"] = json.loads(manage(tree, env, "shell", "-c", script).splitlines()[-1])
    with psycopg.connect(env["DATABASE_URL"]) as db:
        region = db.execute("SELECT id FROM geography_region WHERE short_name = 'X'")
        region = region.fetchone()[0]
        community = db.execute(CHOOSE_COMMUNITY, [args.edits]).fetchone()[0]
        db.execute("ANALYZE")

    port = free_port()
    prepared["web"] = web = Process(
        f"taskset -c 1 {web_line(tree)}", {**env, "PORT": str(port)}, name="bench-web", cwd=tree
    )
    base = f"http://127.0.0.1:{port}"
    web.wait_for_http(f"{base}/health/", timeout=60)
    client = Browserless(base)
    client.sign_in("viewer", password)
    prepared["headers"] = {"X-Forwarded-Proto": "https", "Cookie": client.session_cookie}
    prepared["pages"] = {
        "list": f"{base}/communities/?region={region}",
        "profile": f"{base}/communities/{community}/",
    }
    for url in prepared["pages"].values():
        status, _, _ = client.request("GET", url.removeprefix(base))
        assert status == 200, (url, status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", help="a git ref to measure too, e.g. the merge base")
    parser.add_argument("--communities", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=200, help="edits of each kind")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per tree")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    trees = {}
    if args.before:
        trees[f"before ({args.before})"] = tree_of(args.before)
    trees["this tree"] = REPO
    admin = psycopg.connect(args.database, autocommit=True)
    prepared: dict[str, dict] = {}
    runs: dict[tuple[str, str, int], list[dict]] = {}
    try:
        for label, tree in trees.items():
            prepare(tree, args, admin, prepared.setdefault(label, {}))
        # The trees take turns, round after round, so that the load of a shared machine
        # weighs on both alike; the figures are the medians over the rounds.
        for _ in range(args.rounds):
            for page in ("list", "profile"):
                for n in (1, 4):
                    for label, tree in prepared.items():
                        figures = wrk(tree["pages"][page], args.duration, n, tree["headers"])
                        runs.setdefault((label, page, n), []).append(figures)
    finally:
        for tree in prepared.values():
            if tree.get("web") is not None:
                tree["web"].stop()
            if tree.get("database"):
                admin.execute(f'DROP DATABASE IF EXISTS "{tree["database"]}" WITH (FORCE)')
        for tree in trees.values():
            if tree != REPO:
                shutil.rmtree(tree.parent, ignore_errors=True)

    print(
        f"PostgreSQL on loopback, {args.communities} communities (seed_demo); web: Procfile "
        "line, 2 workers x 4 threads, core 1; wrk on core 0, signed in as the viewer; "
        f"medians of {args.rounds} alternating rounds of {args.duration} s"
    )
    for (label, page, n), figures in runs.items():
        what = "list, region X, 50 a page" if page == "list" else "profile page"
        p50 = statistics.median(f["p50"] for f in figures)
        p99 = statistics.median(f["p99"] for f in figures)
        rps = statistics.median(f["rps"] for f in figures)
        errors = sum(f["non2xx"] for f in figures)
        print(
            f"{label}: community {what}, {n} connection(s): p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms, {rps:.0f} req/s, non-2xx {errors}"
        )
    for label, tree in prepared.items():
        for kind, grown in tree["growth"].items():
            print(
                f"{label}: history ({tree['table']}) per edit of {kind}: "
                f"{grown['rows'] / grown['edits']:.2f} row(s), "
                f"{grown['row_bytes'] / grown['edits']:.0f} bytes of row data, "
                f"{grown['bytes'] / grown['edits']:.0f} bytes of table and indexes "
                f"({grown['edits']} edits through the edit page)"
            )


if __name__ == "__main__":
    main()
