"""/health/ and /ready/ over real HTTP against the Procfile's web line in production posture:
every platform's probe is answered, nothing else loosens, and a dead server never hangs."""

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.support.processes import free_port, http_get, manage, procfile
from tests.support.proxy import StrandingProxy

PROBE_HOSTS = ["localhost", "localhost:8000", "10.0.3.7:8000", "healthcheck.railway.app"]


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts TCP connections into its backlog and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on return: connections are refused


@pytest.fixture
def released_env(production_env, released_database, services) -> dict[str, str]:
    env = {
        **production_env,
        "DATABASE_URL": released_database,
        "REDIS_URL": services["redis"],
        "SECURE_SSL_REDIRECT": "true",
    }
    release = manage("release", env=env)
    assert release.returncode == 0, release.stdout + release.stderr
    return env


@pytest.fixture(params=["embedded", pytest.param("services", marks=pytest.mark.integration)])
def either_env(request, production_env, released_sqlite) -> dict[str, str]:
    """Released, on the embedded defaults (the unit tier: SQLite, no server at all) or on
    PostgreSQL and Redis (the integration tier)."""
    if request.param == "services":
        return request.getfixturevalue("released_env")
    released_sqlite(production_env["DATA_DIR"])
    release = manage("release", env=production_env)
    assert release.returncode == 0, release.stdout + release.stderr
    return production_env


def serve(start, env, port):
    web = start(procfile()["web"], {**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=30)
    return f"http://127.0.0.1:{port}"


def get_json(url: str, host: str = "localhost") -> tuple[int, dict, float]:
    started = time.monotonic()
    status, _, body = http_get(url, host=host, timeout=10)
    return status, json.loads(body), time.monotonic() - started


@pytest.mark.integration
def test_probes_answer_every_platform_host_over_plain_http(start, released_env, port):
    base = serve(start, released_env, port)
    for host in PROBE_HOSTS:
        status, body, _ = get_json(f"{base}/health/", host)
        assert (status, body["status"]) == (200, "healthy"), host
        status, body, _ = get_json(f"{base}/ready/", host)
        assert (status, body["status"]) == (200, "ready"), (host, body)
        assert body["checks"] == {
            "database": True,
            "cache": True,
            "broker": True,
            "migrations": True,
            "disk": True,
        }


@pytest.mark.integration
def test_other_urls_keep_host_validation_and_the_https_redirect(start, released_env, port):
    base = serve(start, released_env, port)
    assert http_get(f"{base}/", host="evil.example")[0] == 400
    assert http_get(f"{base}/", host="localhost")[0] == 400
    status, headers, _ = http_get(f"{base}/", host="obcms.example.org")
    assert status == 301
    assert headers["Location"] == "https://obcms.example.org/"
    status, _, _ = http_get(
        f"{base}/", host="obcms.example.org", headers={"X-Forwarded-Proto": "https"}
    )
    assert status == 302  # on to sign-in: the redirect was only about the scheme


def test_health_answers_head_and_refuses_other_methods(start, either_env, port):
    base = serve(start, either_env, port)
    status, _, body = http_get(f"{base}/health/", host="localhost", method="HEAD")
    assert (status, body) == (200, b"")
    assert http_get(f"{base}/health/", host="localhost", method="POST")[0] == 405
    assert http_get(f"{base}/ready/", host="localhost", method="DELETE")[0] == 405


def test_ready_503_names_the_failed_check_and_nothing_of_the_server(start, either_env, port):
    """The body's shape, with the database on a port where nothing listens: every check by
    name, a fixed reason for the failed one, no host, port or URL."""
    closed = free_port()
    env = {**either_env, "DATABASE_URL": f"postgres://postgres:hunter2@127.0.0.1:{closed}/x"}
    base = serve(start, env, port)
    status, body, _ = get_json(f"{base}/ready/")
    assert status == 503
    assert set(body) == {"status", "checks", "errors"} and body["status"] == "unavailable"
    assert set(body["checks"]) == {"database", "cache", "broker", "migrations", "disk"}
    assert body["checks"]["database"] is False
    assert set(body["errors"]) == {name for name, ok in body["checks"].items() if not ok}
    text = json.dumps(body)
    assert str(closed) not in text and "127.0.0.1" not in text and "hunter2" not in text


# Each outage: the variable pointed at a dead server, which kind of dead server, the checks
# it takes down, those it leaves up, and the reason given for them.
OUTAGES = {
    "database-refuses": ("DATABASE_URL", "closed_port", {"database"}, {"cache"}, ""),
    "database-blackholes": ("DATABASE_URL", "blackhole", {"database"}, set(), "timed out"),
    "redis-refuses": ("REDIS_URL", "closed_port", {"cache", "broker"}, {"database"}, ""),
    "redis-blackholes": ("REDIS_URL", "blackhole", {"cache"}, set(), ""),
}
DEAD = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:{port}/x",
    "REDIS_URL": "redis://127.0.0.1:{port}/0",
}


@pytest.mark.integration
@pytest.mark.parametrize("outage", OUTAGES)
def test_ready_is_503_within_3s_when_a_server_is_down(request, start, released_env, port, outage):
    """A server that refuses connections, or accepts them and never answers: /ready/ says
    which checks failed, within 3 s, and leaks no address; /health/ stays 200 (no I/O)."""
    variable, server, down, up, reason = OUTAGES[outage]
    env = {**released_env, variable: DEAD[variable].format(port=request.getfixturevalue(server))}
    base = serve(start, env, port)
    status, body, took = get_json(f"{base}/ready/")
    assert status == 503 and body["status"] == "unavailable"
    assert all(body["checks"][name] is False for name in down), body
    assert all(body["checks"][name] is True for name in up), body
    if reason:
        assert all(reason in body["errors"][name] for name in down), body
    assert took < 3
    assert "127.0.0.1" not in json.dumps(body) and "://" not in json.dumps(body)
    assert get_json(f"{base}/health/")[0] == 200


@pytest.mark.integration
def test_an_unapplied_migration_makes_ready_503(start, released_env, port):
    with psycopg.connect(released_env["DATABASE_URL"], autocommit=True) as db:
        db.execute("DELETE FROM django_migrations WHERE app = 'sessions'")
    base = serve(start, released_env, port)
    status, body, _ = get_json(f"{base}/ready/")
    assert status == 503
    assert body["checks"]["migrations"] is False and body["checks"]["database"] is True
    assert "not applied" in body["errors"]["migrations"]


@pytest.mark.integration
def test_probe_command_exits_0_when_ready_and_1_when_not(start, released_env, port, closed_port):
    serve(start, released_env, port)
    env = {**released_env, "PORT": str(port)}
    assert manage("probe", "health", env=env).returncode == 0
    ready = manage("probe", "ready", env=env)
    assert ready.returncode == 0, ready.stdout + ready.stderr

    wrong = {**released_env, "PORT": str(closed_port)}
    result = manage("probe", "health", env=wrong)
    assert result.returncode == 1
    assert "no answer" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.integration
def test_probe_command_reports_why_ready_fails(start, released_env, port, closed_port):
    env = {**released_env, "REDIS_URL": f"redis://127.0.0.1:{closed_port}/0"}
    serve(start, env, port)
    result = manage("probe", "ready", env={**env, "PORT": str(port)})
    assert result.returncode == 1
    assert "cache: unreachable" in result.stderr


def test_probes_answer_without_services_in_production_posture(
    start, production_env, released_sqlite, port
):
    """Unit tier: SQLite and the filesystem broker; the probe middleware alone makes
    Host: localhost over plain http work."""
    released_sqlite(production_env["DATA_DIR"])
    release = manage("release", env=production_env)
    assert release.returncode == 0, release.stderr
    base = serve(start, production_env, port)
    status, body, _ = get_json(f"{base}/ready/", "10.0.3.7:8000")
    assert status == 200, body
    assert http_get(f"{base}/", host="10.0.3.7:8000")[0] == 400


@pytest.mark.integration
def test_ready_recovers_when_the_probes_database_connection_is_stranded(start, released_env, port):
    """The database stops answering on the connection the probe keeps (a silent partition)
    while new connections work: /ready/ says so once, then probes on a fresh connection and
    is ready again, instead of timing out behind the stuck one until a restart."""
    parts = urlsplit(released_env["DATABASE_URL"])
    proxy = StrandingProxy((parts.hostname, parts.port or 5432))
    try:
        through = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
        base = serve(start, {**released_env, "DATABASE_URL": through}, port)
        assert get_json(f"{base}/ready/")[0] == 200  # the probe's connection is open
        proxy.strand()
        status, body, took = get_json(f"{base}/ready/")
        assert status == 503 and "timed out" in body["errors"]["database"], body
        assert took < 3
        statuses = []
        for _ in range(10):
            statuses.append(get_json(f"{base}/ready/")[0])
            if statuses[-1] == 200:
                break
            time.sleep(0.5)
        assert statuses[-1] == 200, statuses
    finally:
        proxy.close()
