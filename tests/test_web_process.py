"""The Procfile's web line, started as a real process and spoken to over HTTP."""

import json
import re
import signal
import socket

import pytest

from tests.support.processes import http_get, manage, procfile, run


def start_web(start, env, port):
    web = start(procfile()["web"], {**env, "PORT": str(port), "WEB_CONCURRENCY": "2"}, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=30)
    return web


def _answer(sock: socket.socket) -> bytes:
    """One HTTP response read off ``sock`` (its body by Content-Length, or chunked): its head."""
    data = b""
    while b"\r\n\r\n" not in data:
        received = sock.recv(65536)
        assert received, f"closed without an answer after {data!r}"
        data += received
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length: (\d+)", head)
    while (len(body) < int(length.group(1))) if length else not body.endswith(b"0\r\n\r\n"):
        body += sock.recv(65536)
    return head


@pytest.mark.parametrize("size", [11, 3 * 1024 * 1024])
def test_a_body_the_app_leaves_unread_does_not_break_the_next_request(
    start, production_env, port, size
):
    """A router keeps its connections to us alive: after a POST whose body the app never
    reads (/health/ refuses it unread; so do a redirect and a refused upload), the next
    request on the connection is answered."""
    start_web(start, production_env, port)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /health/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % size
            + b"x" * size
        )
        assert _answer(sock).startswith(b"HTTP/1.1 405")  # probes take GET and HEAD only
        sock.sendall(b"GET /health/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert _answer(sock).startswith(b"HTTP/1.1 200")


def test_web_line_serves_health_and_exits_cleanly_on_sigterm(start, production_env, port):
    web = start_web(start, production_env, port)

    status, headers, body = http_get(f"http://127.0.0.1:{port}/health/", host="localhost")
    assert status == 200
    assert json.loads(body) == {"status": "healthy", "service": "obcms", "version": "0.1.0"}
    assert "no-store" in headers["Cache-Control"]

    web.signal(signal.SIGTERM)
    assert web.wait(timeout=28) == 0, web.output


def test_preloaded_application_brings_its_url_map_and_opens_no_connection(production_env):
    """What gunicorn's master imports (preload_app) holds the views and the template engine's
    tag libraries for its workers to share, and no database connection that the fork would
    share between them."""
    script = (
        "import sys, obcms.wsgi; from django.db import connections; "
        "print(all(m in sys.modules for m in ('obcms.urls', 'obcms.api.urls', "
        "'obcms.communities.views', 'obcms.records.templatetags.lists', "
        "'django.contrib.auth.context_processors')), "
        "[c.alias for c in connections.all() if c.connection])"
    )
    result = run(f'python -c "{script}"', production_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "True []", result.stdout


# Loaded only where they are used: a web master on the embedded defaults loads no Redis client,
# and no web master loads drf-spectacular's schema generator (only its two pages and
# `manage.py spectacular` do). Each of these cost every web process memory (issue 19).
NOT_IN_A_WEB_MASTER = (
    "drf_spectacular.plumbing",
    "drf_spectacular.openapi",
    "drf_spectacular.generators",
    "django.test",
    "unittest",
)
REDIS_CLIENT = ("redis", "django_redis.cache")
# On SQLite, not even through DRF's compat module (obcms/settings.py, DATABASES).
POSTGRESQL_DRIVER = ("psycopg", "django.db.backends.postgresql.psycopg_any")


def preloaded_modules(env: dict[str, str], names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a preloaded web master (obcms.wsgi: the app and its URL map) holds."""
    script = (
        f"import json, sys, obcms.wsgi; print(json.dumps([m for m in {list(names)!r} "
        "if m in sys.modules]))"
    )
    result = run(f'python -c "{script}"', env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.split("\n")[-2])


def test_preloaded_application_on_embedded_defaults_loads_no_redis_and_no_schema_generator(
    production_env,
):
    names = NOT_IN_A_WEB_MASTER + REDIS_CLIENT + POSTGRESQL_DRIVER
    assert preloaded_modules(production_env, names) == []


@pytest.mark.integration
def test_preloaded_application_with_redis_loads_its_client_before_the_workers_fork(
    production_env, services
):
    """Shared by the workers, and never imported for the first time by a probe's thread."""
    env = {**production_env, "REDIS_URL": services["redis"]}
    assert preloaded_modules(env, NOT_IN_A_WEB_MASTER + REDIS_CLIENT) == list(REDIS_CLIENT)


def test_web_line_refuses_to_start_without_its_secrets(start, production_env, port):
    env = {k: v for k, v in production_env.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    web = start(procfile()["web"], {**env, "PORT": str(port)}, name="web")
    assert web.wait(timeout=30) not in (0, None)
    assert "obcms: SECRET_KEY is not set" in web.output
    assert "obcms: ALLOWED_HOSTS is not set" in web.output
    assert "Traceback" not in web.output


@pytest.mark.integration
def test_web_line_on_postgres_and_redis_is_ready_after_release(
    start, production_env, port, fresh_database, services
):
    env = {**production_env, "DATABASE_URL": fresh_database, "REDIS_URL": services["redis"]}
    release = manage("release", env=env)
    assert release.returncode == 0, release.stdout + release.stderr

    web = start_web(start, env, port)
    status, _, body = http_get(f"http://127.0.0.1:{port}/ready/", host="localhost")
    assert status == 200, body
    assert json.loads(body)["checks"] == {
        "database": True,
        "cache": True,
        "broker": True,
        "migrations": True,
        "disk": True,
    }

    web.signal(signal.SIGTERM)
    assert web.wait(timeout=28) == 0, web.output


@pytest.mark.parametrize(
    ("variables", "line"),
    [
        ({"SECRET_KEY": "short"}, "obcms: SECRET_KEY is a development key"),
        (
            {"SECRET_KEY": "django-insecure-" + "k3y!" * 15},
            "obcms: SECRET_KEY is a development key",
        ),
        ({"ALLOWED_HOSTS": "*"}, "obcms: ALLOWED_HOSTS contains '*'"),
        (
            {"CSRF_TRUSTED_ORIGINS": "http://obcms.example.org"},
            "obcms: CSRF_TRUSTED_ORIGINS has origins without https://",
        ),
        ({"SENTRY_TRACES_SAMPLE_RATE": "nan"}, "obcms: SENTRY_TRACES_SAMPLE_RATE: expected"),
        ({"DATA_DIR": "/proc/obcms-data"}, "obcms: DATA_DIR: cannot create the folder"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/notanumber"},
            "obcms: REDIS_URL: expected a database number",
        ),
    ],
    ids=["short-key", "development-key", "any-host", "http-origin", "nan", "data-dir", "redis-db"],
)
def test_web_line_refuses_what_the_release_refuses(start, production_env, port, variables, line):
    """Hardening issue, finding 6: the web master (preload) stops with one line per error and
    exit 1, no traceback, before it binds."""
    web = start(procfile()["web"], {**production_env, **variables, "PORT": str(port)}, name="web")
    assert web.wait(timeout=30) == 1
    problems = [text for text in web.output.splitlines() if text.startswith("obcms: ")]
    assert problems[0].startswith(line), web.output
    assert len(problems) == 2  # the line, and the pointer to app.json
    assert "Traceback" not in web.output


class Stream:
    """Requests to /health/ one after another, each on a new connection, as a router sends
    them; every answer kept: a status, or the connection error."""

    def __init__(self, port: int) -> None:
        import threading

        self.port, self.answers, self.running = port, [], True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while self.running:
            try:
                status, _, _ = http_get(f"http://127.0.0.1:{self.port}/health/", host="localhost")
                self.answers.append(status)
            except OSError as error:  # refused, reset
                self.answers.append(type(error).__name__)

    def stop(self) -> list:
        self.running = False
        self.thread.join(timeout=15)
        return self.answers


@pytest.mark.parametrize("everyone", [False, True], ids=["master", "every-process"])
def test_web_line_drains_on_sigterm_without_resets_or_5xx(
    start, production_env, port, everyone, released_sqlite
):
    """Nothing-lost issue, drain at shutdown: after SIGTERM (to the master as Docker sends it,
    or to every process as Heroku does) the web line answers /ready/ 503 and keeps serving for
    GUNICORN_DRAIN_SECONDS, then stops cleanly."""
    import os

    from tests.support.processes import wait_until

    released_sqlite(production_env["DATA_DIR"])  # ready before SIGTERM: every 503 is the drain's
    web = start_web(start, {**production_env, "GUNICORN_DRAIN_SECONDS": "4"}, port)
    assert http_get(f"http://127.0.0.1:{port}/ready/", host="localhost")[0] == 200
    stream = Stream(port)
    wait_until(lambda: len(stream.answers) >= 20, 30, "a steady stream of answers")
    if everyone:
        os.killpg(web.pid, signal.SIGTERM)
    else:
        web.signal(signal.SIGTERM)
    wait_until(
        lambda: http_get(f"http://127.0.0.1:{port}/ready/", host="localhost")[0] == 503,
        3,
        "/ready/ to answer 503 after SIGTERM",
    )
    during = len(stream.answers)
    wait_until(lambda: len(stream.answers) >= during + 20, 3, "20 more answers while draining")
    answers = stream.stop()
    assert answers.count(200) == len(answers), [a for a in answers if a != 200][:5]
    assert web.wait(timeout=40) == 0, web.output
    assert "draining for 4s" in web.output
    assert "Service Unavailable" not in web.output  # the drain's 503s are expected, not errors
