"""Hardening issue, finding 2: slow clients must not stall the web process.

With gunicorn's plain gthread worker, 14 connections sending a header line every 2 s, or 14
slow POST bodies, held every thread and /health/ stopped answering. The Procfile's web line
(obcms/web_worker.py) reads requests in its event loop; here a few dozen slow connections of
each kind are open while /health/ must answer 200 within a second every time and a page must
be served, and then the server ends every slow connection itself (GUNICORN_READ_TIMEOUT). Also
open: clients that get their answer to a "Connection: close" request and then neither send nor
close (gthread's graceful close waited up to 2 s on each, blocking its whole worker).
bench/slow_clients.py measures the same against the other options.
"""

import socket
import threading
import time

import pytest

from tests.support.processes import REPO, http_get, procfile, wait_until
from tests.support.slow_clients import SlowClients

HOST = "obcms.example.org"
SLOW_EACH = 24  # per kind: 48 slow connections against 2 workers x 4 threads
CLOSERS = 12
READ_TIMEOUT = 6
# The largest static file: public, no sign-in needed (1.9 MB).
DOWNLOAD = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js.map"


@pytest.fixture
def web_line(start, production_env, port, released_database, services):
    """The Procfile's web line on 2 workers x 4 threads, answering /health/."""
    env = {
        **production_env,
        "DATABASE_URL": released_database,
        "REDIS_URL": services["redis"],
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_READ_TIMEOUT": str(READ_TIMEOUT),
        "GUNICORN_DRAIN_SECONDS": "0",
    }
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=60)
    return web


@pytest.mark.integration
def test_slow_clients_do_not_stall_health_or_pages(web_line, port):
    web = web_line
    base = f"http://127.0.0.1:{port}"

    with (
        SlowClients(port, "headers", SLOW_EACH, host=HOST) as heads,
        SlowClients(port, "body", SLOW_EACH, host=HOST) as bodies,
        SlowClients(port, "close", CLOSERS, host="localhost") as closers,
    ):
        assert heads.opened == bodies.opened == SLOW_EACH
        wait_until(lambda: closers.ended() == CLOSERS, 10, "the closers' answers")
        for _ in range(10):
            # The timeout is the requirement: a probe unanswered within 1 s fails here.
            status, _, _ = http_get(f"{base}/health/", host="localhost", timeout=1)
            assert status == 200
        status, _, body = http_get(
            f"{base}/accounts/login/", host=HOST, headers={"X-Forwarded-Proto": "https"}
        )
        assert status == 200 and b"csrfmiddlewaretoken" in body
        assert heads.ended() == bodies.ended() == 0  # still slow, still open: the test held

        # The server, not the client, ends them once GUNICORN_READ_TIMEOUT has passed, with
        # 408 (or a reset, if the client's next byte crossed the close); none reached Django.
        wait_until(
            lambda: heads.ended() == bodies.ended() == SLOW_EACH,
            READ_TIMEOUT + 15,
            "the server to close every slow connection",
        )
        for slow in heads.slow + bodies.slow:
            assert slow.how != "answered" or slow.first_bytes.startswith(b"HTTP/1.1 408"), slow
    assert http_get(f"{base}/health/", host="localhost", timeout=1)[0] == 200
    assert web.alive()


@pytest.mark.integration
def test_a_chunked_body_past_the_limit_is_refused_with_413_and_no_more_is_read(web_line, port):
    """A chunked body declares no length the app could refuse (fault injection: 1431 MiB
    read to disk, then 200). The server answers 413 once it passes MAX_REQUEST_BYTES (10 MiB
    here) and closes: the client cannot send more than that plus what the kernels buffer."""
    chunk, sent, offered = b"a" * (1024 * 1024), 0, 256 * 1024 * 1024
    head = (
        "POST /health/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(head.encode())
        try:
            while sent < offered:
                client.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            client.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed on us: what it has answered is still to be read
        answer = client.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert answer.endswith(b"\r\n\r\nRequest too large: the limit is 10 MB.\n")
    assert sent < 64 * 1024 * 1024


@pytest.mark.integration
def test_slow_readers_of_a_download_do_not_stall_health(web_line, port):
    """Fault injection: 40 clients reading a 1.9 MB static file at 2 KB/s made /health/ time
    out, every thread blocked writing to one of them. Here 16 clients each ask for the file 3
    times on one connection and read 2 KB a second: whatever the kernels do not buffer (a few
    MB per connection on loopback) waits on the worker's event loop, not on a thread. Then
    each reads on at full speed and gets its three copies whole."""
    base = f"http://127.0.0.1:{port}"
    want = (REPO / "staticfiles" / DOWNLOAD.removeprefix("/static/")).read_bytes()
    request = (
        f"GET {DOWNLOAD} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n\r\n"
    ).encode()
    readers, received, slow = [], [], threading.Event()

    def read_slowly() -> None:
        while not slow.wait(1):
            for reader, got in zip(readers, received, strict=True):
                try:
                    got += reader.recv(2048, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    pass

    try:
        for _ in range(16):
            reader = socket.socket()
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            reader.connect(("127.0.0.1", port))
            reader.sendall(request * 3)
            readers.append(reader)
            received.append(bytearray())
        pace = threading.Thread(target=read_slowly, daemon=True)
        pace.start()
        time.sleep(1)  # the answers start, and stall
        for _ in range(10):
            # The timeout is the requirement: a probe unanswered within 1 s fails here.
            assert http_get(f"{base}/health/", host="localhost", timeout=1)[0] == 200
        status, _, body = http_get(
            f"{base}{DOWNLOAD}", host=HOST, headers={"X-Forwarded-Proto": "https"}, timeout=30
        )
        assert status == 200 and body == want
        slow.set()
        pace.join()
        # Now all read on at full speed, side by side (a reader left waiting while another is
        # read is dropped once it has taken nothing for GUNICORN_READ_TIMEOUT).
        for reader in readers:
            reader.setblocking(False)
        started = time.monotonic()

        def whole(got: bytearray) -> bool:  # three heads and bodies, the last one complete
            return len(got) > 3 * len(want) and got.endswith(want)

        while not all(whole(got) for got in received):
            assert time.monotonic() - started < 60, [len(got) for got in received]
            for reader, got in zip(readers, received, strict=True):
                try:
                    data = reader.recv(1024 * 1024)
                except BlockingIOError:
                    continue
                assert data or whole(got), f"closed after {len(got)} bytes"
                got += data
            time.sleep(0.01)
        for got in received:
            assert got.count(want) == got.count(b"HTTP/1.1 200 OK\r\n") == 3
    finally:
        slow.set()
        for reader in readers:
            reader.close()
