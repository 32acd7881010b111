"""Cold start, memory and shutdown of the Procfile's web line, beside a bare Django project.

    .venv/bin/python -m bench.web_startup [--runs 5]

The bare project is ``django-admin startproject`` plus the Celery app cookiecutter-django
generates (``config/celery_app.py``: ``Celery(...)``, ``config_from_object("django.conf:settings",
namespace="CELERY")``, ``autodiscover_tasks()``, imported by the package's ``__init__``), so both
load Django and Celery at import. obcms runs its Procfile line (gunicorn.conf.py), the bare
project the same knobs as flags (2 gthread workers x 4 threads, ``--preload``), alternately,
in one run. Figures: spawn to the first 200; memory of master + workers after a few requests
as PSS (``/proc/<pid>/smaps_rollup``: pages shared
after the preload's fork count once, split between the processes) and, for reference, RSS
(which counts them in every process); idle SIGTERM to exit. Anchors (issue 19): cold start
within 1.5x of the bare project's, PSS within 1.2x.
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
            if http_get(url, host="localhost", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError(f"no 200 from {url} in {timeout}s:\n{process.output[-3000:]}")


def measure(
    command: str, env: dict[str, str], path: str, cwd: Path
) -> tuple[float, int, int, float]:
    port = free_port()
    env = {**env, "PORT": str(port)}
    started = time.monotonic()
    process = Process(command.replace("$PORT", str(port)), env, name="bench-web", cwd=cwd)
    try:
        wait_for_200(process, f"http://127.0.0.1:{port}{path}", timeout=60)
        cold = time.monotonic() - started
        for _ in range(20):
            http_get(f"http://127.0.0.1:{port}{path}", host="localhost")
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
    return cold, pss, rss, stop


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
            ("bare + Celery app", bare_cmd, gunicorn_env, "/", workdir),
            ("obcms web line", procfile()["web"], obcms_env, "/health/", REPO),
        )
        samples: dict[str, list] = {label: [] for label, *_ in lines}
        for _ in range(args.runs):  # alternately, so both see the same load on the machine
            for label, command, env, path, cwd in lines:
                samples[label].append(measure(command, env, path, cwd))
        rows = [
            (label, *(statistics.median(s[i] for s in runs) for i in range(4)))
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
        f"{'':20} {'cold start':>12} {'PSS (3 procs)':>14} {'RSS (3 procs)':>14} "
        f"{'SIGTERM->exit':>14}"
    )
    for label, cold, pss, rss, stop in rows:
        print(
            f"{label:20} {cold * 1000:>9.0f} ms {pss / 1024:>10.1f} MiB {rss / 1024:>10.1f} MiB "
            f"{stop * 1000:>11.0f} ms"
        )
    (_, bare_cold, bare_pss, bare_rss, _), (_, cold, pss, rss, _) = rows
    print(f"ratio obcms/bare: cold start {cold / bare_cold:.2f}x (anchor: within 1.5x)")
    print(f"ratio obcms/bare: PSS        {pss / bare_pss:.2f}x (anchor: within 1.2x)")
    print(f"ratio obcms/bare: RSS        {rss / bare_rss:.2f}x (for reference)")


if __name__ == "__main__":
    main()
