"""The database never holds a process without limit: the kernel notices a server gone without
a word (keepalives, a timeout on unacknowledged data), and PostgreSQL cancels a web request's
statement before the routers give up on the request."""

import os
import socket

import pytest


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
