"""The database never holds a process without limit: the kernel notices a server gone without
a word (keepalives, a timeout on unacknowledged data), and PostgreSQL cancels a web request's
statement before the routers give up on the request."""

import os
import socket
import time

import psycopg
import pytest

from tests.support.processes import http_get, manage, procfile


@pytest.mark.integration
@pytest.mark.django_db
def test_database_connections_notice_a_silent_server():
    """libpq's keepalives and tcp_user_timeout are on the connection's socket: a partition
    ends a waiting query within seconds instead of never."""
    from django.db import connection

    connection.ensure_connection()
    with socket.socket(fileno=os.dup(connection.connection.fileno())) as sock:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert 0 < sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) <= 30
        assert 0 < sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) <= 30_000


@pytest.mark.integration
def test_a_web_request_waiting_on_a_lock_is_cancelled_before_the_router_gives_up(
    start, production_env, released_database, services, port
):
    """A page whose query waits on a lock (here the sessions table, locked by someone else)
    answers 500 once PostgreSQL cancels the statement, under the routers' 30 s; the release
    process on the same database has no such bound (migrations may take long)."""
    env = {**production_env, "DATABASE_URL": released_database, "REDIS_URL": services["redis"]}
    web = start(procfile()["web"], {**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    headers = {"X-Forwarded-Proto": "https", "Cookie": "__Host-sessionid=" + "x" * 32}
    with psycopg.connect(released_database) as holder:
        holder.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        status, _, _ = http_get(
            f"http://127.0.0.1:{port}/communities/",
            host="obcms.example.org",
            headers=headers,
            timeout=90,
        )
        took = time.monotonic() - started
        holder.rollback()
    assert status == 500
    assert took < 30, f"answered after {took:.0f}s"
    shown = manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW statement_timeout'); print(c.fetchone()[0])",
        env=env,
    )
    assert shown.stdout.split()[-1] == "0", shown.stdout + shown.stderr
