"""Cold start, memory and shutdown of the Procfile's web line, beside a bare Django project.

    .venv/bin/python -m bench.web_startup [--runs 5]

The bare project is ``django-admin startproject`` plus the Celery app cookiecutter-django
generates (``config/celery_app.py``: ``Celery(...)``, ``config_from_object("django.conf:settings",
namespace="CELERY")``, ``autodiscover_tasks()``, imported by the package's ``__init__``), so both
load Django and Celery at import. obcms runs its Procfile line (gunicorn.conf.py), the bare
project the same knobs as flags (2 gthread workers x 4 threads, ``--preload``), alternately,
in one run. Figures: spawn to the first 200 of the probe (obcms's /health/, the bare
project's start page: what a platform's health check waits for); spawn to the first 200 of
a page through the URL map (the sign-in page; the start page); memory of master + workers
once both workers served that page (80 requests, 8 at a time) as PSS
(``/proc/<pid>/smaps_rollup``: pages shared after the preload's fork count once, split
between the processes) and, for reference, RSS (which counts them in every process); idle
SIGTERM to exit. Anchors (issue 19): cold start within 1.5x of the bare project's, PSS within 1.2x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.processes import REPO, Process, base_env, free_port, http_get, procfile

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


def wait_for_200(process: Process, url: str, timeout: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not process.alive():
            raise AssertionError(f"{process.name} exited:\n{process.output[-3000:]}")
        try:
            headers = {"X-Forwarded-Proto": "https"}
            if http_get(url, host="localhost", headers=headers, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError(f"no 200 from {url} in {timeout}s:\n{process.output[-3000:]}")


def measure(
    command: str, env: dict[str, str], probe: str, page: str, cwd: Path
) -> tuple[float, float, int, int, float]:
    """Spawn to the probe's first 200, spawn to the page's first 200, PSS and RSS once both
    workers served the page, idle SIGTERM to exit."""
    port = free_port()
    env = {**env, "PORT": str(port)}
    started = time.monotonic()
    process = Process(command.replace("$PORT", str(port)), env, name="bench-web", cwd=cwd)
    try:
        wait_for_200(process, f"http://127.0.0.1:{port}{probe}", timeout=60)
        cold = time.monotonic() - started
        wait_for_200(process, f"http://127.0.0.1:{port}{page}", timeout=60)
        first_page = time.monotonic() - started
        # Eight at a time, so that both workers serve the page (and load what it needs).
        with ThreadPoolExecutor(8) as pool:
            statuses = set(pool.map(lambda _: get(port, page), range(80)))
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


def get(port: int, path: str) -> int:
    # X-Forwarded-Proto as from the platform's router: obcms redirects plain http.
    headers = {"X-Forwarded-Proto": "https"}
    return http_get(f"http://127.0.0.1:{port}{path}", host="localhost", headers=headers)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="obcms-bench-"))
    try:
        admin = Path(sys.executable).parent / "django-admin"
        subprocess.run([admin, "startproject", "bare", str(workdir)], check=True)
        (workdir / "bare" / "celery_app.py").write_text(CELERY_APP)
        (workdir / "bare" / "__init__.py").write_text(CELERY_INIT)
        gunicorn_env = base_env(WEB_CONCURRENCY="2", GUNICORN_THREADS="4")
        # Its own flags, run from its own folder: gunicorn reads ./gunicorn.conf.py, and ours
        # imports the obcms package (for its environment reader), whose __init__ loads
        # obcms's Celery app and names obcms.settings as DJANGO_SETTINGS_MODULE: run from
        # the repository, the "bare" project served obcms.
        bare_cmd = (
            "gunicorn --bind 0.0.0.0:$PORT --worker-class gthread --workers 2 --threads 4 "
            "--preload --access-logfile - bare.wsgi"
        )
        obcms_env = {
            **gunicorn_env,
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "localhost",
            "DATA_DIR": str(workdir / "var"),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=REPO,
            env=obcms_env,
            check=True,
        )
        lines = (
            # (label, command, environment, probe, a page through the URL map, folder)
            ("bare + Celery app", bare_cmd, gunicorn_env, "/", "/", workdir),
            ("obcms web line", procfile()["web"], obcms_env, "/health/", "/accounts/login/", REPO),
        )
        samples: dict[str, list] = {label: [] for label, *_ in lines}
        for _ in range(args.runs):  # alternately, so both see the same load on the machine
            for label, command, env, probe, page, cwd in lines:
                samples[label].append(measure(command, env, probe, page, cwd))
        rows = [
            (label, *(statistics.median(s[i] for s in runs) for i in range(5)))
            for label, runs in samples.items()
        ]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"2 gthread workers x 4 threads, preloaded; median of {args.runs} runs each, "
        f"alternating; load average {load}"
    )
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


if __name__ == "__main__":
    main()
