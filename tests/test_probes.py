"""/health/ and /ready/ over real HTTP against the Procfile's web line in production posture:
every platform's probe is answered, nothing else loosens, and a dead server never hangs."""

import json
import socket
import time
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.processes import http_get, manage, procfile

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
def released_env(production_env, fresh_database, services) -> dict[str, str]:
    env = {
        **production_env,
        "DATABASE_URL": fresh_database,
        "REDIS_URL": services["redis"],
        "SECURE_SSL_REDIRECT": "true",
    }
    release = manage("release", env=env)
    assert release.returncode == 0, release.stdout + release.stderr
    return env


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


@pytest.mark.integration
def test_health_answers_head_and_refuses_other_methods(start, released_env, port):
    base = serve(start, released_env, port)
    status, _, body = http_get(f"{base}/health/", host="localhost", method="HEAD")
    assert (status, body) == (200, b"")
    assert http_get(f"{base}/health/", host="localhost", method="POST")[0] == 405
    assert http_get(f"{base}/ready/", host="localhost", method="DELETE")[0] == 405


@pytest.mark.integration
def test_ready_is_503_fast_when_the_database_port_is_closed(start, released_env, port, closed_port):
    env = {**released_env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port}/x"}
    base = serve(start, env, port)
    status, body, took = get_json(f"{base}/ready/")
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"] is False and body["checks"]["cache"] is True
    assert took < 3
    assert "127.0.0.1" not in json.dumps(body) and "postgres://" not in json.dumps(body)
    assert get_json(f"{base}/health/")[0] == 200


@pytest.mark.integration
def test_ready_is_503_within_3s_when_the_database_blackholes(start, released_env, port, blackhole):
    env = {**released_env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{blackhole}/x"}
    base = serve(start, env, port)
    status, body, took = get_json(f"{base}/ready/")
    assert status == 503 and body["checks"]["database"] is False
    assert "timed out" in body["errors"]["database"]
    assert took < 3
    assert get_json(f"{base}/health/")[0] == 200


@pytest.mark.integration
def test_ready_is_503_fast_when_redis_is_down(start, released_env, port, closed_port):
    env = {**released_env, "REDIS_URL": f"redis://127.0.0.1:{closed_port}/0"}
    base = serve(start, env, port)
    status, body, took = get_json(f"{base}/ready/")
    assert status == 503
    assert body["checks"]["cache"] is False and body["checks"]["broker"] is False
    assert body["checks"]["database"] is True
    assert took < 3
    assert get_json(f"{base}/health/")[0] == 200


@pytest.mark.integration
def test_ready_is_503_within_3s_when_redis_blackholes(start, released_env, port, blackhole):
    env = {**released_env, "REDIS_URL": f"redis://127.0.0.1:{blackhole}/0"}
    base = serve(start, env, port)
    status, body, took = get_json(f"{base}/ready/")
    assert status == 503 and body["checks"]["cache"] is False
    assert took < 3


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


def test_probes_answer_without_services_in_production_posture(start, production_env, port):
    """Unit tier: SQLite and the filesystem broker; the probe middleware alone makes
    Host: localhost over plain http work."""
    release = manage("release", env=production_env)
    assert release.returncode == 0, release.stderr
    base = serve(start, production_env, port)
    status, body, _ = get_json(f"{base}/ready/", "10.0.3.7:8000")
    assert status == 200, body
    assert http_get(f"{base}/", host="10.0.3.7:8000")[0] == 400
