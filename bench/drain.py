"""Resets and 5xx seen by a steady request stream while the web line gets SIGTERM, with and
without a drain period.

    .venv/bin/python -m bench.drain [--drain 5] [--rounds 3]

A thread sends GET /health/ one after another, each on a new connection (as a router opens
them), from 1 s before SIGTERM until the web process has exited. Counted: answers, connection
errors (refused or reset) and 5xx in the first seconds after SIGTERM (the drain less half a
second): the window in which a router that has not yet noticed the shutdown still sends
requests.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import tempfile
import threading
import time

from tests.support.processes import Process, base_env, free_port, http_get, manage, procfile


def one_round(drain: int, window_seconds: float) -> dict[str, int]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = base_env(
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="localhost",
            DATA_DIR=data,
            PORT=str(port),
            WEB_CONCURRENCY="2",
            GUNICORN_DRAIN_SECONDS=str(drain),
        )
        manage("collectstatic", "--noinput", env=base_env())
        web = Process(procfile()["web"], env, name="web")
        web.wait_for_http(f"http://127.0.0.1:{port}/health/")
        answers: list[tuple[float, object]] = []
        running = True

        def stream() -> None:
            while running:
                try:
                    status = http_get(f"http://127.0.0.1:{port}/health/", host="localhost")[0]
                except OSError as error:
                    status = type(error).__name__
                answers.append((time.monotonic(), status))

        thread = threading.Thread(target=stream, daemon=True)
        thread.start()
        time.sleep(1)
        term = time.monotonic()
        web.signal(signal.SIGTERM)
        web.wait(timeout=60)
        exited = time.monotonic()
        running = False
        thread.join()
    window = [status for at, status in answers if term <= at <= term + window_seconds]
    return {
        "answered": sum(1 for s in window if s == 200),
        "errors": sum(1 for s in window if not isinstance(s, int)),
        "5xx": sum(1 for s in window if isinstance(s, int) and s >= 500),
        "exit": round(exited - term, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drain", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    window = max(args.drain - 0.5, 1)
    print(f"Requests in the first {window} s after SIGTERM (a router still routing to us):")
    print("| drain s | round | answered | refused/reset | 5xx | SIGTERM to exit s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for drain in (0, args.drain):
        for number in range(1, args.rounds + 1):
            r = one_round(drain, window)
            print(
                f"| {drain} | {number} | {r['answered']} | {r['errors']} | {r['5xx']} "
                f"| {r['exit']} |"
            )


if __name__ == "__main__":
    main()
