"""Cold start, memory and shutdown of the Procfile's web line, beside a bare Django project.

    .venv/bin/python -m bench.web_startup [--runs 5]

Both run under the same gunicorn.conf.py (2 gthread workers x 4 threads, app preloaded). Figures:
spawn to first 200, total RSS of master + workers after a few requests, idle SIGTERM to exit.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.processes import REPO, Process, base_env, free_port, http_get, procfile

CONF = f"--config {REPO / 'gunicorn.conf.py'}"


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    return total + sum(rss_kib(int(child)) for child in children.split())


def measure(command: str, env: dict[str, str], path: str) -> tuple[float, int, float]:
    port = free_port()
    env = {**env, "PORT": str(port)}
    started = time.monotonic()
    process = Process(command.replace("$PORT", str(port)), env, name="bench-web")
    try:
        process.wait_for_http(f"http://127.0.0.1:{port}{path}", timeout=60, host="localhost")
        cold = time.monotonic() - started
        for _ in range(20):
            http_get(f"http://127.0.0.1:{port}{path}", host="localhost")
        time.sleep(0.5)
        # The leader is bash when the command is compound; measure the gunicorn master under it.
        memory = rss_kib(process.pid)
        stop_started = time.monotonic()
        process.signal(signal.SIGTERM)
        process.wait(30)
        stop = time.monotonic() - stop_started
    finally:
        process.stop()
    return cold, memory, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="obcms-bench-"))
    try:
        admin = Path(sys.executable).parent / "django-admin"
        subprocess.run([admin, "startproject", "bare", str(workdir)], check=True)
        gunicorn_env = base_env(WEB_CONCURRENCY="2", GUNICORN_THREADS="4")
        bare_cmd = f"gunicorn {CONF} --chdir {workdir} bare.wsgi"
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
        rows = []
        for label, command, env, path in (
            ("bare startproject", bare_cmd, gunicorn_env, "/"),
            ("obcms web line", procfile()["web"], obcms_env, "/health/"),
        ):
            samples = [measure(command, env, path) for _ in range(args.runs)]
            rows.append((label, *(statistics.median(s[i] for s in samples) for i in range(3))))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"gunicorn.conf.py, 2 workers x 4 threads, preloaded; median of {args.runs} runs")
    print(f"{'':20} {'cold start':>12} {'RSS (3 procs)':>14} {'SIGTERM->exit':>14}")
    for label, cold, memory, stop in rows:
        print(
            f"{label:20} {cold * 1000:>9.0f} ms {memory / 1024:>10.1f} MiB {stop * 1000:>11.0f} ms"
        )
    (_, bare_cold, bare_rss, _), (_, cold, memory, _) = rows
    print(
        f"ratio obcms/bare: cold start {cold / bare_cold:.2f}x, RSS {memory / bare_rss:.2f}x "
        f"(aim: within 1.5x each)"
    )


if __name__ == "__main__":
    main()
