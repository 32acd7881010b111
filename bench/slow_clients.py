"""/health/ and a page while N slow clients hold connections open, per gunicorn worker option.

    .venv/bin/python -m bench.slow_clients [--counts 14,50,200] [--window 8] [--rounds 1]
        [--options today,threads32,gevent,asgi,obcms] [--gevent-path DIR]

The hardening issue's finding 2: 14 connections sending a header line every 2 s, or 14 slow
POST bodies, stopped /health/ and every page. A third kind ("close") sends a whole request with
"Connection: close" and then neither sends nor closes. For each option the Procfile's web line (3
workers, as the attack found it) runs on PostgreSQL and Redis (a scratch database, created and
dropped); N slow connections open (tests/support/slow_clients.py), then for ``--window``
seconds one thread asks /health/ every 0.2 s and another fetches the sign-in page
(/accounts/login/: sessions, CSRF, a template) one request after another, each with a 5 s
timeout. The anchor: every /health/ answered 200 within 1 s.

gevent is not a dependency of obcms: to measure it, ``pip install --target DIR gevent`` and pass
``--gevent-path DIR`` (it goes on the web line's PYTHONPATH only).
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.support.processes import Process, base_env, free_port, http_get, manage, procfile
from tests.support.slow_clients import SlowClients

HEADERS = {"X-Forwarded-Proto": "https"}
ANCHOR_SECONDS = 1.0


def options(gevent_path: str) -> dict[str, tuple[str, str, dict[str, str]]]:
    """label -> (description, web command, extra environment)."""
    web = procfile()["web"]
    return {
        "today": ("gthread 3x4 (before)", web, {"GUNICORN_CMD_ARGS": "--worker-class gthread"}),
        "threads32": (
            "gthread 3x32",
            web,
            {"GUNICORN_CMD_ARGS": "--worker-class gthread", "GUNICORN_THREADS": "32"},
        ),
        "gevent": (
            "gevent 3x1000",
            web,
            {
                "GUNICORN_CMD_ARGS": "--worker-class gevent",
                "PYTHONPATH": gevent_path,
                "CONN_MAX_AGE": "0",
            },
        ),
        "asgi": (
            "gunicorn asgi 3",
            web.replace("obcms.wsgi", "obcms.asgi"),
            {"GUNICORN_CMD_ARGS": "--worker-class asgi", "CONN_MAX_AGE": "0"},
        ),
        "obcms": ("obcms worker 3x4 (after)", web, {}),
    }


def sample(url: str, pause: float, until: float, into: list[float | None]) -> None:
    """GET ``url`` until ``until``; seconds per 200 answer, None per failure."""
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            status = http_get(url, host="localhost", headers=HEADERS, timeout=5)[0]
            into.append(time.monotonic() - started if status == 200 else None)
        except OSError:
            into.append(None)
        time.sleep(pause)


def one_run(command: str, env: dict[str, str], kind: str, count: int, window: float) -> dict:
    port = free_port()
    web = Process(command, {**env, "PORT": str(port)}, name="bench-web")
    try:
        web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=60, host="localhost")
        health: list[float | None] = []
        page: list[float | None] = []
        with SlowClients(port, kind, count) as slow:
            time.sleep(1)
            until = time.monotonic() + window
            threads = [
                threading.Thread(
                    target=sample, args=(f"http://127.0.0.1:{port}/health/", 0.2, until, health)
                ),
                threading.Thread(
                    target=sample,
                    args=(f"http://127.0.0.1:{port}/accounts/login/", 0, until, page),
                ),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            ended = slow.ended()
            ended_after = [s.ended_after for s in slow.slow if s.ended_after is not None]
        return {
            "health": health,
            "page": page,
            "ended": ended,
            "ended_max": max(ended_after, default=None),
            "alive": web.alive(),
        }
    finally:
        web.stop()


def load(port: int, seconds: float, clients: int = 8) -> dict[str, float]:
    """``clients`` threads requesting the sign-in page back to back on kept-alive connections,
    no slow client: requests per second, p50 and p99 in ms, failures (a worker class must not
    cost the ordinary traffic what it saves under attack)."""
    import http.client

    times: list[float] = []
    failures = [0]
    until = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                conn.request("GET", "/accounts/login/", headers={"Host": "localhost", **HEADERS})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures[0] += 1
                times.append(time.monotonic() - started)
            except (OSError, http.client.HTTPException):
                failures[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times.sort()
    return {
        "rps": len(times) / seconds,
        "p50": times[len(times) // 2] * 1000 if times else 0,
        "p99": times[int(len(times) * 0.99)] * 1000 if times else 0,
        "failures": failures[0],
    }


def one_load(command: str, env: dict[str, str], seconds: float) -> dict[str, float]:
    port = free_port()
    web = Process(command, {**env, "PORT": str(port)}, name="bench-web")
    try:
        web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=60, host="localhost")
        load(port, 1)  # warm every worker up
        return load(port, seconds)
    finally:
        web.stop()


def figures(samples: list[float | None]) -> str:
    answered = [s for s in samples if s is not None]
    if not answered:
        return f"{'-':>7} {'-':>7} {len(samples):>4}/{len(samples):<4}"
    return (
        f"{statistics.median(answered) * 1000:>7.0f} {max(answered) * 1000:>7.0f} "
        f"{len(samples) - len(answered):>4}/{len(samples):<4}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="14,50,200")
    parser.add_argument("--window", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--options", default="today,threads32,gevent,asgi,obcms")
    parser.add_argument("--gevent-path", default="")
    parser.add_argument("--kinds", default="headers,body,close")
    parser.add_argument(
        "--load", type=float, default=0, help="also: seconds of ordinary load per option"
    )
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1")
    args = parser.parse_args()
    chosen = args.options.split(",")
    if "gevent" in chosen and not args.gevent_path:
        raise SystemExit("bench: --gevent-path DIR (pip install --target DIR gevent) for gevent")
    counts = [int(c) for c in args.counts.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="obcms-bench-"))
    name = f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    env = base_env(
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=urlunsplit(urlsplit(args.database)._replace(path=f"/{name}")),
        REDIS_URL=args.redis,
        DATA_DIR=str(workdir / "var"),
        WEB_CONCURRENCY="3",
        GUNICORN_LOG_LEVEL="warning",
    )
    rows = []
    loads = []
    try:
        assert manage("release", env=env).returncode == 0
        assert manage("collectstatic", "--noinput", env=env).returncode == 0
        table = options(args.gevent_path)
        for number in range(1, args.rounds + 1):
            for label in chosen:
                description, command, extra = table[label]
                for kind in args.kinds.split(","):
                    for count in counts:
                        command_line = f"{command} --access-logfile /dev/null"
                        run = one_run(command_line, {**env, **extra}, kind, count, args.window)
                        rows.append((description, kind, count, number, run))
                        print_row(*rows[-1], flush=True)
                if args.load:
                    command_line = f"{command} --access-logfile /dev/null"
                    loads.append(
                        (description, number, one_load(command_line, {**env, **extra}, args.load))
                    )
                    print(loads[-1], flush=True)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(
        f"Procfile web line, WEB_CONCURRENCY=3, PostgreSQL + Redis on loopback; N slow "
        f"connections (a header line or a body byte every 2 s), then {args.window:.0f} s of "
        "/health/ every 0.2 s and the sign-in page back to back, 5 s timeout each.\n"
        f"Anchor: every /health/ answered 200 within {ANCHOR_SECONDS:.0f} s. 'ended' = slow "
        "connections the server closed or answered by the end of the window."
    )
    header()
    for row in rows:
        print_row(*row)
    if loads:
        print(
            f"\nOrdinary load, no slow client: 8 Python clients on kept-alive connections, the "
            f"sign-in page back to back for {args.load:.0f} s (client and server share the 2 cores)"
        )
        print(f"| {'option':26} | rd | {'req/s':>6} | {'p50 ms':>6} | {'p99 ms':>6} | fail |")
        for description, number, f in loads:
            print(
                f"| {description:26} | {number:>2} | {f['rps']:>6.0f} | {f['p50']:>6.1f} "
                f"| {f['p99']:>6.1f} | {f['failures']:>4} |"
            )


def header() -> None:
    print(
        f"| {'option':26} | {'slow':7} | {'N':>3} | {'rd':>2} | {'health p50/max ms':>17} "
        f"| {'fail':>9} | anchor | {'page p50/max ms':>15} | {'fail':>9} | ended |"
    )


def print_row(description, kind, count, number, run, flush=False) -> None:
    health = figures(run["health"])
    page = figures(run["page"])
    ok = all(s is not None and s <= ANCHOR_SECONDS for s in run["health"]) and run["health"]
    h50, hmax, hfail = health.split(maxsplit=2)
    p50, pmax, pfail = page.split(maxsplit=2)
    print(
        f"| {description:26} | {kind:7} | {count:>3} | {number:>2} | {h50:>8}/{hmax:<8} "
        f"| {hfail:>9} | {'holds' if ok else 'FAILS':6} | {p50:>7}/{pmax:<7} | {pfail:>9} "
        f"| {run['ended']:>5} |",
        flush=flush,
    )


if __name__ == "__main__":
    main()
