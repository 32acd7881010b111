"""Cold start, memory and shutdown of the Procfile's web line, beside a bare Django project.

    .venv/bin/python -m bench.web_startup [--runs 5] [--database URL] [--redis URL]

The bare project is ``django-admin startproject`` plus the Celery app cookiecutter-django
generates (``config/celery_app.py``: ``Celery(...)``, ``config_from_object("django.conf:settings",
namespace="CELERY")``, ``autodiscover_tasks()``, imported by the package's ``__init__``), so both
load Django and Celery at import. obcms runs its Procfile line (gunicorn.conf.py), the bare
project the same knobs as flags (2 gthread workers x 4 threads, ``--preload``), alternately,
in one run, twice:

1. On the embedded defaults (SQLite, local-memory cache; the bare project as generated):
   the probe is obcms's /health/ and the bare project's start page, the page is the sign-in
   page and the start page, nobody signed in.
2. On PostgreSQL and Redis, as deployed (the bare project with cookiecutter-django's production
   shape: DEBUG off, the database from DATABASE_URL, django-redis as the cache, Redis as
   Celery's broker): the probe is /health/ and the admin's sign-in page; after it, a user
   signs in and the page is a signed-in one, obcms's dashboard and the admin's index, so both
   query the database and read the session as staff do all day.

Figures: spawn to the first 200 of the probe (what a platform's health check waits for); spawn
to the first 200 of the page; memory of master + workers once both workers served the page
(80 requests, 8 at a time) as PSS (``/proc/<pid>/smaps_rollup``: pages shared after the
preload's fork count once, split between the processes) and, for reference, RSS (which counts
them in every process); idle SIGTERM to exit; and, for reference, the Python heap each master
holds once the app is preloaded (tracemalloc), which the workers share and copy page by page
as they touch it, so that the PSS ratio follows the heap's. Anchors (issue 19): cold start
within 1.5x of the bare project's, PSS within 1.2x.

Both run as a deploy runs them: from a virtualenv of the production lock alone
(requirements.txt, made once per lock under var/bench/; the development lock adds packages that
DRF and others import when present, requests, jinja2 and pygments among them, which no deploy
has), and from copies of both projects compiled to bytecode as the nixpacks build compiles
ours (nixpacks.toml; its images set PYTHONDONTWRITEBYTECODE, so nothing is compiled at run time
and uncompiled code would be compiled again at every start).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests.platforms.builds import copy_repository
from tests.support.processes import REPO, Browserless, Process, base_env, free_port, procfile

CELERY_APP = """import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")

app = Celery("bare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
"""
CELERY_INIT = """from .celery_app import app as celery_app

__all__ = ("celery_app",)
"""
# cookiecutter-django's production settings, the parts that decide what a web process loads.
BARE_DEPLOYED = """import os

import dj_database_url

from .settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["localhost"]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "IGNORE_EXCEPTIONS": True},
    }
}
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = os.environ["REDIS_URL"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
"""
BARE_CMD = (
    "gunicorn --bind 0.0.0.0:$PORT --worker-class gthread --workers 2 --threads 4 "
    "--preload --access-logfile - bare.wsgi"
)
SUPERUSER = (
    "from django.contrib.auth import get_user_model; "
    "get_user_model().objects.create_superuser('bench', 'bench@example.org', {password!r})"
)


@dataclass
class Line:
    label: str
    command: str
    env: dict[str, str]
    probe: str
    page: str
    cwd: Path
    sign_in: str = ""  # the sign-in page, when the page is for a signed-in user
    samples: list[tuple[float, float, int, int, float]] = field(default_factory=list)
    heap: tuple[int, int] = (0, 0)  # bytes and objects of the master's Python heap


HEAP = (
    "import gc, importlib, sys, tracemalloc, gunicorn.app.wsgiapp; "
    "importlib.import_module(sys.argv[1]); "
    "print(tracemalloc.get_traced_memory()[0], len(gc.get_objects()))"
)


def preloaded_heap(line: Line) -> tuple[int, int]:
    """What the master's Python heap holds once gunicorn preloaded the line's app: bytes
    allocated (tracemalloc) and objects the collector tracks. The workers share these pages
    after the fork and copy each one they touch (a reference count is a write), so PSS
    follows this figure, whatever the worker settings."""
    module = line.command.split()[-1]
    done = subprocess.run(
        ["python", "-X", "tracemalloc", "-c", HEAP, module],
        cwd=line.cwd,
        env={**line.env, "PYTHONPATH": str(line.cwd)},
        capture_output=True,
        text=True,
        check=True,
    )
    size, objects = done.stdout.split()[-2:]
    return int(size), int(objects)


def production_venv() -> Path:
    """A virtualenv with requirements.txt alone, made once per version of the lock."""
    lock = REPO / "requirements.txt"
    venv = REPO / "var" / "bench" / f"venv-{hashlib.sha256(lock.read_bytes()).hexdigest()[:12]}"
    if not (venv / ".installed").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--require-hashes", "-r", lock], check=True)
        (venv / ".installed").touch()
    return venv


def compile_tree(python: Path, tree: Path) -> None:
    """As the build does (nixpacks.toml): hash-checked bytecode, valid whatever the files'
    timestamps."""
    command = [python, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", "."]
    subprocess.run(command, cwd=tree, check=True)


def gunicorn_pids(pid: int) -> list[int]:
    """``pid`` and its descendants that run gunicorn (the master and its workers; not the
    bash that leads a compound command)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    own = [pid] if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes() else []
    return own + [found for child in children.split() for found in gunicorn_pids(int(child))]


def memory_kib(pids: list[int]) -> tuple[int, int]:
    """Total PSS and total RSS of ``pids``, in KiB."""
    pss = rss = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return pss, rss


def wait_for_200(process: Process, client: Browserless, path: str, timeout: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not process.alive():
            raise AssertionError(f"{process.name} exited:\n{process.output[-3000:]}")
        try:
            if client.request("GET", path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError(f"no 200 from {path} in {timeout}s:\n{process.output[-3000:]}")


def measure(line: Line, password: str) -> tuple[float, float, int, int, float]:
    """Spawn to the probe's first 200, spawn to the page's first 200 (signed in first, if the
    line says so), PSS and RSS once both workers served the page, idle SIGTERM to exit."""
    port = free_port()
    env = {**line.env, "PORT": str(port)}
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    process = Process(line.command.replace("$PORT", str(port)), env, name="bench-web", cwd=line.cwd)
    try:
        wait_for_200(process, Browserless(base), line.probe, timeout=60)
        cold = time.monotonic() - started
        client = Browserless(base)
        if line.sign_in:
            client.sign_in("bench", password, path=line.sign_in)
        wait_for_200(process, client, line.page, timeout=60)
        first_page = time.monotonic() - started
        # Eight at a time, so that both workers serve the page (and load what it needs).
        with ThreadPoolExecutor(8) as pool:
            statuses = set(pool.map(lambda _: client.request("GET", line.page)[0], range(80)))
        assert statuses == {200}, statuses
        time.sleep(0.5)
        pids = gunicorn_pids(process.pid)
        assert len(pids) == 3, f"master and 2 workers expected, found {pids}"
        pss, rss = memory_kib(pids)
        stop_started = time.monotonic()
        process.signal(signal.SIGTERM)
        process.wait(30)
        stop = time.monotonic() - stop_started
    finally:
        process.stop()
    return cold, first_page, pss, rss, stop


def bare_project(workdir: Path, venv: Path) -> Path:
    tree = workdir / "bare-project"
    tree.mkdir()
    subprocess.run([venv / "bin" / "django-admin", "startproject", "bare", tree], check=True)
    (tree / "bare" / "celery_app.py").write_text(CELERY_APP)
    (tree / "bare" / "__init__.py").write_text(CELERY_INIT)
    (tree / "bare" / "settings_deployed.py").write_text(BARE_DEPLOYED)
    return tree


def manage(venv: Path, tree: Path, env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [venv / "bin" / "python", "manage.py", *args], cwd=tree, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def report(title: str, lines: list[Line]) -> None:
    rows = [
        (line.label, *(statistics.median(s[i] for s in line.samples) for i in range(5)))
        for line in lines
    ]
    print(f"\n{title}")
    print(
        f"{'':20} {'cold start':>12} {'first page':>12} {'PSS (3 procs)':>14} "
        f"{'RSS (3 procs)':>14} {'SIGTERM->exit':>14}"
    )
    for label, cold, page, pss, rss, stop in rows:
        print(
            f"{label:20} {cold * 1000:>9.0f} ms {page * 1000:>9.0f} ms {pss / 1024:>10.1f} MiB "
            f"{rss / 1024:>10.1f} MiB {stop * 1000:>11.0f} ms"
        )
    (_, bare_cold, bare_page, bare_pss, bare_rss, _), (_, cold, page, pss, rss, _) = rows
    print(f"ratio obcms/bare: cold start {cold / bare_cold:.2f}x (anchor: within 1.5x)")
    print(f"ratio obcms/bare: first page {page / bare_page:.2f}x (for reference)")
    print(f"ratio obcms/bare: PSS        {pss / bare_pss:.2f}x (anchor: within 1.2x)")
    print(f"ratio obcms/bare: RSS        {rss / bare_rss:.2f}x (for reference)")
    (bare_heap, bare_objects), (heap, objects) = (line.heap for line in lines)
    print(
        f"master's Python heap after the preload: bare {bare_heap / 2**20:.1f} MiB "
        f"({bare_objects:,} objects), obcms {heap / 2**20:.1f} MiB ({objects:,} objects): "
        f"{heap / bare_heap:.2f}x (for reference: PSS follows it)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"))
    args = parser.parse_args()

    venv = production_venv()
    workdir = Path(tempfile.mkdtemp(prefix="obcms-bench-"))
    databases = [f"obcms_bench_{secrets.token_hex(4)}" for _ in range(2)]
    admin = psycopg.connect(args.database, autocommit=True)
    password = secrets.token_urlsafe(16)
    try:
        bare = bare_project(workdir, venv)
        app = copy_repository(workdir / "obcms")
        for tree in (bare, app):
            compile_tree(venv / "bin" / "python", tree)
        common = base_env(WEB_CONCURRENCY="2", GUNICORN_THREADS="4")
        common["PATH"] = f"{venv / 'bin'}{os.pathsep}{common['PATH']}"
        # Each project runs from its own folder: gunicorn reads ./gunicorn.conf.py, and ours
        # imports the obcms package (for its environment reader), whose __init__ loads
        # obcms's Celery app and names obcms.settings as DJANGO_SETTINGS_MODULE: run from
        # the repository, the "bare" project served obcms.
        obcms_env = {
            **common,
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "localhost",
            "DATA_DIR": str(workdir / "var"),
        }
        manage(venv, app, obcms_env, "collectstatic", "--noinput", "-v0")
        for name in databases:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = args.database.rsplit("/", 1)[0]
        deployed_bare = {
            **common,
            "DJANGO_SETTINGS_MODULE": "bare.settings_deployed",
            "DATABASE_URL": f"{url}/{databases[0]}",
            "REDIS_URL": args.redis,
        }
        deployed_obcms = {
            **obcms_env,
            "DATABASE_URL": f"{url}/{databases[1]}",
            "REDIS_URL": args.redis,
        }
        for tree, env, migrate in (
            (bare, deployed_bare, "migrate"),
            (app, deployed_obcms, "release"),
        ):
            manage(venv, tree, env, migrate)
            manage(venv, tree, env, "shell", "-c", SUPERUSER.format(password=password))
        embedded = [
            Line("bare + Celery app", BARE_CMD, common, "/", "/", bare),
            Line(
                "obcms web line", procfile()["web"], obcms_env, "/health/", "/accounts/login/", app
            ),
        ]
        deployed = [
            Line(
                "bare + Celery app",
                BARE_CMD,
                deployed_bare,
                "/admin/login/",
                "/admin/",
                bare,
                "/admin/login/",
            ),
            Line(
                "obcms web line",
                procfile()["web"],
                deployed_obcms,
                "/health/",
                "/",
                app,
                "/accounts/login/",
            ),
        ]
        for line in embedded + deployed:
            line.heap = preloaded_heap(line)
        for _ in range(args.runs):  # alternately, so that all see the same load on the machine
            for line in embedded + deployed:
                line.samples.append(measure(line, password))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        for name in databases:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"2 gthread workers x 4 threads, preloaded; median of {args.runs} runs each, "
        f"alternating; load average {load}"
    )
    report("1. Embedded defaults (SQLite, local memory), nobody signed in", embedded)
    report("2. PostgreSQL and Redis as deployed, signed in (dashboard; admin index)", deployed)


if __name__ == "__main__":
    main()
