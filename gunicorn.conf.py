"""gunicorn settings for the Procfile's ``web`` line.

    python -m obcms.web --config gunicorn.conf.py obcms.wsgi   (obcms/web.py runs gunicorn)

Every knob is read from the environment (declared in app.json) and carries the reason for its
value. https://docs.gunicorn.org/en/stable/settings.html
Heroku's Python buildpack may also set GUNICORN_CMD_ARGS, which wins over this file.
"""

# ruff: noqa: E402 - the collector is turned off before the imports below load the app.

import gc
import os
import sys
from pathlib import Path

# No garbage collection while the master builds the app (preload_app, below): everything it
# imports lives as long as the process, so the two or three full collections that importing
# would trigger find nothing to free and cost about 0.3 s of every cold start. when_ready()
# freezes what was built and turns the collector back on. The sequence the gc module's docs
# give for a parent that forks workers: "gc.disable() early in the parent process, gc.freeze()
# right before fork()" (https://docs.python.org/3/library/gc.html#gc.freeze).
gc.disable()

# The config is read before gunicorn changes into --chdir; make the project importable from it.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from obcms.env import Env, stop_on_problems
from obcms.platform import default_drain_seconds
from obcms.web import WEB_CONCURRENCY_MAX
from obcms.web_worker import ReadFirstWorker

env = Env()

# Bind every interface on the port the platform gives us (Heroku, Coolify, Render, Railway and
# Dokku all set PORT); 8000 on a laptop. "0.0.0.0" because a container's probe and router reach
# it from outside the loopback.
bind = [f"0.0.0.0:{env.int('PORT', default=8000, minimum=1, maximum=65535)}"]

# Threads, not only processes: requests here wait on PostgreSQL and Redis far more than they
# compute, and a thread costs a fraction of a process's memory. gunicorn's gthread worker, except
# that a thread gets a request only once all of it has arrived (obcms/web_worker.py): with plain
# gthread, 14 clients sending a header line or a body byte every 2 s held every thread, /health/
# included (hardening issue, finding 2; bench/slow_clients.py measures it against gevent and
# more threads). Same threads, same database connections, no new dependency.
worker_class = "obcms.web_worker.ReadFirstWorker"

# Seconds a request's head and body may take to arrive, from its first byte, before the
# connection is closed with 408. Waiting costs no thread, only a socket, so this bounds how long
# slow connections pile up, not who is served; 60 s, as long as the routers in front allow (nginx
# on Dokku: 60 s between reads; Traefik on Coolify: 60 s for the whole request), so an upload on a
# slow line that gets through the router is not cut here (9 MB at 1.5 Mbit/s: about 50 s).
# Answers are written by the same loop: a client that takes none of its answer for this long
# is dropped; one that reads slowly, however slowly, is served to the end without a thread.
read_timeout = env.int("GUNICORN_READ_TIMEOUT", default=60, minimum=1, maximum=3600)
ReadFirstWorker.read_timeout = read_timeout


def _default_workers() -> int:
    # Containers often see the host's CPUs, not their share of them: cap the guess at 4 and let
    # WEB_CONCURRENCY say otherwise.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, min((cpus or 1) + 1, 4))


# Worker processes: WEB_CONCURRENCY, the name Heroku (which sets it from the dyno size), Render
# and the buildpacks use, else from the CPUs we may use.
workers = env.int(
    "WEB_CONCURRENCY", default=_default_workers(), minimum=1, maximum=WEB_CONCURRENCY_MAX
)

# Threads per worker. Each thread holds its own database connection (CONN_MAX_AGE keeps it),
# so workers x threads is the number of PostgreSQL connections one web container may use.
threads = env.int("GUNICORN_THREADS", default=4, minimum=1, maximum=256)

# Build the app once in the master, then fork: less memory (shared pages), faster worker
# restarts, and a broken environment stops the master once instead of every worker in a loop.
preload_app = True

# A worker *process* whose heartbeat stops this long (hung, deadlocked) is killed and replaced.
# With gthread workers it is not a limit on slow requests: the worker keeps beating while its
# threads serve, so a slow request runs on to its end (gunicorn's docs: for non-sync workers it
# "is not tied to the length of time required to handle a single request",
# https://docs.gunicorn.org/en/stable/settings.html#timeout). Heroku's router gives up on a
# request at 30 s whatever we do; 28 replaces a hung worker by about then.
timeout = env.int("GUNICORN_TIMEOUT", default=28, minimum=1, maximum=3600)

# On SIGTERM, workers get this long to finish in-flight requests. Below the platforms' 30 s
# between SIGTERM and SIGKILL (Heroku, Coolify's default grace) so we exit cleanly, not killed.
graceful_timeout = env.int("GUNICORN_GRACEFUL_TIMEOUT", default=25, minimum=1, maximum=3600)

# On SIGTERM, keep serving this long before closing the listening socket, with /ready/ answering
# 503 (obcms/health/drain.py): a router that still routes to us during a rolling update gets
# answers, not connection resets. A second SIGTERM during the drain changes nothing; SIGINT
# (Ctrl-C) and SIGQUIT still stop at once. graceful_timeout then applies to in-flight requests.
drain_seconds = env.int(
    "GUNICORN_DRAIN_SECONDS", default=default_drain_seconds(env), minimum=0, maximum=25
)


def when_ready(server) -> None:
    """Runs in the master once the app is built, before the first worker forks: freeze the
    start-up's objects and collect garbage again (see gc.disable() above); then replace the
    master's SIGTERM handling with: drain, then gunicorn's own graceful stop."""
    # Frozen objects are never scanned again, in the master or in the forked workers: a
    # worker's collections no longer write to the pages it shares with the master, so they
    # stay shared (bench/web_startup.py: PSS of master and workers).
    gc.freeze()
    gc.enable()

    import signal
    import threading

    from obcms.health.drain import start_draining, start_stopping

    stop = server.handle_term
    state = {"draining": False, "done": False}

    def finish() -> None:
        state["done"] = True
        start_stopping()  # the workers' next SIGTERM is the master's own
        server.SIG_QUEUE.put_nowait(signal.SIGTERM)  # back through the main loop

    def handle_term() -> None:
        if drain_seconds <= 0 or state["done"]:
            stop()
        if not state["draining"]:
            state["draining"] = True
            start_draining()
            server.log.info(
                "SIGTERM: draining for %ss (/ready/ answers 503), then stopping", drain_seconds
            )
            timer = threading.Timer(drain_seconds, finish)
            timer.daemon = True
            timer.start()

    server.handle_term = handle_term


def post_worker_init(worker) -> None:
    """Heroku sends SIGTERM to every process of the dyno, workers included
    (https://devcenter.heroku.com/articles/dyno-shutdown-behavior): a worker then serves on
    through the drain and stops when its master says so, or after the drain at the latest."""
    if drain_seconds <= 0:
        return
    import signal
    import threading

    from obcms.health.drain import stopping

    graceful = worker.handle_exit

    def handle_exit(sig, frame) -> None:
        if stopping():
            graceful(sig, frame)
            return
        timer = threading.Timer(drain_seconds + 1, graceful, args=(sig, frame))
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, handle_exit)


def on_exit(server) -> None:
    from obcms.health.drain import stop_draining

    stop_draining()


# Keep idle client connections open longer than the proxy in front does (Heroku's router: 90 s
# idle; Traefik on Coolify: 180 s), otherwise we close a socket the proxy is about to reuse and
# it answers 502.
keepalive = env.int("GUNICORN_KEEPALIVE", default=185, minimum=1, maximum=3600)

# Restart each worker after this many requests (with jitter so they do not restart together):
# a ceiling on any slow leak in our code or a library. 0 turns it off.
max_requests = env.int("GUNICORN_MAX_REQUESTS", default=1000, minimum=0, maximum=10_000_000)
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0

# Trust X-Forwarded-* only from these addresses. The platforms' routers reach the container from
# addresses we cannot know in advance, and the container port is not published elsewhere, so
# "*" is the practical value; narrow it when you run gunicorn on a reachable host.
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", default="*")

# Access and error logs go to stdout/stderr, where every platform collects them.
accesslog = "-"
errorlog = "-"
loglevel = env.choice(
    "GUNICORN_LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")
)
# One line per request (method, path, status, duration_ms, bytes, request_id, remote,
# user_agent), JSON when LOG_FORMAT is json like every other line; probe hits only at debug.
logger_class = "obcms.logs.GunicornLogger"

# gunicorn 24+ opens a control socket in $HOME for `gunicornc`; several web processes in one
# container (or test run) would fight over its path, and platforms never use it.
control_socket_disable = True

# Request size limits stay at gunicorn's defaults (4094-byte request line, 100 headers);
# body size is Django's DATA_UPLOAD_MAX_MEMORY_SIZE.

# A malformed GUNICORN_* or PORT value stops here, before binding, with one line per problem,
# and with the settings' own problems too (a bad DATABASE_URL, a missing SECRET_KEY): without
# them, a deployer fixing PORT would meet the next problem only at the next start.
if env.problems:
    stop_on_problems(serving=True, first=env.problems)
